"""Terrain from elevation rasters: cell sizes in metres, hillshade, mosaics, COG export.

Nothing here assumes degrees are metres: in a geographic CRS each row's cell width and height
come from the WGS 84 ellipsoid's radii of curvature at the row's latitude; in a projected CRS
from the CRS's linear unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import rasterio
import rasterio.errors
import rasterio.shutil
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject
from rasterio.windows import Window

from geo.atomic import atomic_path, reason, scratch_folder
from geo.errors import OutputError, RasterError
from geo.raster import (
    WGS84,
    Bounds,
    ElevationSource,
    RasterInfo,
    bounded_cache,
    chunks,
    open_raster,
    window_for,
    window_transform,
)

COG = "the Cloud-Optimised GeoTIFF"
#: WGS 84 ellipsoid
A_M = 6_378_137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


def ellipsoid_radii_m(lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meridional (M) and prime-vertical (N) radii of curvature (m) of WGS 84 at latitudes."""
    s2 = np.sin(np.radians(lat_deg)) ** 2
    w = np.sqrt(1 - E2 * s2)
    return A_M * (1 - E2) / w**3, A_M / w


def cell_sizes_m(
    transform: Affine, crs: CRS, rows: int, row_off: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cell width (east-west) and height (north-south) in metres for each of ``rows`` rows.

    Geographic CRS: width = Δλ·N·cos φ, height = Δφ·M at the row's centre latitude (WGS 84).
    Projected CRS: the grid spacing times the CRS's linear unit (metres per unit).
    """
    r = np.arange(row_off, row_off + rows) + 0.5
    if crs.is_geographic:
        lat = transform.f + transform.e * r
        m, n = ellipsoid_radii_m(lat)
        dx = np.radians(abs(transform.a)) * n * np.cos(np.radians(lat))
        dy = np.radians(abs(transform.e)) * m
        return dx, dy
    unit = crs.linear_units_factor[1] if crs.linear_units else 1.0
    return np.full(rows, abs(transform.a) * unit), np.full(rows, abs(transform.e) * unit)


def hillshade(
    dem: np.ndarray,
    transform: Affine,
    crs: CRS,
    *,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> np.ndarray:
    """Hillshade (uint8, 0 dark … 255 lit) of a north-up DEM array in metres.

    ``azimuth`` is the light's direction in degrees clockwise from north, ``altitude`` its
    height above the horizon in degrees; ``z_factor`` exaggerates relief. Slopes use Horn's
    3×3 weights with cell sizes in metres per row (:func:`cell_sizes_m`). Cells whose
    neighbourhood holds no data come out 0.
    """
    if dem.ndim != 2:
        raise RasterError(f"hillshade: array of shape {dem.shape}; expected (rows, cols)")
    if not (0 <= altitude <= 90):
        raise RasterError(f"hillshade: altitude {altitude}; accepted: 0..90 degrees")
    z = np.pad(np.asarray(dem, dtype=np.float64) * z_factor, 1, mode="edge")
    dx, dy = cell_sizes_m(transform, crs, dem.shape[0])

    def win(i: int, j: int) -> np.ndarray:
        return z[i : i + dem.shape[0], j : j + dem.shape[1]]

    # Horn: columns grow eastwards; rows grow southwards when transform.e < 0
    dz_col = (win(0, 2) + 2 * win(1, 2) + win(2, 2)) - (win(0, 0) + 2 * win(1, 0) + win(2, 0))
    dz_row = (win(2, 0) + 2 * win(2, 1) + win(2, 2)) - (win(0, 0) + 2 * win(0, 1) + win(0, 2))
    dz_east = dz_col / (8 * dx[:, None])
    dz_north = np.sign(transform.e) * dz_row / (8 * dy[:, None])
    az, alt = math.radians(azimuth), math.radians(altitude)
    light = np.array([math.sin(az) * math.cos(alt), math.cos(az) * math.cos(alt), math.sin(alt)])
    shade = (-dz_east * light[0] - dz_north * light[1] + light[2]) / np.sqrt(
        dz_east**2 + dz_north**2 + 1
    )
    shade = np.clip(np.nan_to_num(shade, nan=0.0), 0.0, 1.0)
    return np.round(shade * 255).astype(np.uint8)


def display_grid(
    source: ElevationSource, bounds: Bounds, max_pixels: int = 1_000_000
) -> tuple[Affine, int, int]:
    """An EPSG:4326 grid over a lon/lat box: the finest raster's resolution, or coarser so that
    the grid holds at most ``max_pixels`` cells. Returns ``(transform, rows, cols)``."""
    west, south, east, north = bounds
    finest = source.rasters[0].cell_size_m / 111_320.0
    res = max(finest, math.sqrt((east - west) * (north - south) / max_pixels))
    cols = max(1, math.ceil((east - west) / res))
    rows = max(1, math.ceil((north - south) / res))
    return Affine(res, 0, west, 0, -res, north), rows, cols


def mosaic(
    source: ElevationSource,
    transform: Affine,
    shape: tuple[int, int],
    *,
    resampling: Resampling | None = None,
) -> np.ndarray:
    """Elevation (float32 m, NaN without data) on an EPSG:4326 grid from every raster.

    Rasters are warped coarsest first, each finer one overwriting where it has data; GDAL's
    warper reads the sources in chunks, so memory is that of the output grid. By default a
    raster finer than the grid is averaged and a coarser one interpolated (cubic), so that
    the 5′ grid's cells do not show as steps.
    """
    out = np.full(shape, np.nan, dtype=np.float32)
    grid_m = abs(transform.e) * 111_320.0
    for info in reversed(source.rasters):
        how = resampling or (Resampling.average if info.cell_size_m <= grid_m else Resampling.cubic)
        layer = np.full(shape, np.nan, dtype=np.float32)
        with bounded_cache(), open_raster(info.path, info.band) as src:
            reproject(
                rasterio.band(src, info.band),
                layer,
                src_nodata=info.nodata,
                dst_transform=transform,
                dst_crs=WGS84,
                dst_nodata=np.nan,
                resampling=how,
            )
        has = ~np.isnan(layer)
        out[has] = layer[has]
    return out


def display_hillshade(
    source: ElevationSource,
    bounds: Bounds,
    *,
    max_pixels: int = 1_000_000,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> tuple[np.ndarray, Affine, CRS]:
    """Hillshade for display over a lon/lat box: ``(array (1, rows, cols) uint8, transform,
    CRS EPSG:4326)``, ready to be reprojected to Web Mercator for a map overlay.

    The box is clipped to the rasters' union; the grid follows :func:`display_grid`.
    """
    shade, _, transform, crs = display_terrain(
        source, bounds, max_pixels=max_pixels, azimuth=azimuth, altitude=altitude, z_factor=z_factor
    )
    return shade, transform, crs


def display_terrain(
    source: ElevationSource,
    bounds: Bounds,
    *,
    max_pixels: int = 1_000_000,
    azimuth: float = 315.0,
    altitude: float = 45.0,
    z_factor: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, Affine, CRS]:
    """:func:`display_hillshade` and the elevation it was computed from, on one grid:
    ``(shade (1, rows, cols) uint8, elevation (1, rows, cols) float32 m with NaN where no
    raster has data, transform, CRS EPSG:4326)``."""
    clipped = _clip_to_source(source, bounds)
    transform, rows, cols = display_grid(source, clipped, max_pixels)
    dem = mosaic(source, transform, (rows, cols))
    shade = hillshade(dem, transform, WGS84, azimuth=azimuth, altitude=altitude, z_factor=z_factor)
    return shade[None], dem[None], transform, WGS84


def _clip_to_source(source: ElevationSource, bounds: Bounds) -> Bounds:
    boxes = np.array([info.bounds_lonlat() for info in source.rasters])
    union = (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())
    clipped = (
        max(bounds[0], union[0]),
        max(bounds[1], union[1]),
        min(bounds[2], union[2]),
        min(bounds[3], union[3]),
    )
    if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
        source.check_covers(bounds)
    return tuple(float(v) for v in clipped)


# ---------------------------------------------------------------- Cloud-Optimised GeoTIFF


def cog_driver_available() -> bool:
    """True when rasterio's GDAL has the COG driver (GDAL ≥ 3.1)."""
    with rasterio.Env() as env:
        return "COG" in env.drivers()


def write_cog(
    path: str | Path,
    array: np.ndarray,
    transform: Affine,
    crs: CRS,
    *,
    nodata: float | None = None,
) -> Path:
    """Write an in-memory array ``(bands, rows, cols)`` or ``(rows, cols)`` as a COG."""
    data = array[None] if array.ndim == 2 else array
    out = _check_output(path)
    with _scratch(out) as tmp:
        plain = tmp / "plain.tif"
        with rasterio.open(
            plain, "w", **_tiled_profile(data.shape, data.dtype, transform, crs, nodata)
        ) as dst:
            dst.write(data)
        return _copy_as_cog(plain, out, data.dtype)


@contextmanager
def _scratch(out: Path) -> Iterator[Path]:
    """A scratch folder beside ``out``; write errors in it become OutputError naming ``out``."""
    with scratch_folder(out, what=COG) as tmp:
        try:
            yield tmp
        except (OSError, rasterio.errors.RasterioError) as exc:
            if isinstance(exc, OutputError):
                raise
            raise OutputError(
                f"{out}: cannot write {COG} ({reason(exc, out.parent)}); nothing was replaced"
            ) from exc


def clip_to_cog(info: RasterInfo, bounds: Bounds, path: str | Path) -> Path:
    """Copy the window of a raster band over a lon/lat box into a COG, chunk by chunk.

    Memory stays bounded (one chunk plus GDAL's cache) whatever the source's size; the
    values, nodata and CRS are the source's.
    """
    out = _check_output(path)
    window = window_for(info, bounds, what=f"the export box for {Path(path).name}")
    transform = window_transform(window, info.transform)
    shape = (1, int(window.height), int(window.width))
    with _scratch(out) as tmp:
        plain = tmp / "plain.tif"
        profile = _tiled_profile(shape, np.dtype(info.dtype), transform, info.crs, info.nodata)
        with bounded_cache(), open_raster(info.path, info.band) as src:
            with rasterio.open(plain, "w", **profile) as dst:
                for win in chunks(window, info.block_shape):
                    data = src.read(info.band, window=win)
                    target = Window(
                        win.col_off - window.col_off,
                        win.row_off - window.row_off,
                        win.width,
                        win.height,
                    )
                    dst.write(data, 1, window=target)
        return _copy_as_cog(plain, out, np.dtype(info.dtype))


def _tiled_profile(
    shape: Sequence[int], dtype: np.dtype, transform: Affine, crs: CRS, nodata: float | None
) -> dict:
    return {
        "driver": "GTiff",
        "count": shape[0],
        "height": shape[1],
        "width": shape[2],
        "dtype": np.dtype(dtype).name,
        "transform": transform,
        "crs": crs,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }


def _copy_as_cog(plain: Path, out: Path, dtype: np.dtype) -> Path:
    """Copy a tiled GeoTIFF as a COG: the COG driver, or GTiff + overviews + COPY_SRC_OVERVIEWS."""
    predictor = 3 if np.dtype(dtype).kind == "f" else 2
    try:
        with bounded_cache(), atomic_path(out, what=COG) as tmp:
            if cog_driver_available():
                rasterio.shutil.copy(
                    plain,
                    tmp,
                    driver="COG",
                    COMPRESS="DEFLATE",
                    PREDICTOR=str(predictor),
                    BLOCKSIZE="256",
                    OVERVIEWS="AUTO",
                    RESAMPLING="AVERAGE" if np.dtype(dtype).kind == "f" else "NEAREST",
                )
            else:
                _gtiff_cog(plain, tmp, predictor)
    except rasterio.errors.RasterioError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(
            f"{out}: cannot write {COG} ({reason(exc, out.parent)}); nothing was replaced"
        ) from exc
    return out


def _gtiff_cog(plain: Path, out: Path, predictor: int) -> None:
    with rasterio.open(plain, "r+") as ds:
        factors = [2**k for k in range(1, 12) if max(ds.width, ds.height) / 2**k >= 256]
        if factors:
            ds.build_overviews(factors, Resampling.average)
    rasterio.shutil.copy(
        plain,
        out,
        driver="GTiff",
        TILED="YES",
        BLOCKXSIZE="256",
        BLOCKYSIZE="256",
        COMPRESS="DEFLATE",
        PREDICTOR=str(predictor),
        COPY_SRC_OVERVIEWS="YES",
    )


def _check_output(path: str | Path) -> Path:
    out = Path(path)
    if not out.parent.is_dir():
        raise OutputError(f"{out}: folder {out.parent} does not exist; create it first")
    if out.suffix.lower() not in (".tif", ".tiff"):
        raise OutputError(f"{out}: extension {out.suffix!r}; accepted: .tif, .tiff")
    return out
