/* rivermap: the few helpers and controls the offline maps need. Leaflet 1.9 only, no CDN.
 * Every text that reaches the page was escaped in Python (Jinja autoescape) or is set with
 * textContent here; numbers are formatted here. */
(function () {
  'use strict';
  var RM = (window.RM = {});
  window.rmReady = false;

  /* ---------- layers ---------- */

  /* Popups keep clear of the title (top left) and the layer list (top right). */
  var POPUP = { maxWidth: 380, minWidth: 240, autoPanPaddingTopLeft: [60, 110], autoPanPaddingBottomRight: [40, 30] };

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
      var popup = props.popup ? templates[props.popup[i]] : null;
      if (popup) {
        layer.bindPopup(function () { return popup.innerHTML; }, POPUP);
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
   * (level 0 always shows). */
  var MIN_PX = 60;
  RM.arrows = function (points, opts) {
    var group = L.layerGroup();
    group.beforeAdd = function (map) { pane(map, opts.pane); };
    points.forEach(function (p) {
      var icon = rotated(p[2], 14, 'rm-arrow rm-l' + p[3]);
      group.addLayer(L.marker([p[0], p[1]], { icon: icon, interactive: false, keyboard: false, pane: opts.pane }));
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

  var ICON = {
    full: '<svg viewBox="0 0 16 16"><path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"/></svg>',
    ruler: '<svg viewBox="0 0 16 16"><path d="M1.5 11.5l10-10 3 3-10 10z M4.5 8.5l1.5 1.5 M6.5 6.5l2 2 M8.5 4.5l1.5 1.5"/></svg>',
    play: '<svg viewBox="0 0 16 16"><path d="M4 2.5v11l9-5.5z"/></svg>',
    pause: '<svg viewBox="0 0 16 16"><path d="M4 2.5h3v11H4zM9 2.5h3v11H9z"/></svg>',
  };

  /* A panel control holding HTML rendered (and escaped) in Python, kept in a <template>. */
  var Panel = L.Control.extend({
    options: { position: 'topright', className: '', template: '' },
    onAdd: function () {
      var div = quiet(el('div', 'rm-panel leaflet-bar ' + this.options.className));
      div.innerHTML = document.getElementById(this.options.template).innerHTML;
      return div;
    },
  });

  /* ---------- fullscreen ---------- */

  var Fullscreen = L.Control.extend({
    options: { position: 'topleft' },
    onAdd: function (map) {
      var bar = el('div', 'leaflet-bar');
      var box = map.getContainer();
      button(bar, 'Full screen', ICON.full, function () {
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
      this._btn = button(bar, 'Measure a distance (click points, double-click to end)', ICON.ruler, function () {
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
      this._out.textContent = 'click on the map';
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
      this._out.textContent = km.toFixed(km < 100 ? 1 : 0) + ' km';
    },
  });

  /* ---------- search by any river name (en/kk/ru/zh) ---------- */

  var Search = L.Control.extend({
    options: { position: 'topleft', entries: [], layers: {} },
    onAdd: function (map) {
      var self = this, box = quiet(el('form', 'rm-search leaflet-bar'));
      var list = el('datalist', '', box);
      list.id = 'rm-names-' + L.Util.stamp(this);
      var input = el('input', '', box);
      input.type = 'search';
      input.placeholder = 'Find: Ili, Іле, Или, 伊犁河 …';
      input.setAttribute('list', list.id);
      input.setAttribute('aria-label', 'Find a river or lake by name');
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
      return box;
    },
    find: function (map, text) {
      var q = String(text || '').trim().toLowerCase();
      if (!q) return null;
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
      if (!hit) return null;
      var group = this.options.layers[hit.layer];
      map.fitBounds(hit.bounds, { padding: [30, 30] });
      if (group) {
        if (!map.hasLayer(group)) map.addLayer(group);
        var targets = group.rmByKey[hit.key] || [];
        if (targets.length) targets[0].openPopup(hit.at ? L.latLng(hit.at) : undefined);
      }
      return hit;
    },
  });

  /* ---------- minimap: the whole region with the view's outline ---------- */

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
      mini.fitBounds(o.bounds);
      var rect = L.rectangle(o.bounds, { color: '#c0392b', weight: 1.5, fillOpacity: 0.08, interactive: false }).addTo(mini);
      var sync = function () { rect.setBounds(map.getBounds()); };
      map.on('moveend', sync);
      map.whenReady(sync);
      mini.on('click', function (e) { map.panTo(e.latlng); });
      return this;
    },
  });

  /* ---------- year of the basin water balance ---------- */

  var Year = L.Control.extend({
    options: { position: 'bottomleft', year: null },
    onAdd: function (map) {
      var y = this.options.year, self = this;
      var box = quiet(el('div', 'rm-year leaflet-bar'));
      var head = el('div', 'rm-year-head', box);
      el('strong', '', head, 'Basins: P − ET');
      this._label = el('span', 'rm-year-label', head);
      var row = el('div', 'rm-year-row', box);
      this._play = button(row, 'Play the years', ICON.play, function () { self.toggle(); });
      var range = (this._range = el('input', '', row));
      range.type = 'range';
      range.min = y.years[0];
      range.max = y.years[y.years.length - 1];
      range.step = 1;
      range.setAttribute('aria-label', 'Year');
      var mean = (this._mean = el('button', 'rm-year-mean', row, 'mean'));
      mean.type = 'button';
      mean.title = 'Mean of ' + y.years[0] + '–' + y.years[y.years.length - 1];
      L.DomEvent.on(range, 'input', function () { self.show(); self.set(Number(range.value)); });
      L.DomEvent.on(mean, 'click', function () { self.show(); self.set(null); });
      this._style = el('style', '', document.head);
      this._map = map;
      this.set(null);
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
      var text = k < 0 ? 'mean ' + y.years[0] + '–' + y.years[y.years.length - 1] : String(year);
      this._label.textContent = text;
      L.DomUtil[k < 0 ? 'addClass' : 'removeClass'](this._mean, 'rm-active');
      if (k >= 0) this._range.value = year;
      this._style.textContent = k < 0 ? '' : '.rm-yb-' + year + '{stroke:#000;stroke-width:1.4px;opacity:1}';
      var title = document.querySelectorAll('.rm-basin-period');
      for (var i = 0; i < title.length; i++) title[i].textContent = text;
    },
    show: function () {
      if (!this._map.hasLayer(this.options.layer)) this._map.addLayer(this.options.layer);
    },
    toggle: function () {
      var self = this, y = this.options.year;
      this.show();
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
  });

  /* ---------- everything on one map ---------- */

  RM.setup = function (map, layers, image, cfg) {
    new Panel({ position: 'topleft', className: 'rm-title', template: 'rm-panel-title' }).addTo(map);
    L.control.zoom({ position: 'topleft' }).addTo(map);
    new Fullscreen().addTo(map);
    new Measure().addTo(map);
    RM.search = new Search({ entries: cfg.search, layers: layers }).addTo(map);
    L.control.scale({ position: 'bottomleft', imperial: false, maxWidth: 160 }).addTo(map);
    if (cfg.profile) new Panel({ position: 'bottomleft', className: 'rm-profile', template: 'rm-panel-profile' }).addTo(map);
    if (cfg.year && layers.basins) RM.year = new Year({ year: cfg.year, layer: layers.basins }).addTo(map);
    new Minimap({ bounds: cfg.region, image: image, lines: cfg.minimap }).addTo(map);
    new Panel({ position: 'topright', className: 'rm-legend', template: 'rm-panel-legend' }).addTo(map);
    cfg.attribution.forEach(function (a) { map.attributionControl.addAttribution(a); });
    legendFollowsLayers(map);
    fitLegend(map);
    map.on('resize overlayadd overlayremove baselayerchange', function () { fitLegend(map); });
    map.on('zoomend overlayadd', function () { declutter(map); });
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

  /* The legend takes the height left between the layer list and the bottom-right corner. */
  function fitLegend(map) {
    var legend = map.getContainer().querySelector('.rm-legend');
    if (!legend) return;
    var box = map.getContainer().getBoundingClientRect();
    var below = map.getContainer().querySelector('.leaflet-bottom.leaflet-right').getBoundingClientRect();
    var room = below.top - legend.getBoundingClientRect().top - 12;
    legend.style.maxHeight = Math.max(80, Math.min(room, box.height)) + 'px';
  }

  /* Permanent labels (lake names) that overlap an earlier one are hidden until zoomed in. */
  function declutter(map) {
    var labels = map.getContainer().querySelectorAll('.rm-label'), kept = [];
    for (var i = 0; i < labels.length; i++) {
      labels[i].style.visibility = '';
      var r = labels[i].getBoundingClientRect(), clash = false;
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
    map.on('overlayadd', function (e) { toggle(e.name, true); });
    map.on('overlayremove', function (e) { toggle(e.name, false); });
  }
})();
