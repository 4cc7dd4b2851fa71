/* rivermap charts: drawn in the page from the figures (maps/charts.py), into the .rm-chart
 * slots of a popup or panel, when it opens. Every text is set with textContent; the words come
 * from the page's language (RM.text.chart), numbers use its separators. */
(function () {
  'use strict';
  var RM = window.RM;
  var NS = 'http://www.w3.org/2000/svg';
  var FONT = '9.5px system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", "WenQuanYi Micro Hei", sans-serif';

  function T() { return RM.text.chart; }

  /* 1234.5 -> "1,234.5" / "1 234,5" with the page's separators */
  RM.fmt = function (x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return T().no_figure;
    var s = Math.abs(x).toFixed(digits || 0).split('.');
    var sym = T().number;
    var int = s[0].replace(/\B(?=(\d{3})+(?!\d))/g, sym.group);
    return (x < 0 ? sym.minus : '') + int + (s[1] ? sym.decimal + s[1] : '');
  };

  function node(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  var measurer = null;
  function textWidth(text) {
    if (!measurer) measurer = document.createElement('canvas').getContext('2d');
    measurer.font = FONT;
    return measurer.measureText(text).width;
  }

  /* round ticks (1, 2, 2.5, 5 x 10^k) covering [lo, hi] */
  function ticks(lo, hi, n) {
    if (!isFinite(lo) || !isFinite(hi) || hi <= lo) hi = lo + 1;
    var raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (s) { return s * mag; }).filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var t = Math.floor(lo / step) * step; t <= hi + step * 0.999; t += step) out.push(Math.round(t * 1e6) / 1e6);
    return out;
  }

  function frame(width, height, left, bottom, top) {
    return { w: width, h: height, x0: left, x1: width - 8, y0: height - bottom, y1: top };
  }

  function scale(v, lo, hi, a, b) { return a + (v - lo) / (hi - lo) * (b - a); }

  function svg(f, label) {
    return node('svg', { class: 'rm-chart-svg', width: f.w, height: f.h, viewBox: '0 0 ' + f.w + ' ' + f.h, role: 'img', 'aria-label': label });
  }

  function yAxis(s, f, t, unit) {
    t.forEach(function (v) {
      var y = scale(v, t[0], t[t.length - 1], f.y0, f.y1);
      node('line', { class: 'rm-grid', x1: f.x0, x2: f.x1, y1: y, y2: y }, s);
      node('text', { x: f.x0 - 3, y: y + 3, 'text-anchor': 'end' }, s, RM.fmt(v, v === Math.round(v) ? 0 : 1));
    });
    if (unit) node('text', { x: f.x0 + 4, y: f.y1 + 8 }, s, unit);
  }

  function path(points) {
    return points.map(function (p, i) { return (i ? 'L' : 'M') + p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' ');
  }

  /* legend entries placed one after the other, wrapping to a new row when the next one would
   * not fit: [{label, color, kind: 'rect' | 'line' | 'faint'}] */
  function legend(s, f, entries, y) {
    var x = f.x0 + 4, row = 0;
    entries.forEach(function (e) {
      var w = 14 + textWidth(e.label) + 10;
      if (x + w > f.x1 && x > f.x0 + 4) { x = f.x0 + 4; row += 1; }
      var yy = y + row * 12;
      if (e.kind === 'rect') node('rect', { x: x, y: yy - 7, width: 9, height: 8, fill: e.color }, s);
      else node('line', { x1: x, x2: x + 11, y1: yy - 3, y2: yy - 3, stroke: e.color, 'stroke-width': e.kind === 'faint' ? 1 : 2.2, 'stroke-opacity': e.kind === 'faint' ? 0.45 : 1 }, s);
      node('text', { x: x + 14, y: yy }, s, e.label);
      x += w;
    });
    return row + 1;
  }

  function monthAxis(s, f, slot) {
    var letters = T().month_letters;
    for (var m = 0; m < 12; m++) {
      node('text', { x: f.x0 + (m + 0.5) * slot, y: f.h - 5, 'text-anchor': 'middle' }, s, letters[m]);
    }
  }

  function max(arrays) {
    var v = -Infinity;
    arrays.forEach(function (a) { a.forEach(function (x) { if (x !== null && x > v) v = x; }); });
    return isFinite(v) ? v : 1;
  }

  var DRAW = {};

  /* gauge: band of the monthly lowest-highest discharge on record and the mean as a line */
  DRAW.climatology = function (d, width) {
    var t = T(), f = frame(width, 130, 38, 18, 8), s = svg(f, t.climatology_label + ' (' + t.m3s + ')');
    var yt = ticks(0, max([d.low, d.mean, d.high]), 4), slot = (f.x1 - f.x0) / 12;
    var X = function (m) { return f.x0 + (m + 0.5) * slot; };
    var Y = function (v) { return scale(v, yt[0], yt[yt.length - 1], f.y0, f.y1); };
    yAxis(s, f, yt, t.m3s);
    var top = [], bottom = [], line = [];
    for (var m = 0; m < 12; m++) {
      if (d.low[m] !== null && d.high[m] !== null) { top.push([X(m), Y(d.high[m])]); bottom.unshift([X(m), Y(d.low[m])]); }
      if (d.mean[m] !== null) line.push([X(m), Y(d.mean[m])]);
    }
    if (top.length) node('title', {}, node('path', { d: path(top.concat(bottom)) + ' Z', fill: '#9ecae1', 'fill-opacity': 0.6 }, s), t.band);
    node('path', { d: path(line), fill: 'none', stroke: '#08519c', 'stroke-width': 1.8 }, s);
    for (m = 0; m < 12; m++) {
      if (d.mean[m] === null) continue;
      var c = node('circle', { class: 'rm-point', cx: X(m), cy: Y(d.mean[m]), r: 2.4, fill: '#08519c' }, s);
      node('title', {}, c, t.months[m] + ': ' + t.mean + ' ' + RM.fmt(d.mean[m]) + ' ' + t.m3s +
        ' (' + t.lowest + ' ' + RM.fmt(d.low[m]) + ', ' + t.highest + ' ' + RM.fmt(d.high[m]) + ')');
    }
    node('line', { class: 'rm-axis', x1: f.x0, x2: f.x1, y1: f.y0, y2: f.y0 }, s);
    monthAxis(s, f, slot);
    return s;
  };

  /* basin: monthly precipitation and evapotranspiration side by side */
  DRAW.balance = function (d, width) {
    var t = T(), f = frame(width, 130, 38, 18, 20), s = svg(f, t.balance_label + ' (' + t.mm + ')');
    var yt = ticks(0, max([d.p, d.et]), 4), slot = (f.x1 - f.x0) / 12;
    var Y = function (v) { return scale(v, yt[0], yt[yt.length - 1], f.y0, f.y1); };
    yAxis(s, f, yt, null);
    [['p', '#2c7bb6', t.p_long], ['et', '#e08214', t.et_long]].forEach(function (b, k) {
      d[b[0]].forEach(function (v, m) {
        if (v === null) return;
        var r = node('rect', { class: 'rm-bar', x: f.x0 + m * slot + slot * (0.12 + 0.38 * k), y: Y(v), width: slot * 0.38, height: f.y0 - Y(v), fill: b[1] }, s);
        node('title', {}, r, t.months[m] + ': ' + b[2] + ' ' + RM.fmt(v) + ' ' + t.mm);
      });
    });
    node('line', { class: 'rm-axis', x1: f.x0, x2: f.x1, y1: f.y0, y2: f.y0 }, s);
    monthAxis(s, f, slot);
    legend(s, f, [
      { label: t.p_long + (t.p !== t.p_long ? ' (' + t.p + ')' : ''), color: '#2c7bb6', kind: 'rect' },
      { label: t.et_long + (t.et !== t.et_long ? ' (' + t.et + ')' : '') + ', ' + t.mm, color: '#e08214', kind: 'rect' },
    ], 10);
    return s;
  };

  /* basin: P - ET per year from a zero line; the selected year outlined (RM.year) */
  DRAW.annual = function (d, width) {
    var t = T(), f = frame(width, 92, 38, 16, 8), s = svg(f, t.annual_label + ' (' + t.mm + ')');
    var vals = d.values.filter(function (v) { return v !== null; });
    var lo = Math.min(0, Math.min.apply(null, vals.concat([0]))), hi = Math.max(0, Math.max.apply(null, vals.concat([1])));
    var yt = ticks(lo, hi, 3), slot = (f.x1 - f.x0) / Math.max(d.years.length, 1);
    var Y = function (v) { return scale(v, yt[0], yt[yt.length - 1], f.y0, f.y1); };
    yAxis(s, f, yt, null);
    var zero = Y(0);
    d.years.forEach(function (yr, k) {
      var v = d.values[k];
      if (v === null) return;
      var r = node('rect', { class: 'rm-yb rm-yb-' + yr, x: f.x0 + k * slot + slot * 0.12, y: Math.min(Y(v), zero), width: slot * 0.76, height: Math.abs(zero - Y(v)), fill: v >= 0 ? '#2c7bb6' : '#d7191c' }, s);
      node('title', {}, r, yr + ': ' + t.p_minus_et + ' ' + RM.fmt(v) + ' ' + t.mm);
    });
    node('line', { class: 'rm-axis', x1: f.x0, x2: f.x1, y1: zero, y2: zero }, s);
    var n = d.years.length, marks = n ? [0, Math.floor(n / 2), n - 1] : [];
    marks.filter(function (k, i) { return marks.indexOf(k) === i; }).forEach(function (k) {
      node('text', { x: f.x0 + (k + 0.5) * slot, y: f.h - 4, 'text-anchor': 'middle' }, s, String(d.years[k]));
    });
    return s;
  };

  /* river: elevation along the course, the DEM as sampled (faint) and the never-rising
   * profile (main, coloured by country), with the border crossings */
  DRAW.profile = function (d, width) {
    var t = T(), names = Object.keys(d.countries);
    var entries = names.map(function (c) { return { label: d.countries[c].name, color: d.countries[c].color, kind: 'line' }; });
    entries.push({ label: t.dem_raw, color: '#555', kind: 'faint' });
    var f = frame(width, 176, 46, 30, 8);
    var s = svg(f, t.profile_label);
    var rows = legend(node('g', {}, null), f, entries, 0); /* how many rows the legend needs */
    f.y1 = 8 + rows * 12 + 4;
    var km = d.km, end = km.length ? km[km.length - 1] || 1 : 1;
    var zs = d.raw.concat(d.line).filter(function (v) { return v !== null; });
    var lo = zs.length ? Math.min.apply(null, zs) : 0, hi = zs.length ? Math.max.apply(null, zs) : 1;
    var yt = ticks(lo, hi, 4);
    var X = function (k) { return scale(k, 0, end, f.x0, f.x1); };
    var Y = function (v) { return scale(v, yt[0], yt[yt.length - 1], f.y0, f.y1); };
    yAxis(s, f, yt, null);
    var pts = function (arr, a, b) {
      var out = [];
      for (var i = a; i < b; i++) if (arr[i] !== null) out.push([X(km[i]), Y(arr[i])]);
      return out;
    };
    node('path', { d: path(pts(d.line, 0, km.length).concat([[X(end), f.y0], [X(0), f.y0]])) + ' Z', fill: '#d9d0c1', 'fill-opacity': 0.6 }, s);
    node('path', { class: 'rm-raw', d: path(pts(d.raw, 0, km.length)), fill: 'none', stroke: '#555', 'stroke-width': 1, 'stroke-opacity': 0.45 }, s);
    d.runs.forEach(function (r, k) {
      var b = k + 1 < d.runs.length ? d.runs[k + 1][0] + 1 : km.length;
      var line = node('path', { class: 'rm-line', d: path(pts(d.line, r[0], b)), fill: 'none', stroke: d.countries[r[1]].color, 'stroke-width': 2.2 }, s);
      node('title', {}, line, d.countries[r[1]].name + ', ' + t.consistent);
    });
    d.crossings.forEach(function (c) {
      var x = X(c.km), l = node('line', { x1: x, x2: x, y1: f.y1, y2: f.y0, stroke: '#111', 'stroke-dasharray': '3 3' }, s);
      node('title', {}, l, c.label + ', ' + t.at_km.replace('%(km)s', RM.fmt(c.km)));
    });
    node('line', { class: 'rm-axis', x1: f.x0, x2: f.x1, y1: f.y0, y2: f.y0 }, s);
    ticks(0, end, 5).filter(function (v) { return v <= end; }).forEach(function (v) {
      node('text', { x: X(v), y: f.y0 + 11, 'text-anchor': 'middle' }, s, RM.fmt(v));
    });
    node('text', { x: f.x1, y: f.h - 3, 'text-anchor': 'end' }, s, t.km_axis);
    node('text', { x: f.x0 + 4, y: f.y0 - 4 }, s, t.m_axis);
    legend(s, f, entries, 15);
    return s;
  };

  /* Draw every empty .rm-chart slot inside `box` from `charts` (list, or {profile: data}). */
  RM.drawCharts = function (box, charts, width) {
    if (!charts) return;
    var slots = box.querySelectorAll('.rm-chart[data-chart]');
    for (var i = 0; i < slots.length; i++) {
      var data = charts[slots[i].getAttribute('data-chart')];
      if (!data || !DRAW[data.kind]) continue;
      slots[i].textContent = '';
      slots[i].appendChild(DRAW[data.kind](data, width || 300));
    }
    if (RM.year) RM.year.highlight();
  };
})();
