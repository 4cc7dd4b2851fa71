"""Rasters as map overlays: reprojected to Web Mercator and embedded as an image data URI.

A raster comes in as ``(array (bands, rows, cols), affine transform, CRS)``, any CRS; Leaflet
stretches an image linearly between its corners on the Web Mercator (EPSG:3857) screen, so the
array is first reprojected to EPSG:3857 (``rasterio.warp.reproject``) and then encoded with
rasterio's own PNG, JPEG or WebP driver (no external service, no image library from a CDN).
"""

from __future__ import annotations

import base64
import math
import warnings
from dataclasses import dataclass

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds
from rasterio.windows import from_bounds

from geo.errors import RasterError
from maps.elements import ImageLayer

WEB_MERCATOR = CRS.from_epsg(3857)
#: Web Mercator's limit of latitude (degrees)
MAX_LAT = 85.05112878
#: metres of Web Mercator per degree of longitude
M_PER_DEGREE = math.pi / 180.0 * 6378137.0
#: lossy qualities (0–100). WebP at 80 shows the relief and hillshade as JPEG at 82 does, at
#: 65 % and 50 % of its bytes (Chromium shows WebP; compared 4× magnified, 2026-12-01);
#: libwebp's method 2 of 0–6 encodes them 2–3× faster than its default 4 for 5 % more bytes
JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 2


@dataclass(frozen=True)
class MercatorImage:
    """A raster reprojected to EPSG:3857: ``array`` (bands, rows, cols) uint8 and its
    ``bounds`` as ``[[south, west], [north, east]]`` in degrees for Leaflet."""

    array: np.ndarray
    bounds: list[list[float]]


def to_web_mercator(
    array: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    *,
    max_pixels: int = 1_200_000,
    resampling: Resampling = Resampling.bilinear,
) -> MercatorImage:
    """Reproject ``(bands, rows, cols)`` uint8 to Web Mercator; add an alpha band of valid cells.

    The output keeps the source's horizontal detail (one column per source column for a
    geographic source) unless that exceeds ``max_pixels``.
    """
    src = _check(array)
    src_crs = CRS.from_user_input(crs)
    bands, rows, cols = src.shape
    bounds = rasterio.transform.array_bounds(rows, cols, transform)
    west, south, east, north = transform_bounds(src_crs, 4326, *bounds)
    south, north = max(south, -MAX_LAT), min(north, MAX_LAT)
    merc = transform_bounds(4326, WEB_MERCATOR, west, south, east, north)
    res = abs(transform.a) * M_PER_DEGREE if src_crs.is_geographic else None
    dst_transform, width, height = calculate_default_transform(
        src_crs, WEB_MERCATOR, cols, rows, *bounds, dst_bounds=merc, resolution=res
    )
    scale = math.sqrt(max(1.0, width * height / max_pixels))
    width, height = max(1, int(width / scale)), max(1, int(height / scale))
    # the grid spans exactly the source's bounds: no column half outside it
    dst_transform = rasterio.transform.from_bounds(*merc, width, height)
    out = np.zeros((bands + 1, height, width), dtype=np.uint8)
    reproject(
        src,
        out[:bands],
        src_transform=transform,
        src_crs=src_crs,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        resampling=resampling,
    )
    valid = np.full((1, rows, cols), 255, dtype=np.uint8)
    reproject(
        valid,
        out[bands:],
        src_transform=transform,
        src_crs=src_crs,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        resampling=Resampling.nearest,
    )
    return MercatorImage(out, [[south, west], [north, east]])


def _check(array: np.ndarray) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or a.shape[0] not in (1, 3, 4):
        raise RasterError(
            f"raster overlay: array of shape {np.shape(array)}; expected (bands, rows, cols) "
            "with 1 (grey), 3 (RGB) or 4 (RGBA) bands"
        )
    if a.dtype != np.uint8:
        raise RasterError(
            f"raster overlay: array of dtype {a.dtype}; expected uint8 (0–255 display values)"
        )
    return a


def encode(array: np.ndarray, fmt: str = "png", *, quality: int | None = None) -> bytes:
    """Encode ``(bands, rows, cols)`` uint8 as PNG, JPEG or WebP bytes with rasterio's (GDAL's)
    drivers; WebP takes RGB or RGBA, so grey (+ alpha) is written as RGB(A) of equal bands."""
    drivers = {
        "png": ("PNG", {"ZLEVEL": 9}),
        "jpeg": ("JPEG", {"QUALITY": quality or JPEG_QUALITY}),
        "webp": ("WEBP", {"QUALITY": quality or WEBP_QUALITY, "METHOD": WEBP_METHOD}),
    }
    if fmt not in drivers:
        raise RasterError(f"raster overlay: format {fmt!r}; accepted: {', '.join(drivers)}")
    driver, options = drivers[fmt]
    if fmt == "webp" and array.shape[0] in (1, 2):
        array = np.concatenate([array[:1], array[:1], array])
    bands, rows, cols = array.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile() as mem:
            with mem.open(
                driver=driver, width=cols, height=rows, count=bands, dtype="uint8", **options
            ) as dst:
                dst.write(array)
            return mem.read()


def data_uri(data: bytes, fmt: str) -> str:
    """``data:image/...;base64,...`` for encoded image bytes."""
    return f"data:image/{fmt};base64,{base64.b64encode(data).decode('ascii')}"


def raster_overlay(
    array: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    *,
    name: str,
    fmt: str = "auto",
    opacity: float = 1.0,
    overlay: bool = True,
    show: bool = True,
    blend: str = "",
    max_pixels: int = 1_200_000,
) -> ImageLayer:
    """A Leaflet image layer of a raster ``(bands, rows, cols)`` uint8 in any CRS.

    ``fmt="webp"`` (or ``"jpeg"``) suits opaque photographic images (shaded relief,
    hillshade: WebP is 5–10× smaller than PNG, half to 60 % of JPEG); ``"png"`` keeps
    transparency exactly (cells outside the raster, an alpha band); ``"auto"`` takes WebP when
    every pixel is opaque. ``blend`` is a CSS ``mix-blend-mode`` (``"multiply"`` lays a grey
    hillshade over a basemap).
    """
    img = to_web_mercator(array, transform, crs, max_pixels=max_pixels)
    pixels = _alpha(img.array)
    if fmt == "auto":
        opaque = pixels.shape[0] in (2, 4) and bool((pixels[-1] == 255).all())
        fmt = "webp" if opaque else "png"
    if fmt in ("jpeg", "webp"):
        pixels = pixels[:-1] if pixels.shape[0] in (2, 4) else pixels
    return ImageLayer(
        data_uri(encode(pixels, fmt), fmt),
        img.bounds,
        name=name,
        overlay=overlay,
        show=show,
        opacity=opacity,
        blend=blend,
    )


def _alpha(bands: np.ndarray) -> np.ndarray:
    """Grey+alpha (2 bands) and RGB+alpha (4) stay; RGBA+valid (5) merges the two alphas."""
    if bands.shape[0] == 5:
        return np.concatenate([bands[:3], np.minimum(bands[3:4], bands[4:5])])
    return bands


def read_window(
    path: str, bounds: tuple[float, float, float, float] | None = None
) -> tuple[np.ndarray, Affine, CRS]:
    """Read a raster (all bands), optionally only the window over lon/lat ``bounds``
    ``(west, south, east, north)`` in degrees; returns ``(array, transform, crs)``."""
    try:
        with rasterio.open(path) as src:
            if bounds is None:
                return src.read(), src.transform, src.crs
            b = transform_bounds(4326, src.crs, *bounds)
            win = from_bounds(*b, transform=src.transform).round_offsets().round_lengths()
            win = win.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
            return src.read(window=win), src.window_transform(win), src.crs
    except rasterio.errors.RasterioIOError as exc:
        raise RasterError(f"{path}: cannot read the raster ({exc})") from exc


def crop(
    array: np.ndarray,
    transform: Affine,
    crs: CRS | str | int,
    box: tuple[float, float, float, float],
) -> tuple[np.ndarray, Affine, CRS]:
    """The part of an in-memory raster over lon/lat ``box`` (west, south, east, north)."""
    crs = CRS.from_user_input(crs)
    a = np.asarray(array)
    a = a[None] if a.ndim == 2 else a
    b = transform_bounds(4326, crs, *box)
    win = from_bounds(*b, transform=transform).round_offsets().round_lengths()
    full = rasterio.windows.Window(0, 0, a.shape[-1], a.shape[-2])
    try:
        win = win.intersection(full)
    except rasterio.errors.WindowError:
        return a, transform, crs
    rows, cols = win.toslices()
    return a[:, rows, cols], rasterio.windows.transform(win, transform), crs
