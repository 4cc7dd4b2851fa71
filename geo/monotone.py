"""A river's elevation profile made hydrologically consistent: never rising downstream.

A DEM sampled along a river climbs where a reservoir's surface, a dam, a bridge or a coarse
cell lies on the course, and dips where a cell falls in a gorge or a lake's bathymetry.
Water cannot flow uphill, so the profile a reader compares with others is the closest
non-increasing one: the least-squares isotonic regression of the raw elevations (the pool
adjacent violators algorithm, ``scipy.optimize.isotonic_regression``), each sample weighted by
the length of river it stands for. Elevations are metres as the DEM gives them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import isotonic_regression


def never_rising(km: np.ndarray, elevation_m: np.ndarray) -> np.ndarray:
    """The least-squares non-increasing fit of ``elevation_m`` (m) along ``km`` (km from the
    source, ascending). Missing elevations stay NaN and are left out of the fit."""
    km = np.asarray(km, dtype=float)
    z = np.asarray(elevation_m, dtype=float)
    out = np.full(z.shape, np.nan)
    ok = np.isfinite(z) & np.isfinite(km)
    if ok.sum() == 0:
        return out
    k = km[ok]
    # each sample stands for half the distance to each neighbour (at least a metre)
    edges = np.r_[k[0], (k[1:] + k[:-1]) / 2.0, k[-1]]
    weights = np.maximum(np.diff(edges), 1e-3)
    out[ok] = isotonic_regression(z[ok], weights=weights, increasing=False).x
    return out
