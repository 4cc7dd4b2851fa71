"""Geodesic lengths (WGS 84 ellipsoid, pyproj.Geod) and equal-area areas, vectorised.

Inputs are lon/lat in degrees (EPSG:4326); lengths come out in metres, areas in km².
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

from geo.crs import equal_area_crs

GEOD = Geod(ellps="WGS84")


def segment_lengths_m(coords: np.ndarray) -> np.ndarray:
    """Geodesic length in metres of each segment of a vertex array ``(n, 2)`` of lon/lat."""
    if len(coords) < 2:
        return np.zeros(0)
    _, _, dist = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return np.asarray(dist, dtype=float)


def cumulative_m(coords: np.ndarray) -> np.ndarray:
    """Geodesic distance in metres from the first vertex to each vertex of ``(n, 2)`` lon/lat."""
    return np.concatenate([[0.0], np.cumsum(segment_lengths_m(coords))])


def line_lengths_m(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Geodesic length in metres of every (multi)line in an array of lon/lat geometries.

    All vertices go through one ``Geod.inv`` call; segments between parts of a multi-line are
    not counted.
    """
    geoms = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    if len(coords) < 2:
        return np.zeros(len(geoms))
    _, _, dist = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    same = idx[:-1] == idx[1:]
    per_part = np.bincount(idx[:-1][same], weights=np.asarray(dist)[same], minlength=len(parts))
    return np.bincount(part_of, weights=per_part, minlength=len(geoms))


def areas_km2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area in km² of each polygon of a lon/lat GeoDataFrame, in an Albers equal-area CRS."""
    crs = equal_area_crs(gdf.to_crs(4326).total_bounds)
    return gdf.to_crs(crs).area.to_numpy() / 1e6
