"""A river's course: the mainstem from its source down to a mouth point, as one measured line."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import substring

from geo.errors import NetworkError, ViaPointError
from geo.measure import cumulative_m
from geo.network import RiverNetwork, mainstem, trace_downstream
from geo.snap import snap_points


@dataclass
class Course:
    """One traced river course, source first.

    ``reaches``: reach positions in flow order; ``line``: the course in EPSG:4326 (lon/lat),
    source to mouth; ``vertex_m``: geodesic distance in metres from the source to each vertex
    of ``line``; ``reach_start_m``: distance from the source at which each reach begins;
    ``mouth_snap_m``: geodesic distance from the requested mouth point to the course's end.
    """

    reaches: np.ndarray
    line: shapely.LineString
    vertex_m: np.ndarray
    reach_start_m: np.ndarray
    mouth_snap_m: float

    @property
    def length_m(self) -> float:
        """Geodesic length of the course in metres (WGS 84)."""
        return float(self.vertex_m[-1])

    @property
    def source_lonlat(self) -> tuple[float, float]:
        x, y = self.line.coords[0]
        return float(x), float(y)

    @property
    def mouth_lonlat(self) -> tuple[float, float]:
        x, y = self.line.coords[-1]
        return float(x), float(y)


def trace_course(
    net: RiverNetwork,
    mouth: tuple[float, float],
    *,
    max_snap_m: float = 5_000.0,
    whole_reach_within_m: float = 1_000.0,
    via: tuple[float, float] | None = None,
    what: str = "mouth",
) -> Course:
    """Trace the mainstem upstream from a mouth point (lon, lat in degrees) to its source.

    The mouth snaps to the nearest reach within ``max_snap_m`` metres; that reach is cut at the
    snapped point unless the point lies within ``whole_reach_within_m`` of the reach's end.
    ``via`` (lon, lat) forces the branch: the course runs from the via point's reach down to
    the mouth, and above the via point follows the mainstem. Raises NetworkError when no reach
    is near enough or the via point does not drain to the mouth (ViaPointError when the via
    point lies on no reach).
    """
    among = None
    if via is not None:
        via_reach = _snap_one(net, via, max_snap_m, f"{what} (via point)", None, ViaPointError)
        among = trace_downstream(net, via_reach)
    last = _snap_one(net, mouth, max_snap_m, what, among)
    if via is not None:
        down = among[: int(np.flatnonzero(among == last)[0]) + 1]
        path = np.concatenate([mainstem(net, int(down[0]))[:-1], down])
    else:
        path = mainstem(net, last)
    snap = snap_points(net, [mouth[0]], [mouth[1]], max_distance_m=max_snap_m, among=[last])
    geoms = list(net.lines(path))
    if snap.reach_length_m[0] - snap.along_m[0] > whole_reach_within_m:
        geoms[-1] = _cut_at(geoms[-1], snap.along_m[0], net)
    coords, starts = _join(geoms)
    vertex_m = cumulative_m(coords)
    return Course(
        reaches=path,
        line=shapely.LineString(coords),
        vertex_m=vertex_m,
        reach_start_m=vertex_m[starts],
        mouth_snap_m=float(snap.distance_m[0]),
    )


def _snap_one(
    net: RiverNetwork,
    point: tuple[float, float],
    max_snap_m: float,
    what: str,
    among: np.ndarray | None,
    error: type[NetworkError] = NetworkError,
) -> int:
    snap = snap_points(net, [point[0]], [point[1]], max_distance_m=max_snap_m, among=among)
    if snap.reach[0] < 0:
        where = "" if among is None else " downstream of the via point"
        raise error(
            f"{what} at lon {point[0]:.4f}, lat {point[1]:.4f}: no river reach of "
            f"{net.source}{where} within {max_snap_m / 1000:g} km; move the point onto the river"
        )
    return int(snap.reach[0])


def _cut_at(line: shapely.LineString, along_m: float, net: RiverNetwork) -> shapely.LineString:
    crs = net.metric_crs
    proj = gpd.GeoSeries([line], crs=4326).to_crs(crs).values[0]
    part = substring(proj, 0.0, along_m)
    return gpd.GeoSeries([part], crs=crs).to_crs(4326).values[0]


def _join(geoms: list[shapely.LineString]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate reach vertices in order; returns coords and the vertex where each starts."""
    parts = [shapely.get_coordinates(g) for g in geoms]
    out = [parts[0]]
    starts = [0]
    count = len(parts[0])
    for p in parts[1:]:
        same = np.allclose(p[0], out[-1][-1], atol=1e-9, rtol=0)
        piece = p[1:] if same else p
        starts.append(count - 1 if same else count)
        out.append(piece)
        count += len(piece)
    coords = np.vstack(out)
    return coords, np.asarray(starts)


def point_at(course: Course, distance_m: np.ndarray) -> np.ndarray:
    """Lon/lat (degrees) of the points at geodesic distances (metres) from the source.

    Within a segment the position is interpolated linearly between its vertices in the
    fraction of the segment's geodesic length (segments are short: tens to hundreds of metres).
    """
    coords = shapely.get_coordinates(course.line)
    d = np.clip(np.atleast_1d(np.asarray(distance_m, dtype=float)), 0.0, course.length_m)
    seg = np.clip(np.searchsorted(course.vertex_m, d, side="right") - 1, 0, len(coords) - 2)
    span = course.vertex_m[seg + 1] - course.vertex_m[seg]
    t = np.divide(d - course.vertex_m[seg], span, out=np.zeros_like(d), where=span > 0)
    return coords[seg] + t[:, None] * (coords[seg + 1] - coords[seg])


def split_course(
    course: Course, cuts_m: np.ndarray
) -> list[tuple[float, float, shapely.LineString]]:
    """Cut the course at distances (metres from the source) into ``(start_m, end_m, line)``.

    Cuts outside the course or closer than a metre to another cut are ignored; the pieces
    cover the course exactly and keep every vertex.
    """
    coords = shapely.get_coordinates(course.line)
    total = course.length_m
    cuts = np.unique(np.clip(np.asarray(cuts_m, dtype=float), 0.0, total))
    cuts = cuts[(cuts > 1.0) & (cuts < total - 1.0)]
    if cuts.size:
        cuts = cuts[np.r_[True, np.diff(cuts) > 1.0]]
    pts = point_at(course, cuts)
    # merge vertices and cut points in distance order, then slice between cut positions
    dist = np.concatenate([course.vertex_m, cuts])
    xy = np.vstack([coords, pts])
    is_cut = np.r_[np.zeros(len(coords), bool), np.ones(cuts.size, bool)]
    order = np.lexsort((~is_cut, dist))
    dist, xy, is_cut = dist[order], xy[order], is_cut[order]
    bounds = np.r_[0, np.flatnonzero(is_cut), len(dist) - 1]
    pieces = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        line = shapely.LineString(xy[a : b + 1])
        pieces.append((float(dist[a]), float(dist[b]), line))
    return pieces


def lake_spans(
    course: Course, lakes: gpd.GeoDataFrame, key_column: str
) -> list[tuple[str, float, float]]:
    """Lakes (EPSG:4326 polygons) with a course vertex inside, as ``(key, km in, km out)``:
    km from the source of the first and the last course vertex inside the lake, in flow
    order. Lakes in the order of their spatial index hits."""
    coords = shapely.get_coordinates(course.line)
    hits = lakes.sindex.query(course.line, predicate="intersects")
    spans = []
    for i in hits:
        inside = np.flatnonzero(
            shapely.contains_xy(lakes.geometry.iloc[i], coords[:, 0], coords[:, 1])
        )
        if inside.size:
            km = course.vertex_m[inside[[0, -1]]] / 1000.0
            spans.append((str(lakes[key_column].iloc[i]), km[0], km[1]))
    return spans


def lakes_on_course(
    course: Course, lakes: gpd.GeoDataFrame, name_column: str
) -> list[tuple[str, float]]:
    """Lakes (EPSG:4326 polygons) the course runs through, as ``(name, km from source)``.

    The distance is that of the first course vertex inside the lake, in flow order.
    """
    found = [(name, km_in) for name, km_in, _ in lake_spans(course, lakes, name_column)]
    return sorted(found, key=lambda item: item[1])
