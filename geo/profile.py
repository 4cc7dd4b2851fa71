"""Longitudinal profile of a traced river: elevation every few kilometres from the source.

Distances are geodesic on WGS 84 (from :class:`geo.course.Course`), positions lon/lat degrees
(EPSG:4326), elevations in metres as the elevation source gives them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.course import Course, point_at
from geo.errors import RasterError
from geo.raster import ElevationSource

PROFILE_COLUMNS = ["km_from_source", "lon", "lat", "elevation_m", "country", "dem"]


def profile_distances_m(length_m: float, spacing_km: float) -> np.ndarray:
    """Distances in metres from 0 every ``spacing_km`` km, plus the end of the course."""
    if not spacing_km > 0:
        raise RasterError(f"profile spacing {spacing_km!r} km; accepted: a number > 0")
    step = spacing_km * 1000.0
    d = np.arange(0.0, length_m, step)
    if d.size == 0 or length_m - d[-1] > 1e-6:
        d = np.append(d, length_m)
    return d


def country_at_km(
    km: np.ndarray,
    crossing_km: np.ndarray,
    from_country: np.ndarray,
    to_country: np.ndarray,
    fallback: str,
) -> np.ndarray:
    """Country at each distance (km from the source), given crossings sorted by distance.

    Before the first crossing: its ``from_country``; after crossing k: its ``to_country``;
    without crossings: ``fallback``. A point exactly at a crossing belongs to the country
    entered there.
    """
    km = np.asarray(km, dtype=float)
    if len(crossing_km) == 0:
        return np.full(km.shape, fallback, dtype=object)
    order = np.argsort(crossing_km, kind="stable")
    ck = np.asarray(crossing_km, dtype=float)[order]
    before = np.asarray(from_country, dtype=object)[order][0]
    after = np.asarray(to_country, dtype=object)[order]
    k = np.searchsorted(ck, km, side="right")
    return np.where(k == 0, before, after[np.maximum(k - 1, 0)])


def river_profile(
    course: Course,
    source: ElevationSource,
    *,
    spacing_km: float = 2.0,
    crossings: pd.DataFrame | None = None,
    fallback_country: str = "",
    method: str = "bilinear",
) -> pd.DataFrame:
    """Elevation along a course every ``spacing_km`` (geodesic) from the source to the mouth.

    ``crossings`` has ``km_from_source``, ``from_country``, ``to_country`` (the Atlas'
    crossings layer for this river); the ``country`` column follows them. Columns:
    :data:`PROFILE_COLUMNS`; ``dem`` names the raster that gave each value (empty, and
    ``elevation_m`` NaN, where no raster has data).
    """
    d = profile_distances_m(course.length_m, spacing_km)
    xy = point_at(course, d)
    elevation, which = source.sample(xy[:, 0], xy[:, 1], method=method)
    km = d / 1000.0
    c = crossings if crossings is not None else pd.DataFrame()
    country = (
        country_at_km(
            km,
            c["km_from_source"].to_numpy(),
            c["from_country"].to_numpy(),
            c["to_country"].to_numpy(),
            fallback_country,
        )
        if len(c)
        else np.full(km.shape, fallback_country, dtype=object)
    )
    return pd.DataFrame(
        {
            "km_from_source": km,
            "lon": xy[:, 0],
            "lat": xy[:, 1],
            "elevation_m": elevation,
            "country": country.astype(str),
            "dem": source.label_of(which).astype(str),
        }
    )
