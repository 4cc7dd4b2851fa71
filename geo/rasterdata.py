"""How much of a raster holds data over an area: refuse an empty one before it is used.

A DEM that covers the traced area by its extent but holds only nodata there (a mask, a tile of
voids, a grid filled with ``-9999`` without a declared nodata value) would silently leave the
profiles and basin statistics without elevation. :func:`valid_share` measures the share of
cells with data over a lon/lat box (degrees, EPSG:4326) on a decimated read (at most
:data:`SAMPLE_CELLS` cells, GDAL overviews when the file has them); when that read finds no
data at all, the whole window is scanned chunk by chunk, so "no data" is never a sampling
artefact. Cells count as nodata as :meth:`geo.raster.RasterInfo.masked_values` says (declared
nodata, masks, non-finite values and, without a declared nodata value, the markers of
:mod:`geo.numeric`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import rasterio.errors

from geo.errors import DataSourceError, RasterError
from geo.raster import Bounds, RasterInfo, bounded_cache, chunks, open_raster, window_for

#: cells read to estimate the share (a 512 × 512 grid)
SAMPLE_CELLS = 262_144


@dataclass(frozen=True)
class ValidShare:
    """Share (0..1) of a raster's cells with data over a box; ``cells`` read to find it."""

    share: float
    cells: int
    exact: bool


def valid_share(
    info: RasterInfo, bounds: Bounds, *, sample_cells: int = SAMPLE_CELLS
) -> ValidShare:
    """Share of cells with data inside the raster's window over ``bounds`` (lon/lat degrees).

    RasterError when the raster does not overlap the box; DataSourceError when its cells
    cannot be read (a truncated or corrupt file).
    """
    window = window_for(info, bounds)
    h, w = int(window.height), int(window.width)
    step = max(1, math.ceil(math.sqrt(h * w / sample_cells)))
    shape = (max(1, h // step), max(1, w // step))
    try:
        with bounded_cache(), open_raster(info.path, info.band) as src:
            data = info.masked_values(
                src.read(info.band, window=window, out_shape=shape, masked=True)
            )
            valid = int(np.isfinite(data).sum())
            if valid or step == 1:
                return ValidShare(valid / data.size, int(data.size), step == 1)
            total = valid = 0
            for win in chunks(window, info.block_shape):
                part = info.masked_values(src.read(info.band, window=win, masked=True))
                valid += int(np.isfinite(part).sum())
                total += part.size
            return ValidShare(valid / total if total else 0.0, total, True)
    except rasterio.errors.RasterioIOError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataSourceError(
            f"{info.path}: cannot read the raster's cells ({reason}); is the file truncated?"
        ) from exc


def require_data(info: RasterInfo, bounds: Bounds, *, what: str) -> ValidShare:
    """:func:`valid_share`, raising RasterError when no cell over ``bounds`` holds data."""
    found = valid_share(info, bounds)
    if found.share == 0:
        declared = (
            f"nodata value {info.nodata:g}"
            if info.nodata is not None
            else "no declared nodata value; non-finite values and nodata markers"
        )
        west, south, east, north = bounds
        raise RasterError(
            f"{info.path}: holds no data over {what} (lon {west:.3f}..{east:.3f}, lat "
            f"{south:.3f}..{north:.3f}): all {found.cells:,} cells read there are nodata "
            f"({declared}); accepted: a raster with values there"
        )
    return found
