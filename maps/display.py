"""Geometries prepared for display: simplified with shared points kept, rounded, as GeoJSON text.

Everything here is in EPSG:4326 (lon/lat degrees). Tolerances are in degrees because they only
decide what the eye sees at the map's zoom levels (0.003° ≈ 250–330 m in this region, below one
screen pixel at zoom 8); no length or area is measured here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from geo.course import point_at
from maps import coords

#: display tolerances (degrees) and coordinate decimals per zoom detail
LINE_TOLERANCE_DEG = 0.003
NETWORK_TOLERANCE_DEG = 0.01
POLYGON_TOLERANCE_DEG = 0.01
LINE_DECIMALS = 4
POLYGON_DECIMALS = 3

_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


@dataclass(frozen=True)
class Detail:
    """How finely a page draws its geometries (degrees; decimals of lon/lat)."""

    line_tolerance: float = LINE_TOLERANCE_DEG
    network_tolerance: float = NETWORK_TOLERANCE_DEG
    polygon_tolerance: float = POLYGON_TOLERANCE_DEG
    line_decimals: int = LINE_DECIMALS
    polygon_decimals: int = POLYGON_DECIMALS


OVERVIEW = Detail()
RIVER = Detail(line_tolerance=0.0015, network_tolerance=0.004, polygon_tolerance=0.005)


def end_points(*geometry_arrays: np.ndarray) -> np.ndarray:
    """``(n, 2)`` lon/lat of the first and last vertex of every line part in the arrays."""
    parts = [shapely.get_parts(np.asarray(g)) for g in geometry_arrays]
    lines = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    lines = lines[shapely.get_type_id(lines) == 1]
    if len(lines) == 0:
        return np.empty((0, 2))
    first = shapely.get_coordinates(shapely.get_point(lines, 0))
    last = shapely.get_coordinates(shapely.get_point(lines, -1))
    return np.unique(np.vstack([first, last]), axis=0)


def simplify_lines(geoms: np.ndarray, tolerance: float, keep: np.ndarray) -> np.ndarray:
    """Douglas–Peucker simplify (multi)lines, never moving or dropping the ``keep`` points.

    Each line is cut at every interior vertex that equals a ``keep`` point (lon/lat, exact
    match: confluences and border cuts share exact coordinates in the network), the parts are
    simplified with ``preserve_topology`` (end points always stay), and joined again. So a
    tributary that ends on a river's vertex still meets it after simplification.
    """
    geoms = np.asarray(geoms)
    lines, line_of = shapely.get_parts(geoms, return_index=True)
    filled = ~shapely.is_empty(lines)
    lines, line_of = lines[filled], line_of[filled]
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    if len(coords) == 0:
        return geoms
    first = np.r_[True, idx[1:] != idx[:-1]]
    last = np.r_[idx[1:] != idx[:-1], True]
    keep_c = keep[:, 0] + 1j * keep[:, 1] if len(keep) else np.empty(0, complex)
    cut = np.isin(coords[:, 0] + 1j * coords[:, 1], keep_c) & ~first & ~last
    # a cut vertex ends one part and starts the next: write it twice
    rep = np.repeat(np.arange(len(coords)), 1 + cut)
    starts = first[rep] | np.r_[False, rep[1:] == rep[:-1]]
    part = np.cumsum(starts) - 1
    parts = shapely.linestrings(coords[rep], indices=part)
    part_line = idx[rep][starts]
    simple = shapely.simplify(parts, tolerance, preserve_topology=True)
    s_coords, s_part = shapely.get_coordinates(simple, return_index=True)
    part_first = np.r_[True, s_part[1:] != s_part[:-1]]
    later_part = np.r_[False, part_line[1:] == part_line[:-1]]
    keep_v = ~(part_first & later_part[s_part])
    out_lines = shapely.linestrings(s_coords[keep_v], indices=part_line[s_part[keep_v]])
    return _regroup(out_lines, line_of, len(geoms), geoms)


def _regroup(lines: np.ndarray, line_of: np.ndarray, n: int, original: np.ndarray) -> np.ndarray:
    """Put line parts back into their input geometries (LineString stays LineString)."""
    holder = np.unique(line_of)
    multi = shapely.multilinestrings(lines, indices=line_of)[holder]
    out = np.asarray(original).copy()
    single = shapely.get_type_id(original[holder]) == 1
    out[holder] = np.where(single, shapely.get_geometry(multi, 0), multi)
    return out


def simplify_polygons(geoms: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    """Simplify polygons; ``coverage=True`` keeps shared edges shared (basins tile the land)."""
    geoms = np.asarray(geoms)
    if coverage:
        out = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    else:
        out = shapely.simplify(geoms, tolerance, preserve_topology=True)
    return shapely.make_valid(out)


def clip_to(geoms: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Cut geometries at a lon/lat rectangle (west, south, east, north) for display."""
    return shapely.clip_by_rect(np.asarray(geoms), *box)


def round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Round every coordinate to ``decimals`` (4 ≈ 10 m, 3 ≈ 100 m); equal points stay equal."""
    return shapely.transform(np.asarray(geoms), lambda c: np.round(c, decimals))


def geojson_array(geoms: np.ndarray) -> str:
    """A JSON array of GeoJSON geometries (numbers and type names only: safe in a script)."""
    return "[" + ",".join(shapely.to_geojson(np.asarray(geoms)).tolist()) + "]"


def page_geometries(geoms: np.ndarray, decimals: int) -> str:
    """A script expression that gives the page the GeoJSON geometries of ``geoms`` with
    coordinates rounded to ``decimals``: their compact text (:func:`maps.coords.encode`, a
    quarter of the JSON's size) decoded by ``RM.decode``; the same numbers as
    ``geojson_array(round_coords(geoms, decimals))``."""
    return f"RM.decode({coords.encode(np.asarray(geoms), decimals)})"


def bearing_along(course, d_m: np.ndarray) -> np.ndarray:
    """Screen bearing (degrees clockwise from up) of a traced ``course`` at ``d_m`` metres from
    its source: from 500 m before to 500 m after each point (downstream)."""
    return screen_bearing(point_at(course, d_m - 500.0), point_at(course, d_m + 500.0))


def screen_bearing(lonlat_from: np.ndarray, lonlat_to: np.ndarray) -> np.ndarray:
    """Direction on a Web Mercator screen (degrees clockwise from up) between point pairs."""
    x0, y0 = _TO_MERCATOR.transform(lonlat_from[:, 0], lonlat_from[:, 1])
    x1, y1 = _TO_MERCATOR.transform(lonlat_to[:, 0], lonlat_to[:, 1])
    return np.degrees(np.arctan2(np.asarray(x1) - x0, np.asarray(y1) - y0)) % 360.0
