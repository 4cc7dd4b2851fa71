/* rivermap: the few helpers and controls the offline maps need. Leaflet 1.9 only, no CDN.
 * Every text that reaches the page was escaped in Python (Jinja autoescape) or is set with
 * textContent here; numbers are formatted here. */
(function () {
  'use strict';
  var RM = (window.RM = {});
  window.rmReady = false;

  /* ---------- layers ---------- */

  /* Popups are sized and panned when they open to the room the controls leave (fitPopup). */
  var POPUP = { maxWidth: 380, minWidth: 220, autoPan: false, className: 'rm-popup' };

  /* Features from columnar data. props: styles (list of Leaflet path options), style (index per
   * feature), tip (tooltip HTML), label (permanent tooltip?), popup (key into popups), key
   * (search/recolour key), angle (crossing arrows, degrees on screen). */
  RM.geo = function (geoms, props, opts) {
    var group = L.featureGroup();
    var box = document.getElementById(opts.templates);
    var templates = box ? box.children : [];
    group.rmByKey = {};
    group.beforeAdd = function (map) {
      props.styles.forEach(function (s) { pane(map, s.pane); });
    };
    geoms.forEach(function (g, i) {
      var style = props.styles[props.style ? props.style[i] : 0];
      var layer = makeLayer(g, style, opts.kind, props.angle ? props.angle[i] : null);
      var k = props.popup ? props.popup[i] : null;
      var popup = k !== null && k !== undefined ? templates[k] : null;
      if (popup) {
        layer.bindPopup(function () {
          var div = document.createElement('div');
          div.innerHTML = popup.innerHTML;
          RM.drawCharts(div, props.charts ? props.charts[k] : null, chartWidth());
          return div;
        }, POPUP);
      }
      if (props.tip && props.tip[i]) {
        var permanent = !!(props.label && props.label[i]);
        layer.bindTooltip(props.tip[i], {
          permanent: permanent,
          sticky: !permanent && g.type !== 'Point',
          direction: permanent ? 'center' : 'auto',
          className: permanent ? 'rm-label' : 'rm-tip',
        });
      }
      if (props.key) {
        layer.rmKey = props.key[i];
        (group.rmByKey[layer.rmKey] = group.rmByKey[layer.rmKey] || []).push(layer);
      }
      group.addLayer(layer);
    });
    return group;
  };

  /* Panes are named rm-<layer>-<z-index>: one per layer keeps the drawing order when a layer
   * is switched off and on again. */
  function pane(map, name) {
    if (name && !map.getPane(name)) map.createPane(name).style.zIndex = name.split('-').pop();
  }

  var ARROW = '<path d="M0,-5.5 L4.5,4 L0,1.6 L-4.5,4 Z"/>';

  function rotated(angle, size, cls) {
    return L.divIcon({
      className: cls,
      iconSize: [size, size],
      html: '<svg viewBox="-8 -8 16 16" width="' + size + '" height="' + size +
        '" style="transform:rotate(' + Number(angle || 0).toFixed(0) + 'deg)">' + ARROW + '</svg>',
    });
  }

  function makeLayer(g, style, kind, angle) {
    if (g.type === 'Point') {
      var at = L.latLng(g.coordinates[1], g.coordinates[0]);
      if (kind === 'crossing') {
        return L.marker(at, { icon: rotated(angle, 22, 'rm-crossing'), riseOnHover: true, pane: style.pane || 'markerPane' });
      }
      return L.circleMarker(at, style);
    }
    return L.GeoJSON.geometryToLayer({ type: 'Feature', geometry: g, properties: {} }, style);
  }

  /* Flow arrows along the rivers; points: [lat, lon, bearing, level]. Level k arrows are
   * spacing/2^k apart; a level shows once its arrows are at least MIN_PX apart on screen
   * (level 0 always shows). Each arrow is a path of the pane's one SVG (the shape of ARROW,
   * 14 px, turned by its bearing), not a marker: no element, icon or layer of its own. */
  var MIN_PX = 60;
  var ARROW_SHAPE = [[0, -5.5], [4.5, 4], [0, 1.6], [-4.5, 4]], ARROW_PX = 14 / 16;
  var Arrow = L.CircleMarker.extend({
    _updatePath: function () {
      if (this._empty()) { this._renderer._setPath(this, 'M0 0'); return; }
      var p = this._point, a = this.options.angle * Math.PI / 180;
      var c = Math.cos(a) * ARROW_PX, s = Math.sin(a) * ARROW_PX, d = '';
      for (var i = 0; i < ARROW_SHAPE.length; i++) {
        var x = ARROW_SHAPE[i][0], y = ARROW_SHAPE[i][1];
        d += (i ? 'L' : 'M') + (p.x + x * c - y * s).toFixed(2) + ',' + (p.y + x * s + y * c).toFixed(2);
      }
      this._renderer._setPath(this, d + 'Z');
    },
  });
  RM.arrows = function (points, opts) {
    var group = L.layerGroup();
    group.beforeAdd = function (map) { pane(map, opts.pane); };
    points.forEach(function (p) {
      group.addLayer(new Arrow([p[0], p[1]], {
        angle: p[2], radius: 7, pane: opts.pane, interactive: false, className: 'rm-arrow rm-l' + p[3],
        color: '#08306b', weight: 1.3 * ARROW_PX, opacity: 1, fillColor: '#fff', fillOpacity: 1,
        lineJoin: 'miter', lineCap: 'butt',
      }));
    });
    function update(e) {
      var map = e.target, c = map.getContainer();
      if (!map._loaded) return;
      var lat = map.getCenter().lat * Math.PI / 180;
      var mpp = 40075016.686 * Math.cos(lat) / Math.pow(2, map.getZoom() + 8);
      var level = Math.floor(Math.log2(opts.spacing_m / (MIN_PX * mpp)));
      c.setAttribute('data-arrows', String(Math.max(0, Math.min(3, level))));
    }
    group.on('add', function () {
      this._map.on('zoomend moveend load', update);
      if (this._map._loaded) update({ target: this._map });
    });
    return group;
  };

  /* ---------- small helpers ---------- */

  function el(tag, cls, parent, text) {
    var e = L.DomUtil.create(tag, cls || '', parent);
    if (text) e.textContent = text;
    return e;
  }

  function button(bar, title, svg, onClick) {
    var a = el('a', 'rm-button', bar);
    a.href = '#';
    a.title = title;
    a.setAttribute('role', 'button');
    a.setAttribute('aria-label', title);
    a.innerHTML = svg; /* our own constant SVG icons */
    L.DomEvent.on(a, 'click', function (e) {
      L.DomEvent.stop(e);
      onClick(a);
    });
    return a;
  }

  function quiet(div) {
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  }

  /* the phone layout: controls fold into buttons, panels open on demand (rivermap.css) */
  var PHONE = '(max-width: 640px), (max-height: 480px)';
  function phone() { return window.matchMedia(PHONE).matches; }

  function chartWidth() { return phone() ? Math.max(200, Math.min(300, window.innerWidth - 150)) : 300; }

  var ICON = {
    full: '<svg viewBox="0 0 16 16"><path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"/></svg>',
    ruler: '<svg viewBox="0 0 16 16"><path d="M1.5 11.5l10-10 3 3-10 10z M4.5 8.5l1.5 1.5 M6.5 6.5l2 2 M8.5 4.5l1.5 1.5"/></svg>',
    play: '<svg viewBox="0 0 16 16"><path d="M4 2.5v11l9-5.5z"/></svg>',
    pause: '<svg viewBox="0 0 16 16"><path d="M4 2.5h3v11H4zM9 2.5h3v11H9z"/></svg>',
    find: '<svg viewBox="0 0 16 16"><circle cx="6.5" cy="6.5" r="4.5"/><path d="M10 10l4.5 4.5"/></svg>',
    legend: '<svg viewBox="0 0 16 16"><path d="M2 3.5h3M2 8h3M2 12.5h3M7 3.5h7M7 8h7M7 12.5h7"/></svg>',
    profile: '<svg viewBox="0 0 16 16"><path d="M1 4l4 3 3-1 3 4 4 2M1 14.5h14"/></svg>',
    year: '<svg viewBox="0 0 16 16"><rect x="2" y="3" width="12" height="11"/><path d="M2 6.5h12M5 1.5v3M11 1.5v3"/></svg>',
    close: '<svg viewBox="0 0 16 16"><path d="M3.5 3.5l9 9M12.5 3.5l-9 9"/></svg>',
  };

  /* A panel holding HTML rendered (and escaped) in Python, kept in a <template>. With a button
   * icon it folds: open by default on a desk (openOnDesk), closed on a phone, where it opens
   * over the map on demand and closes when a popup opens. */
  var Panel = L.Control.extend({
    options: { position: 'topright', className: '', template: '', icon: null, label: '', openOnDesk: true },
    onAdd: function (map) {
      var self = this, o = this.options;
      var div = quiet(el('div', 'rm-panel-box ' + (o.icon ? 'rm-folding ' : '') + o.className));
      this._map = map;
      if (o.icon) {
        this._toggle = button(div, o.label, ICON[o.icon], function () { self.setOpen(!self.isOpen()); });
        L.DomUtil.addClass(this._toggle, 'rm-toggle');
      }
      var body = (this._body = el('div', 'rm-panel rm-panel-body', div));
      if (o.icon) {
        var close = button(body, RM.text.close, ICON.close, function () { self.setOpen(false); });
        L.DomUtil.addClass(close, 'rm-close');
      }
      var content = el('div', 'rm-panel-content', body);
      content.innerHTML = document.getElementById(o.template).innerHTML;
      this._container = div;
      this.setOpen(!o.icon || (o.openOnDesk && !phone()));
      return div;
    },
    isOpen: function () { return L.DomUtil.hasClass(this._container, 'rm-open'); },
    setOpen: function (on) {
      var div = this._container;
      L.DomUtil[on ? 'addClass' : 'removeClass'](div, 'rm-open');
      if (this._toggle) this._toggle.setAttribute('aria-expanded', on ? 'true' : 'false');
      if (on && phone()) {
        this._map.closePopup();
        RM.panels.forEach(function (p) { if (p !== this && p.isOpen && p.isOpen() && p.options.icon) p.setOpen(false); }, this);
      }
      if (on && this.options.onOpen) this.options.onOpen(this._body);
      if (this._map) this._map.fire('rmpanel');
      return this;
    },
  });

  /* ---------- fullscreen ---------- */

  var Fullscreen = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function (map) {
      var bar = el('div', 'leaflet-bar');
      var box = map.getContainer();
      button(bar, RM.text.full_screen, ICON.full, function () {
        if (document.fullscreenElement) return document.exitFullscreen();
        if (box.requestFullscreen) {
          box.requestFullscreen().catch(function () { L.DomUtil.addClass(box, 'rm-full'); map.invalidateSize(); });
        } else {
          L.DomUtil.hasClass(box, 'rm-full') ? L.DomUtil.removeClass(box, 'rm-full') : L.DomUtil.addClass(box, 'rm-full');
          map.invalidateSize();
        }
      });
      document.addEventListener('fullscreenchange', function () { map.invalidateSize(); });
      return bar;
    },
  });

  /* ---------- measure (great-circle distance on Leaflet's sphere, R = 6371 km) ---------- */

  var Measure = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function (map) {
      var self = this, bar = el('div', 'leaflet-bar rm-measure');
      this._map = map;
      this._layer = L.layerGroup();
      this._btn = button(bar, RM.text.measure, ICON.ruler, function () {
        self._on ? self.stop() : self.start();
      });
      this._out = el('span', 'rm-measure-out', bar);
      return bar;
    },
    start: function () {
      var map = this._map;
      this._on = true;
      this._pts = [];
      this._layer.clearLayers().addTo(map);
      this._line = L.polyline([], { color: '#111', weight: 2, dashArray: '5 5', interactive: false }).addTo(this._layer);
      L.DomUtil.addClass(map.getContainer(), 'rm-measuring');
      L.DomUtil.addClass(this._btn, 'rm-active');
      this._out.textContent = RM.text.measure_start;
      map.doubleClickZoom.disable();
      map.on('click', this._add, this).on('dblclick', this.stop, this);
    },
    stop: function () {
      var map = this._map;
      this._on = false;
      L.DomUtil.removeClass(map.getContainer(), 'rm-measuring');
      L.DomUtil.removeClass(this._btn, 'rm-active');
      map.off('click', this._add, this).off('dblclick', this.stop, this);
      map.doubleClickZoom.enable();
      if (!this._pts.length) this._out.textContent = '';
    },
    _add: function (e) {
      var pts = this._pts, km = 0;
      pts.push(e.latlng);
      for (var i = 1; i < pts.length; i++) km += this._map.distance(pts[i - 1], pts[i]) / 1000;
      L.circleMarker(e.latlng, { radius: 3, color: '#111', fillOpacity: 1, interactive: false }).addTo(this._layer);
      this._line.setLatLngs(pts);
      this._out.textContent = RM.fmt(km, km < 100 ? 1 : 0) + ' ' + RM.text.km;
    },
  });

  /* ---------- search by any river name (en/kk/ru/zh) ---------- */

  var Search = L.Control.extend({
    options: { position: 'topleft', entries: [], layers: {} },
    onAdd: function (map) {
      var self = this, t = RM.text, box = quiet(el('form', 'rm-search leaflet-bar'));
      this._box = box;
      var open = button(box, t.search, ICON.find, function () {
        L.DomUtil.addClass(box, 'rm-open');
        input.focus();
      });
      L.DomUtil.addClass(open, 'rm-toggle');
      var list = el('datalist', '', box);
      list.id = 'rm-names-' + L.Util.stamp(this);
      var input = (this._input = el('input', '', box));
      input.type = 'search';
      input.placeholder = t.find;
      input.setAttribute('list', list.id);
      input.setAttribute('aria-label', t.find_label);
      this._msg = el('div', 'rm-search-msg', box);
      this._msg.setAttribute('role', 'status');
      this._msg.setAttribute('aria-live', 'polite');
      this.options.entries.forEach(function (entry) {
        entry.names.forEach(function (n) {
          var o = el('option', '', list);
          o.value = n;
        });
      });
      var go = function (e) {
        L.DomEvent.stop(e);
        self.find(map, input.value);
      };
      L.DomEvent.on(box, 'submit', go);
      L.DomEvent.on(input, 'change', go);
      L.DomEvent.on(input, 'input', function () { self.say(''); });
      return box;
    },
    say: function (text) {
      this._msg.textContent = text;
      L.DomUtil[text ? 'addClass' : 'removeClass'](this._box, 'rm-said');
    },
    close: function () { L.DomUtil.removeClass(this._box, 'rm-open'); this.say(''); },
    find: function (map, text) {
      var q = String(text || '').trim().toLowerCase();
      if (!q) { this.say(''); return null; }
      var hit = null;
      this.options.entries.forEach(function (entry) {
        entry.names.forEach(function (n) {
          var v = n.toLowerCase();
          if (!hit && v === q) hit = entry;
        });
      });
      this.options.entries.forEach(function (entry) {
        entry.names.forEach(function (n) {
          if (!hit && n.toLowerCase().indexOf(q) >= 0) hit = entry;
        });
      });
      if (!hit) {
        this.say(RM.text.not_found.replace('%(name)s', String(text).trim()));
        return null;
      }
      this.say('');
      var group = this.options.layers[hit.layer];
      fitView(map, hit.bounds);
      if (phone()) this.close();
      if (group) {
        if (!map.hasLayer(group)) map.addLayer(group);
        var targets = group.rmByKey[hit.key] || [];
        if (targets.length) targets[0].openPopup(hit.at ? L.latLng(hit.at) : undefined);
      }
      return hit;
    },
  });

  /* ---------- minimap: the whole region with the view's outline (desk only) ---------- */

  var Minimap = L.Control.extend({
    options: { position: 'bottomright', bounds: null, image: null, lines: [] },
    onAdd: function () {
      return quiet(el('div', 'rm-minimap leaflet-bar'));
    },
    addTo: function (map) {
      L.Control.prototype.addTo.call(this, map);
      var o = this.options;
      var mini = (this._mini = L.map(this.getContainer(), {
        attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.25,
      }));
      if (o.image) L.imageOverlay(o.image._url, o.image.getBounds(), { interactive: false }).addTo(mini);
      o.lines.forEach(function (g) {
        L.GeoJSON.geometryToLayer({ type: 'Feature', geometry: g, properties: {} },
          { color: '#08306b', weight: 1.2, interactive: false }).addTo(mini);
      });
      var rect = L.rectangle(o.bounds, { color: '#c0392b', weight: 1.5, fillOpacity: 0.08, interactive: false }).addTo(mini);
      var sync = function () {
        if (!mini.getSize().x) return; /* hidden on a phone */
        mini.fitBounds(o.bounds);
        rect.setBounds(map.getBounds());
      };
      map.on('moveend resize', sync);
      map.whenReady(sync);
      mini.on('click', function (e) { map.panTo(e.latlng); });
      return this;
    },
  });

  /* ---------- year of the basin water balance: shown while the basins are ---------- */

  var Year = L.Control.extend({
    options: { position: 'bottomleft', year: null },
    onAdd: function (map) {
      var y = this.options.year, self = this, t = RM.text;
      var box = quiet(el('div', 'rm-year leaflet-bar'));
      var head = el('div', 'rm-year-head', box);
      el('strong', '', head, t.year_title);
      this._label = el('span', 'rm-year-label', head);
      var row = el('div', 'rm-year-row', box);
      this._play = button(row, t.play, ICON.play, function () { self.toggle(); });
      var range = (this._range = el('input', '', row));
      range.type = 'range';
      range.min = y.years[0];
      range.max = y.years[y.years.length - 1];
      range.step = 1;
      range.setAttribute('aria-label', t.years);
      var mean = (this._mean = el('button', 'rm-year-mean', row, t.mean));
      mean.type = 'button';
      mean.title = t.mean_of.replace('%(period)s', y.years[0] + '–' + y.years[y.years.length - 1]);
      L.DomEvent.on(range, 'input', function () { self.set(Number(range.value)); });
      L.DomEvent.on(mean, 'click', function () { self.set(null); });
      this._style = el('style', '', document.head);
      this._map = map;
      this.set(this.year === undefined ? null : this.year);
      return box;
    },
    set: function (year) {
      var y = this.options.year, group = this.options.layer, colours = y.colours;
      var k = year === null ? -1 : y.years.indexOf(year);
      this.year = year;
      group.eachLayer(function (layer) {
        var cls = k < 0 ? y.mean[layer.rmKey] : (y.classes[layer.rmKey] || [])[k];
        var colour = cls === undefined || cls === null || cls < 0 ? y.missing : colours[cls];
        layer.setStyle({ fillColor: colour });
      });
      if (!this._label) return;
      var period = y.years[0] + '–' + y.years[y.years.length - 1];
      var text = k < 0 ? RM.text.mean_of.replace('%(period)s', period) : String(year);
      this._label.textContent = text;
      L.DomUtil[k < 0 ? 'addClass' : 'removeClass'](this._mean, 'rm-active');
      if (k >= 0) this._range.value = year;
      this._style.textContent = k < 0 ? '' : '.rm-yb-' + year + '{stroke:#000;stroke-width:1.4px;opacity:1}';
      this.highlight();
    },
    highlight: function () {
      var y = this.options.year, period = y.years[0] + '–' + y.years[y.years.length - 1];
      var text = this.year === null || this.year === undefined ? RM.text.mean_of.replace('%(period)s', period) : String(this.year);
      var title = document.querySelectorAll('.rm-basin-period');
      for (var i = 0; i < title.length; i++) title[i].textContent = text;
    },
    toggle: function () {
      var self = this, y = this.options.year;
      if (this._timer) {
        clearInterval(this._timer);
        this._timer = null;
        this._play.innerHTML = ICON.play;
        return;
      }
      this._play.innerHTML = ICON.pause;
      var next = this.year === null ? y.years[0] : this.year;
      this.set(next);
      this._timer = setInterval(function () {
        var k = y.years.indexOf(self.year) + 1;
        if (k >= y.years.length) return self.toggle();
        self.set(y.years[k]);
      }, 700);
    },
    onRemove: function () {
      if (this._timer) this.toggle();
    },
  });

  /* ---------- attribution: one line that opens on a click ---------- */

  function foldAttribution(map, parts) {
    var box = map.attributionControl.getContainer();
    parts.forEach(function (a) { map.attributionControl.addAttribution(a); });
    box.setAttribute('translate', 'no');
    box.setAttribute('title', RM.text.attribution);
    box.setAttribute('tabindex', '0');
    L.DomEvent.on(box, 'click', function (e) {
      if (e.target.tagName === 'A') return;
      L.DomUtil.hasClass(box, 'rm-open') ? L.DomUtil.removeClass(box, 'rm-open') : L.DomUtil.addClass(box, 'rm-open');
      map.fire('rmpanel');
    });
  }

  /* ---------- the room the controls leave: first view, popups ---------- */

  /* Padding (px) that keeps a box clear of every control: a control wider than 45 % of the map,
   * or a low one (a line: scale, attribution), pads the top or bottom; the others stand in the
   * left or right column. ``byArea``: each control pads the side of its corner that costs the
   * map less room instead (the title the top, a large panel such as the profile whichever
   * leaves more), which frames a wide river beside a tall panel better. */
  function room(map, byArea) {
    var c = map.getContainer(), box = c.getBoundingClientRect();
    var pad = { top: 0, bottom: 0, left: 0, right: 0 };
    var controls = c.querySelectorAll('.leaflet-control-container .leaflet-control');
    for (var i = 0; i < controls.length; i++) {
      var r = controls[i].getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(controls[i]).visibility === 'hidden') continue;
      var corner = controls[i].parentElement.className;
      var top = corner.indexOf('leaflet-top') >= 0, left = corner.indexOf('leaflet-left') >= 0;
      var across = left ? r.right - box.left : box.right - r.left;
      var down = top ? r.bottom - box.top : box.bottom - r.top;
      var low = byArea ? down * box.width <= across * box.height : r.width > 0.45 * box.width;
      if (r.height < 30 || low) {
        if (top) pad.top = Math.max(pad.top, down);
        else pad.bottom = Math.max(pad.bottom, down);
      } else if (left) {
        pad.left = Math.max(pad.left, across);
      } else {
        pad.right = Math.max(pad.right, across);
      }
    }
    ['top', 'bottom', 'left', 'right'].forEach(function (k) { pad[k] += 8; });
    return pad;
  }

  RM.room = room;

  /* Fit ``bounds`` into the room the controls leave (of the two ways to count it, the one that
   * shows them larger; the columns on a tie). Where that needs the map to reach past the
   * relief (a river near its edge with a panel beside it), the view may: the bounds the map
   * keeps to (keepInFrame) grow to hold this view, the part beyond lies under the panels. */
  function fitView(map, bounds) {
    var zoomIn = function (q) { return map.getBoundsZoom(bounds, false, L.point(q.left + q.right, q.top + q.bottom)); };
    var p = room(map), q = room(map, true), frame = map._rmFrame;
    if (zoomIn(q) > zoomIn(p)) p = q; /* the room that shows the rivers larger */
    if (frame) map.setMaxBounds(null);
    map.fitBounds(bounds, { paddingTopLeft: [p.left, p.top], paddingBottomRight: [p.right, p.bottom], animate: false });
    if (frame) {
      map._rmAllowed = L.latLngBounds(frame.getSouthWest(), frame.getNorthEast()).extend(map.getBounds());
      map.setMaxBounds(map._rmAllowed);
    }
  }

  /* Size the popup to the free room and pan the map so it lies wholly inside it. */
  function fitPopup(map, popup) {
    if (map._animatingZoom) { /* a zoom ending later would move the map back */
      map.once('zoomend', function () { if (popup.isOpen()) fitPopup(map, popup); });
      return;
    }
    var p = room(map), size = map.getSize();
    var width = size.x - p.left - p.right, height = size.y - p.top - p.bottom;
    var chrome = phone() ? 28 : 46;
    popup.options.maxWidth = Math.max(160, Math.min(380, width - chrome));
    popup.options.minWidth = Math.min(popup.options.maxWidth, 220);
    popup.options.maxHeight = Math.max(120, height - 40);
    popup.update();
    var el = popup.getElement();
    if (!el) return;
    var box = map.getContainer().getBoundingClientRect(), r = el.getBoundingClientRect();
    var dx = 0, dy = 0;
    var left = r.left - box.left, right = r.right - box.left, top = r.top - box.top, bottom = r.bottom - box.top;
    if (left < p.left) dx = left - p.left;
    else if (right > size.x - p.right) dx = right - (size.x - p.right);
    if (top < p.top) dy = top - p.top;
    else if (bottom > size.y - p.bottom) dy = bottom - (size.y - p.bottom);
    if (dx || dy) map.panBy([dx, dy], { animate: false });
  }

  /* The map cannot pan past the relief, nor zoom out further than where the relief covers the
   * view, unless the traced rivers need it to be seen whole (the relief ends with the data). */
  function keepInFrame(map, frame, fit) {
    if (!frame) return;
    var bounds = L.latLngBounds(frame);
    map._rmFrame = bounds;
    map._rmAllowed = bounds;
    map.setMaxBounds(bounds);
    map.options.maxBoundsViscosity = 1.0;
    var limit = function () {
      var p = room(map), pad = L.point(p.left + p.right, p.top + p.bottom);
      /* not setMinZoom: it animates, and a popup opened meanwhile would be panned back */
      map.options.minZoom = Math.min(map.getBoundsZoom(bounds, true), map.getBoundsZoom(fit, false, pad));
      map.fire('zoomlevelschange');
      if (!map._loaded) return; /* the first view (fitView) comes after: it keeps to the bounds */
      if (map.getZoom() < map.getMinZoom()) map.setZoom(map.getMinZoom(), { animate: false });
      if (!(map._popup && map._popup.isOpen())) map.panInsideBounds(map._rmAllowed, { animate: false });
    };
    limit();
    map.on('resize', limit);
    /* an open popup may need the map moved past the relief's edge to be seen whole */
    map.on('popupopen', function () { map.setMaxBounds(null); });
    map.on('popupclose', function () { map.setMaxBounds(map._rmAllowed); });
  }

  /* ---------- everything on one map ---------- */

  RM.setup = function (map, layers, image, cfg) {
    RM.text = cfg.text;
    RM.panels = [];
    var container = map.getContainer();
    L.DomUtil.addClass(container, 'rm-map');
    var title = new Panel({ position: 'topleft', className: 'rm-title', template: 'rm-panel-title' }).addTo(map);
    foldTitle(title);
    L.control.zoom({ position: 'topleft', zoomInTitle: cfg.text.zoom_in, zoomOutTitle: cfg.text.zoom_out }).addTo(map);
    new Fullscreen().addTo(map);
    new Measure().addTo(map);
    RM.search = new Search({ entries: cfg.search, layers: layers }).addTo(map);
    var scale = L.control.scale({ position: 'bottomleft', imperial: false, maxWidth: 120 });
    scale._updateScale = function (el, text, ratio) { /* the page's numbers and unit words */
      var n = parseFloat(text), km = / km$/.test(text);
      el.style.width = Math.round(this.options.maxWidth * ratio) + 'px';
      el.textContent = RM.fmt(n) + ' ' + (km ? cfg.text.km : cfg.text.m);
    };
    scale.addTo(map);
    if (cfg.profile) {
      RM.profile = new Panel({
        position: 'bottomleft', className: 'rm-profile', template: 'rm-panel-profile', icon: 'profile',
        label: cfg.text.profile,
        onOpen: function (body) {
          var slot = body.querySelector('.rm-chart');
          var width = phone() ? window.innerWidth - 40 : 480;
          if (slot && slot.getAttribute('data-width') !== String(width)) {
            slot.setAttribute('data-width', String(width));
            RM.drawCharts(body, { profile: cfg.profile }, width);
          }
        },
      }).addTo(map);
      RM.panels.push(RM.profile);
    }
    if (cfg.year && layers.basins) {
      RM.year = new Year({ year: cfg.year, layer: layers.basins });
      var follow = function () {
        if (map.hasLayer(layers.basins)) RM.year.addTo(map);
        else RM.year.remove();
        map.fire('rmpanel');
      };
      map.on('overlayadd overlayremove', function (e) { if (e.layer === layers.basins) follow(); });
      follow();
    }
    new Minimap({ bounds: cfg.region, image: image, lines: cfg.minimap }).addTo(map);
    RM.legend = new Panel({
      position: 'topright', className: 'rm-legend', template: 'rm-panel-legend', icon: 'legend', label: cfg.text.legend,
    }).addTo(map);
    RM.panels.push(RM.legend, title);
    foldLayers(map, cfg.text);
    foldAttribution(map, cfg.attribution);
    legendFollowsLayers(map);
    keepInFrame(map, cfg.frame, cfg.fit);
    fitLegend(map);
    fitView(map, cfg.fit);
    map.on('resize overlayadd overlayremove baselayerchange rmpanel', function () { fitLegend(map); });
    map.on('zoomend overlayadd', function () { declutter(map); });
    map.on('popupopen', function (e) {
      if (phone()) {
        RM.panels.forEach(function (p) { if (p.options.icon || p === title) p.setOpen(false); });
        collapseLayers(map);
        RM.search.close();
      }
      fitPopup(map, e.popup);
    });
    map.whenReady(function () { declutter(map); });
    var done = function () { window.rmReady = true; };
    if (image && map.hasLayer(image)) {
      var img = image.getElement();
      if (img && img.complete && img.naturalWidth > 0) done();
      else image.once('load', done);
    } else {
      map.whenReady(done);
    }
  };

  /* On a phone the title is one line; a tap shows the rest (description, languages). */
  function foldTitle(title) {
    var box = title.getContainer(), head = box.querySelector('h1');
    title.options.icon = null;
    title.isOpen = function () { return L.DomUtil.hasClass(box, 'rm-open-more'); };
    title.setOpen = function (on) {
      L.DomUtil[on ? 'addClass' : 'removeClass'](box, 'rm-open-more');
      if (head) head.setAttribute('aria-expanded', on ? 'true' : 'false');
      return title;
    };
    if (!head) return;
    head.setAttribute('role', 'button');
    head.setAttribute('tabindex', '0');
    head.title = RM.text.about;
    L.DomEvent.on(head, 'click', function () {
      if (!phone()) return;
      var on = !title.isOpen();
      title.setOpen(on);
      if (on) { title._map.closePopup(); RM.panels.forEach(function (p) { if (p.options.icon) p.setOpen(false); }); }
      title._map.fire('rmpanel');
    });
  }

  /* The layer list folds into Leaflet's layers button on a phone. */
  function foldLayers(map, text) {
    var box = map.getContainer().querySelector('.leaflet-control-layers');
    if (!box) return;
    var link = box.querySelector('.leaflet-control-layers-toggle');
    if (link) { link.title = text.layers; link.setAttribute('aria-label', text.layers); }
    /* on a phone, and on a desk too short for the list and the legend, the list is a button */
    var fold = function () { return phone() || window.innerHeight < 900; };
    if (fold()) collapseLayers(map);
    map.on('click', function () { if (fold()) collapseLayers(map); });
    L.DomEvent.on(link, 'click', function () {
      if (phone()) RM.panels.forEach(function (p) { if (p.options.icon) p.setOpen(false); });
      map.fire('rmpanel');
    });
  }

  function collapseLayers(map) {
    var box = map.getContainer().querySelector('.leaflet-control-layers');
    if (box) L.DomUtil.removeClass(box, 'leaflet-control-layers-expanded');
  }

  /* On a desk the legend takes the height left between the layer list and the bottom-right
   * corner; when its sections do not fit, the later ones fold (their titles stay). */
  function fitLegend(map) {
    var legend = map.getContainer().querySelector('.rm-legend');
    if (!legend) return;
    var body = legend.querySelector('.rm-panel-body');
    if (phone()) { body.style.maxHeight = ''; return; }
    var box = map.getContainer().getBoundingClientRect();
    var below = map.getContainer().querySelector('.leaflet-bottom.leaflet-right').getBoundingClientRect();
    var top = body.getBoundingClientRect().top;
    var room = Math.max(80, Math.min(below.top, box.bottom) - top - 10);
    body.style.maxHeight = room + 'px';
    var sections = legend.querySelectorAll('.rm-legend-section');
    for (var i = 0; i < sections.length; i++) if (!sections[i].rmFolded) sections[i].open = true;
    /* the first section (the traced rivers) stays open */
    for (var k = sections.length - 1; k >= 1 && body.scrollHeight > body.clientHeight + 1; k--) {
      if (sections[k].style.display === 'none') continue;
      sections[k].open = false;
    }
  }

  /* Permanent labels (lake names) that overlap an earlier one are hidden until zoomed in. */
  function declutter(map) {
    var labels = map.getContainer().querySelectorAll('.rm-label'), kept = [], i;
    /* all shown, then every box read at once (hiding one moves none): one layout, not one each */
    for (i = 0; i < labels.length; i++) labels[i].style.visibility = '';
    var boxes = Array.prototype.map.call(labels, function (l) { return l.getBoundingClientRect(); });
    for (i = 0; i < labels.length; i++) {
      var r = boxes[i], clash = false;
      for (var k = 0; k < kept.length && !clash; k++) {
        var q = kept[k];
        clash = r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top;
      }
      if (clash) labels[i].style.visibility = 'hidden';
      else kept.push(r);
    }
  }

  /* Legend sections carry data-layer = the layer control name; hide those of hidden layers. */
  function legendFollowsLayers(map) {
    var toggle = function (name, on) {
      var items = document.querySelectorAll('.rm-legend [data-layer]');
      for (var i = 0; i < items.length; i++) {
        if (items[i].getAttribute('data-layer') === name) items[i].style.display = on ? '' : 'none';
      }
    };
    map.eachLayer(function () {});
    map.on('overlayadd', function (e) { toggle(e.name, true); });
    map.on('overlayremove', function (e) { toggle(e.name, false); });
    /* layers that start switched off (river pages: the basins) */
    var boxes = document.querySelectorAll('.leaflet-control-layers-overlays label');
    for (var i = 0; i < boxes.length; i++) {
      var input = boxes[i].querySelector('input');
      if (input && !input.checked) toggle(boxes[i].textContent.trim(), false);
    }
  }
})();
