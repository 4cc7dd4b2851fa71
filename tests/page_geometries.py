"""A reading of the page's compact geometry text in Python, written from the format's
description in :mod:`maps.coords` (the page's own decoder is ``RM.decode`` in decode.js): the
tests compare what it gives with the GeoJSON the page would otherwise carry."""

from __future__ import annotations

import json
import re

from maps.coords import ALPHABET

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_NAMES = ["Point", "LineString", "LineString", "Polygon", "MultiPoint", "MultiLineString"]
_NAMES += ["MultiPolygon", "GeometryCollection"]


def _numbers(text: str):
    value, scale = 0, 1
    for letter in text:
        c = _VALUE[letter]
        value += (c & 31) * scale
        scale *= 32
        if not c & 32:
            yield value
            value, scale = 0, 1
    assert scale == 1, "a number is cut short"


def decode(packed: str) -> list[dict | None]:
    """The GeoJSON geometries of one compact text (``RM.decode([...])`` or its list)."""
    m = re.fullmatch(r"RM\.decode\((.*)\)", packed, re.S)
    decimals, count, *streams = json.loads(m.group(1) if m else packed)
    types, parts, rings, counts, coords = (_numbers(s) for s in streams)
    scale = 10**decimals
    at = [0, 0]

    def path() -> list:
        out = []
        for _ in range(next(counts)):
            for axis in (0, 1):
                u = next(coords)
                at[axis] += -(u + 1) // 2 if u % 2 else u // 2
            out.append([at[0] / scale, at[1] / scale])
        return out

    def point() -> list:
        p = path()
        return p[0] if p else []

    def polygon() -> list:
        return [path() for _ in range(next(rings))]

    def many(one) -> list:
        return [one() for _ in range(next(parts))]

    def geometry() -> dict | None:
        t = next(types)
        if t == 8:
            return None
        if t == 7:
            return {"type": _NAMES[t], "geometries": many(geometry)}
        read = [point, path, path, polygon, lambda: many(point), lambda: many(path)]
        read += [lambda: many(polygon)]
        return {"type": _NAMES[t], "coordinates": read[t]()}

    out = [geometry() for _ in range(count)]
    for rest in (types, parts, rings, counts, coords):
        assert next(rest, None) is None, "numbers left over"
    return out
