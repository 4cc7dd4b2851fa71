"""Snapping points (mouths, gauges) to the nearest reach within a tolerance in metres."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import NetworkError
from geo.measure import GEOD
from geo.network import RiverNetwork


@dataclass
class Snapped:
    """Result of snapping points to reaches (one entry per input point).

    ``reach``: position of the nearest reach (``-1`` where none is within the tolerance);
    ``along_m``: distance from the reach's first vertex to the snapped point, metres, measured
    in the search projection; ``reach_length_m``: that reach's length in the same projection;
    ``distance_m``: geodesic distance (WGS 84) from the point to the snapped point, metres;
    ``lon``/``lat``: the snapped point, degrees.
    """

    reach: np.ndarray
    along_m: np.ndarray
    reach_length_m: np.ndarray
    distance_m: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def snap_points(
    net: RiverNetwork,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    max_distance_m: float,
    among: np.ndarray | None = None,
) -> Snapped:
    """Snap lon/lat points (degrees, EPSG:4326) to the nearest reach within ``max_distance_m``.

    The search runs in an azimuthal equidistant projection centred on the network (see
    :attr:`RiverNetwork.metric_crs`); the reported distance is geodesic. Only the reaches near
    the points (:meth:`RiverNetwork.near`, a bounding-box read where the lines stay in their
    file) are read and projected. Where two reaches are equally near (a point on a confluence),
    the reach that ends at the point and carries the mainstem (largest
    :attr:`RiverNetwork.mainstem_key`) wins. ``among`` limits the search to those reach
    positions.
    """
    if not net.has_geometry:
        raise NetworkError(f"{net.source}: has no geometry to snap points to")
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    crs = net.metric_crs
    candidates, lines = net.near(lon, lat, max_distance_m)
    if among is not None:
        inside = np.isin(candidates, np.asarray(among, dtype=np.int64))
        candidates, lines = candidates[inside], lines[inside]
    reaches = gpd.GeoSeries(lines, crs=4326).to_crs(crs)
    pts = gpd.GeoSeries(shapely.points(lon, lat), crs=4326).to_crs(crs)
    n = lon.size
    pairs = reaches.sindex.query(pts.values, predicate="dwithin", distance=max_distance_m)
    dist = shapely.distance(pts.values[pairs[0]], reaches.values[pairs[1]])
    reach = np.full(n, -1, dtype=np.int64)
    if pairs.shape[1]:
        # prefer, among ties, the reach whose end is nearest the point, then the mainstem
        cand_pt, cand_reach = pairs
        geoms = reaches.values[cand_reach]
        to_end = shapely.distance(shapely.get_point(geoms, -1), pts.values[cand_pt])
        key = net.mainstem_key[candidates[cand_reach]]
        # distances within a metre of the nearest count as ties (register points are rounded)
        far = dist > _per_point_min(dist, cand_pt, n) + 1.0
        far_end = to_end > _per_point_min(np.where(far, np.inf, to_end), cand_pt, n) + 1.0
        order = np.lexsort((-key, far_end, far, cand_pt))
        cand_pt, cand_reach = cand_pt[order], cand_reach[order]
        first = np.r_[True, cand_pt[1:] != cand_pt[:-1]]
        reach[cand_pt[first]] = cand_reach[first]
    ok = reach >= 0
    along = np.full(n, np.nan)
    rlen = np.full(n, np.nan)
    slon, slat, gdist = (np.full(n, np.nan) for _ in range(3))
    if ok.any():
        lines = reaches.values[reach[ok]]
        reach[ok] = candidates[reach[ok]]
        along[ok] = shapely.line_locate_point(lines, pts.values[ok])
        rlen[ok] = shapely.length(lines)
        snapped = gpd.GeoSeries(shapely.line_interpolate_point(lines, along[ok]), crs=crs)
        xy = shapely.get_coordinates(snapped.to_crs(4326))
        slon[ok], slat[ok] = xy[:, 0], xy[:, 1]
        _, _, d = GEOD.inv(lon[ok], lat[ok], slon[ok], slat[ok])
        gdist[ok] = d
    return Snapped(reach, along, rlen, gdist, slon, slat)


def _per_point_min(values: np.ndarray, point: np.ndarray, n: int) -> np.ndarray:
    """For each candidate, the smallest value among the candidates of the same point."""
    best = np.full(n, np.inf)
    np.minimum.at(best, point, values)
    return best[point]
