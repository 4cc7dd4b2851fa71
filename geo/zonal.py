"""Zonal elevation statistics: mean, min, max and area by elevation band, per zone and part.

Zones (basins) and parts (countries) are polygons in EPSG:4326; they are rasterised on each
raster's own grid (a cell belongs to the polygon holding its centre), chunk by chunk, so memory
stays bounded whatever the raster's size. Cell areas are true areas: in a geographic CRS the
area of each row's cells on the WGS 84 ellipsoid; in a projected CRS the grid's nominal cell
area divided by the projection's areal scale at each cell centre (pyproj factors). Areas are
in km², elevations in metres.

With an :class:`~geo.raster.ElevationSource` of several rasters, a cell of a coarser raster
counts only where no finer raster has data at its centre, so each place is counted once, at
the finest resolution available (to within a coarse cell along a finer raster's edge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from pyproj import Proj, Transformer
from rasterio.crs import CRS

from geo.errors import FieldError, RasterError
from geo.raster import (
    WGS84,
    ElevationSource,
    RasterInfo,
    bounded_cache,
    chunks,
    open_raster,
    read_chunk,
    sample_points,
    window_for,
    window_transform,
    xy_of,
)
from geo.terrain import A_M, E2

#: default inner edges of the elevation bands (m): <500, 500–1000, …, ≥4000
DEFAULT_BANDS_M = (500, 1000, 1500, 2000, 3000, 4000)
#: ``country`` value of the rows for a whole zone
ALL = "all"
#: ``country`` value of a zone's cells outside every part polygon
OTHER = "other"


def band_columns(bands_m: Sequence[float]) -> list[str]:
    """Column names of the band areas: ``km2_below_500``, ``km2_500_1000``, …, ``km2_4000_up``."""
    e = [f"{v:g}" for v in bands_m]
    return [
        f"km2_below_{e[0]}",
        *(f"km2_{a}_{b}" for a, b in zip(e[:-1], e[1:], strict=True)),
        f"km2_{e[-1]}_up",
    ]


def _q(lat_deg: np.ndarray) -> np.ndarray:
    """Authalic function q(φ) of WGS 84: area from the equator to φ is a²·Δλ·q(φ)/2."""
    s = np.sin(np.radians(lat_deg))
    e = np.sqrt(E2)
    return (1 - E2) * (s / (1 - E2 * s * s) - np.log((1 - e * s) / (1 + e * s)) / (2 * e))


def row_cell_areas_km2(transform: Affine, rows: int, row_off: int = 0) -> np.ndarray:
    """Area (km², WGS 84 ellipsoid) of one cell of each row of a geographic (lon/lat) grid."""
    r = np.arange(row_off, row_off + rows + 1)
    edges = transform.f + transform.e * r
    dlon = np.radians(abs(transform.a))
    q = _q(edges)
    return np.abs(np.diff(q)) * dlon * A_M**2 / 2 / 1e6


def cell_areas_km2(transform: Affine, crs: CRS, shape: tuple[int, int]) -> np.ndarray:
    """True area (km²) of each cell of a grid chunk (``transform`` is the chunk's own).

    Returns ``(rows, 1)`` for a geographic CRS (areas vary by row only) and ``(rows, cols)``
    for a projected one (nominal area / areal scale of the projection at the cell centre).
    """
    rows, cols = shape
    if crs.is_geographic:
        return row_cell_areas_km2(transform, rows)[:, None]
    unit = crs.linear_units_factor[1] if crs.linear_units else 1.0
    nominal = abs(transform.a * transform.e) * unit**2 / 1e6
    c, r = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
    x, y = xy_of(transform, c, r)
    lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
    scale = Proj(crs).get_factors(lon, lat).areal_scale
    return nominal / np.asarray(scale)


@dataclass
class _Sums:
    """Running sums per label (zone × part) over every chunk of every raster."""

    area: np.ndarray
    nodata: np.ndarray
    sum_z: np.ndarray
    low: np.ndarray
    high: np.ndarray
    bands: np.ndarray
    used: np.ndarray  # (rasters, labels) bool

    @classmethod
    def empty(cls, labels: int, bands: int, rasters: int) -> _Sums:
        return cls(
            np.zeros(labels),
            np.zeros(labels),
            np.zeros(labels),
            np.full(labels, np.inf),
            np.full(labels, -np.inf),
            np.zeros((labels, bands)),
            np.zeros((rasters, labels), dtype=bool),
        )

    def add(self, lab: np.ndarray, z: np.ndarray, area: np.ndarray, edges: np.ndarray, k: int):
        n, nb = self.area.size, self.bands.shape[1]
        ok = ~np.isnan(z)
        self.nodata += np.bincount(lab[~ok], weights=area[~ok], minlength=n)
        lab, z, area = lab[ok], z[ok], area[ok]
        self.area += np.bincount(lab, weights=area, minlength=n)
        self.sum_z += np.bincount(lab, weights=area * z, minlength=n)
        np.minimum.at(self.low, lab, z)
        np.maximum.at(self.high, lab, z)
        band = np.digitize(z, edges)
        self.bands += np.bincount(lab * nb + band, weights=area, minlength=n * nb).reshape(n, nb)
        self.used[k] |= np.bincount(lab, minlength=n) > 0


def zonal_elevation(
    source: ElevationSource,
    zones: gpd.GeoDataFrame,
    id_column: str,
    *,
    parts: gpd.GeoDataFrame | None = None,
    part_column: str = "ADM0_A3",
    bands_m: Sequence[float] = DEFAULT_BANDS_M,
    max_cells: int | None = None,
) -> pd.DataFrame:
    """Elevation statistics per zone (``country`` = ``"all"``) and per zone ∩ part.

    Columns: ``id_column``, ``country``, ``area_km2`` (cells with data), ``nodata_km2``,
    ``mean_m`` (area-weighted), ``min_m``, ``max_m``, one ``km2_…`` column per elevation band
    (:func:`band_columns`; they add up to ``area_km2``) and ``dem`` (the rasters that gave
    values, finest first, joined by ``+``). Without data a zone's mean/min/max are NaN.
    """
    edges = _check_inputs(zones, id_column, parts, part_column, bands_m)
    zones = zones.to_crs(WGS84).reset_index(drop=True)
    parts = (
        parts.to_crs(WGS84).reset_index(drop=True)
        if parts is not None
        else gpd.GeoDataFrame(geometry=[], crs=WGS84)
    )
    bounds = tuple(float(v) for v in zones.total_bounds)
    n_parts = len(parts) + 1  # label 0: outside every part
    sums = _Sums.empty(len(zones) * n_parts + n_parts, len(edges) + 1, len(source.rasters))
    covered = False
    for k, info in enumerate(source.rasters):
        try:
            window = window_for(info, bounds)
        except RasterError:
            continue
        covered = True
        _raster_sums(source, k, info, window, zones, parts, edges, sums, max_cells)
    if not covered:
        source.check_covers(bounds, what=f"the zones ({id_column})")
    return _table(sums, zones, parts, id_column, part_column, edges, source.labels)


def _check_inputs(
    zones: gpd.GeoDataFrame,
    id_column: str,
    parts: gpd.GeoDataFrame | None,
    part_column: str,
    bands_m: Sequence[float],
) -> np.ndarray:
    if id_column not in zones.columns:
        raise FieldError(
            f"zones: no column {id_column!r}; columns are {', '.join(map(str, zones.columns))}"
        )
    if parts is not None and part_column not in parts.columns:
        raise FieldError(
            f"parts: no column {part_column!r}; columns are {', '.join(map(str, parts.columns))}"
        )
    if zones.empty:
        raise FieldError("zones: no polygons; accepted: at least one zone")
    edges = np.asarray(bands_m, dtype=float)
    if edges.size == 0 or np.any(np.diff(edges) <= 0) or np.isnan(edges).any():
        raise RasterError(
            f"elevation bands {list(bands_m)!r} m; accepted: one or more increasing numbers"
        )
    return edges


def _raster_sums(
    source: ElevationSource,
    k: int,
    info: RasterInfo,
    window: rasterio.windows.Window,
    zones: gpd.GeoDataFrame,
    parts: gpd.GeoDataFrame,
    edges: np.ndarray,
    sums: _Sums,
    max_cells: int | None,
) -> None:
    zone_geoms = zones.to_crs(info.crs).geometry.values
    part_geoms = parts.to_crs(info.crs).geometry.values
    n_parts = len(parts) + 1
    finer = source.rasters[:k]
    cut = chunks(window, info.block_shape, **({"max_cells": max_cells} if max_cells else {}))
    with bounded_cache(), open_raster(info.path, info.band) as src:
        for win in cut:
            transform = window_transform(win, info.transform)
            shape = (int(win.height), int(win.width))
            zone = _labels(zone_geoms, shape, transform)
            inside = zone > 0
            if not inside.any():
                continue
            part = _labels(part_geoms, shape, transform)
            if finer:
                inside &= ~_has_finer(finer, info, transform, inside)
            z = read_chunk(src, info, win)
            area = np.broadcast_to(cell_areas_km2(transform, info.crs, shape), shape)
            lab = zone[inside] * n_parts + part[inside]
            sums.add(lab, z[inside].astype(np.float64), area[inside], edges, k)


def _labels(geoms: np.ndarray, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    """Label image: 1 + index of the polygon holding each cell centre, 0 outside all.

    Polygons are first clipped to the chunk (a cell's width around it), so that GDAL only
    burns the vertices that matter.
    """
    rows, cols = shape
    x, y = xy_of(transform, np.array([-1.0, cols + 1.0]), np.array([-1.0, rows + 1.0]))
    clipped = shapely.clip_by_rect(geoms, x.min(), y.min(), x.max(), y.max())
    keep = np.flatnonzero(~shapely.is_empty(clipped))
    if keep.size == 0:
        return np.zeros(shape, dtype=np.int32)
    return rasterio.features.rasterize(
        zip(clipped[keep], keep + 1, strict=True),
        out_shape=shape,
        transform=transform,
        fill=0,
        dtype="int32",
    )


def _has_finer(
    finer: Sequence[RasterInfo], info: RasterInfo, transform: Affine, inside: np.ndarray
) -> np.ndarray:
    """Cells (of ``inside``) whose centre has data in one of the finer rasters."""
    out = np.zeros(inside.shape, dtype=bool)
    r, c = np.nonzero(inside)
    x, y = xy_of(transform, c + 0.5, r + 0.5)
    lon, lat = (
        (x, y)
        if info.crs == WGS84
        else Transformer.from_crs(info.crs, WGS84, always_xy=True).transform(x, y)
    )
    lon, lat = np.asarray(lon), np.asarray(lat)
    for f in finer:
        w, s, e, n = f.bounds_lonlat()
        near = np.flatnonzero((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))
        if near.size:
            got = sample_points(f, lon[near], lat[near], method="nearest")
            out[r[near[~np.isnan(got)]], c[near[~np.isnan(got)]]] = True
    return out


def _table(
    sums: _Sums,
    zones: gpd.GeoDataFrame,
    parts: gpd.GeoDataFrame,
    id_column: str,
    part_column: str,
    edges: np.ndarray,
    labels: Sequence[str],
) -> pd.DataFrame:
    n_parts = len(parts) + 1
    n_zones = len(zones)
    shape = (n_zones + 1, n_parts)
    area = sums.area.reshape(shape)[1:]
    nodata = sums.nodata.reshape(shape)[1:]
    sum_z = sums.sum_z.reshape(shape)[1:]
    low = sums.low.reshape(shape)[1:]
    high = sums.high.reshape(shape)[1:]
    bands = sums.bands.reshape(*shape, -1)[1:]
    used = sums.used.reshape(len(labels), *shape)[:, 1:]
    named = parts[part_column].astype(str) if len(parts) else []
    part_names = np.array([OTHER, *named], dtype=object)
    ids = zones[id_column].to_numpy()
    # whole zones first, then each part with cells, in part order
    zi, pi = np.nonzero((area + nodata) > 0)
    last = np.lexsort((np.where(pi == 0, n_parts, pi), zi))  # "other" after the named parts
    zi, pi = zi[last], pi[last]
    blocks = [
        _rows(
            ids,
            np.full(n_zones, ALL, dtype=object),
            area.sum(1),
            nodata.sum(1),
            sum_z.sum(1),
            low.min(1),
            high.max(1),
            bands.sum(1),
            used.any(2),
            labels,
            band_columns(edges),
        ),
        _rows(
            ids[zi],
            part_names[pi],
            area[zi, pi],
            nodata[zi, pi],
            sum_z[zi, pi],
            low[zi, pi],
            high[zi, pi],
            bands[zi, pi],
            used[:, zi, pi],
            labels,
            band_columns(edges),
        ),
    ]
    table = pd.concat(blocks, ignore_index=True).rename(columns={"zone": id_column})
    order = np.lexsort((table["country"] != ALL, pd.factorize(table[id_column])[0]))
    return table.iloc[order].reset_index(drop=True)


def _rows(ids, country, area, nodata, sum_z, low, high, bands, used, labels, band_cols):
    """One table row per entry of the arrays (a zone or a zone's part)."""
    has = area > 0
    mean = np.divide(sum_z, area, out=np.full(area.shape, np.nan), where=has)
    names = np.array(labels, dtype=object)
    dem = ["+".join(names[used[:, i]]) for i in range(area.size)]
    frame = pd.DataFrame(
        {
            "zone": ids,
            "country": country,
            "area_km2": area,
            "nodata_km2": nodata,
            "mean_m": mean,
            "min_m": np.where(has, low, np.nan),
            "max_m": np.where(has, high, np.nan),
        }
    )
    band_frame = pd.DataFrame(bands, columns=band_cols)
    return pd.concat([frame, band_frame, pd.Series(dem, name="dem")], axis=1)
