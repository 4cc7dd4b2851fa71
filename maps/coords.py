"""Geometries for the page as compact text: integer coordinates, delta- and varint-encoded,
decoded by the page itself (``RM.decode`` in ``templates/decode.js``) into the same GeoJSON
geometries :func:`maps.display.geojson_array` would have written.

Coordinates are EPSG:4326 lon/lat that the page already rounds to ``decimals`` (4 ≈ 11 m,
3 ≈ 111 m; :mod:`maps.display`); each becomes the integer ``round(value × 10**decimals)``, so
nothing is lost that the rounding had not already dropped: ``k / 10**decimals`` in JavaScript is
the double nearest to the decimal text JSON would have carried, the same number. A coordinate
not yet rounded is quantised to that step (at most half a step off: 5.6 m at 4 decimals).

The text is a JSON list ``[decimals, number of geometries, types, parts, rings, counts,
coords]``, the last five strings, each a run of unsigned integers in a 64-letter alphabet (``A–Z a–z 0–9 - _``: nothing to escape in a
script or in HTML), five bits a letter, least significant first, the sixth bit set on every
letter but a number's last:

- ``types``: per geometry its shapely type id (0 point, 1 line, 2 ring, 3 polygon, 4–6 multi,
  7 collection, 8 none), depth first: a collection's members follow it;
- ``parts``: per multi geometry and collection, its number of parts (members);
- ``rings``: per polygon (also inside a multipolygon), its number of rings;
- ``counts``: per point, line and ring, its number of vertices;
- ``coords``: x and y of every vertex in that order, each the difference from the previous
  vertex's (the first from 0), zig-zag mapped to unsigned (0, -1, 1, -2 … → 0, 1, 2, 3 …).
"""

from __future__ import annotations

import json

import numpy as np
import shapely

#: the 64 letters of the encoding; a letter's index is its value
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_LETTERS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
#: shapely type ids: point, linestring, linearring, polygon, multi…, collection; 8 = None
POINT, LINE, RING, POLYGON, MULTIPOINT, MULTILINE, MULTIPOLYGON, COLLECTION, NONE = range(9)
#: the largest |coordinate| × 10**decimals the page's doubles carry exactly after summing deltas
MAX_INT = 2**52


def varints(values: np.ndarray) -> str:
    """Unsigned integers as letters of :data:`ALPHABET`, five bits each, low bits first; every
    letter but a number's last has the value 32 added."""
    v = np.asarray(values, dtype=np.uint64).ravel()
    if v.size == 0:
        return ""
    # letters per number: one, plus one for each further 5 bits it needs (64 bits: 13 letters)
    letters = 1 + sum(((v >> np.uint64(5 * j)) > 0).astype(np.int64) for j in range(1, 13))
    value_of = np.repeat(np.arange(v.size), letters)
    first = np.cumsum(letters) - letters
    k = np.arange(value_of.size) - first[value_of]
    chunk = (v[value_of] >> (5 * k).astype(np.uint64)) & np.uint64(31)
    more = k < letters[value_of] - 1
    return _LETTERS[chunk.astype(np.int64) + 32 * more].tobytes().decode("ascii")


def zigzag(values: np.ndarray) -> np.ndarray:
    """Signed integers to unsigned: 0, -1, 1, -2, 2 … → 0, 1, 2, 3, 4 …"""
    v = np.asarray(values, dtype=np.int64)
    return ((v << 1) ^ (v >> 63)).astype(np.uint64)


def _depth_first(geoms: np.ndarray) -> np.ndarray:
    """The geometries with every collection followed by its members (depth first)."""
    geoms = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(geoms)
    if not (kinds == COLLECTION).any():
        return geoms
    out: list = []
    for g, kind in zip(geoms, kinds, strict=True):  # only pages with a collection come here
        out.append(g)
        if kind == COLLECTION:
            out.extend(_depth_first(shapely.get_parts(g)))
    return np.array(out + [None], dtype=object)[:-1]


def encode(geoms: np.ndarray, decimals: int) -> str:
    """The page's text of ``geoms`` (EPSG:4326) with coordinates on a 10**-decimals degree grid
    (see the module docstring). Z values are dropped (the page draws lon/lat only)."""
    items = _depth_first(geoms)
    kinds = shapely.get_type_id(items)
    kinds = np.where(kinds < 0, NONE, kinds)
    grouped = kinds >= MULTIPOINT
    parts_per = shapely.get_num_geometries(items[grouped & (kinds != NONE)])
    # every part of the non-collection geometries, in order (a simple geometry is its own part)
    own = (kinds != COLLECTION) & (kinds != NONE)
    parts, part_of = shapely.get_parts(np.where(own, items, None), return_index=True)
    kind = shapely.get_type_id(parts)
    # GeoJSON leaves empty points out of a multipoint
    hollow = shapely.is_empty(parts) & (kinds[part_of] == MULTIPOINT)
    if hollow.any():
        parts, kind = parts[~hollow], kind[~hollow]
        lost = np.bincount(part_of[hollow], minlength=len(items))
        parts_per = parts_per - lost[grouped & (kinds != NONE)]
    # GeoJSON writes an empty polygon with one empty ring: such a polygon is its own path
    polygon = (kind == POLYGON) & ~shapely.is_empty(parts)
    rings, ring_of = shapely.get_rings(parts[polygon], return_index=True)
    rings_per = np.ones(int((kind == POLYGON).sum()), dtype=np.int64)
    rings_per[polygon[kind == POLYGON]] = np.bincount(ring_of, minlength=int(polygon.sum()))
    # the paths (points, lines, rings) in the order the decoder meets them: part by part, a
    # polygon's rings in place of it (exterior first; a stable sort keeps their order)
    index = np.arange(len(parts))
    paths = np.concatenate([parts[~polygon], rings])
    order = np.argsort(np.concatenate([index[~polygon], index[polygon][ring_of]]), kind="stable")
    coords, path_of = shapely.get_coordinates(paths[order], return_index=True)
    counts = np.bincount(path_of, minlength=len(paths))
    return _text(decimals, len(geoms), [kinds, parts_per, rings_per, counts], coords)


def _text(decimals: int, count: int, streams: list[np.ndarray], coords: np.ndarray) -> str:
    scale = 10.0**decimals
    q = np.rint(np.asarray(coords, dtype=np.float64).reshape(-1, 2) * scale)
    if q.size and np.abs(q).max() >= MAX_INT:
        raise ValueError(f"coordinates of up to {np.abs(coords).max()}° at {decimals} decimals")
    delta = np.diff(q.astype(np.int64), axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()
    return json.dumps([decimals, count, *(varints(s) for s in streams), varints(zigzag(delta))])
