/* rivermap: the page's geometries from their compact text (maps/coords.py writes it): a list
 * [decimals, number of geometries, types, parts, rings, counts, coords], the last five strings
 * of unsigned integers, five bits a
 * letter (A-Z a-z 0-9 - _), low bits first, 32 added to every letter but a number's last.
 * Returns the GeoJSON geometries (lon/lat) that JSON would have carried: k / 10^decimals is
 * the double nearest to the decimal text. */
(function () {
  'use strict';
  var RM = window.RM;
  var LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var VALUE = {};
  for (var i = 0; i < LETTERS.length; i++) VALUE[LETTERS.charCodeAt(i)] = i;

  /* a reader of one string's numbers, one at a time (multiplications: past 32 bits too) */
  function reader(text) {
    var at = 0;
    return function () {
      var value = 0, scale = 1, c;
      do {
        c = VALUE[text.charCodeAt(at++)];
        value += (c & 31) * scale;
        scale *= 32;
      } while (c & 32);
      return value;
    };
  }

  var NAMES = ['Point', 'LineString', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString',
    'MultiPolygon', 'GeometryCollection'];

  RM.decode = function (packed) {
    var scale = Math.pow(10, packed[0]);
    var types = reader(packed[2]), parts = reader(packed[3]), rings = reader(packed[4]);
    var counts = reader(packed[5]), coord = reader(packed[6]);
    var x = 0, y = 0;
    function signed(u) { return u % 2 ? -(u + 1) / 2 : u / 2; }
    function path() {
      var n = counts(), out = new Array(n);
      for (var k = 0; k < n; k++) {
        x += signed(coord());
        y += signed(coord());
        out[k] = [x / scale, y / scale];
      }
      return out;
    }
    function point() { var p = path(); return p.length ? p[0] : []; }
    function polygon() {
      var r = rings(), out = new Array(r);
      for (var k = 0; k < r; k++) out[k] = path();
      return out;
    }
    function many(one) {
      var n = parts(), out = new Array(n);
      for (var k = 0; k < n; k++) out[k] = one();
      return out;
    }
    function geometry() {
      var t = types();
      if (t === 8) return null;
      var g = { type: NAMES[t] };
      if (t === 7) g.geometries = many(geometry);
      else g.coordinates = [point, path, path, polygon, function () { return many(point); },
        function () { return many(path); }, function () { return many(polygon); }][t]();
      return g;
    }
    /* a collection reads its members itself: count only the top-level geometries */
    var out = new Array(packed[1]);
    for (var k = 0; k < out.length; k++) out[k] = geometry();
    return out;
  };
})();
