"""The terrain inside the GeoPackage: raster tiles written with GDAL's GPKG raster driver.

Three rasters, each only when the Atlas has it:

- ``relief``: the shaded-relief basemap of the HTML maps (8-bit RGB, JPEG tiles);
- ``hillshade``: the hillshade computed from the DEMs (8-bit grey, JPEG tiles: a picture);
- ``elevation``: the elevation the hillshade was computed from, on the same grid (metres
  rounded to whole metres as Int16, PNG tiles in GDAL's 2D gridded coverage extension).

Sizes are bounded whatever DEM the analyst supplies: the hillshade grid holds at most
``layers.elevation.DISPLAY_MAX_PIXELS`` cells (≈ 1 Mpx: 0.02° ≈ 2 km over the default region),
and ``relief`` is written only up to :data:`MAX_RELIEF_PIXELS` (a larger or unfit relief is
left out with a :class:`TerrainWarning` naming why). The full-resolution DEM stays
in ``--cog-out``. Rasters keep their own grid in EPSG:4326 (no resampling), whatever ``--crs``
the vector layers use; QGIS reprojects them on the fly.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS

from geo.raster import open_raster
from layers.fields import TILE_FIELDS, Field
from layers.sources import Provenance

if TYPE_CHECKING:
    from layers.atlas import Atlas

#: a relief image larger than this (pixels) is not copied into the GeoPackage
MAX_RELIEF_PIXELS = 16_000_000
#: Int16 nodata of the elevation tiles
ELEVATION_NODATA = -32768


class TerrainWarning(UserWarning):
    """A terrain raster is left out of the GeoPackage (the CLI prints the reason)."""


@dataclass(frozen=True)
class Raster:
    """One raster to write: ``array`` (bands, rows, cols) on ``transform`` in ``crs``."""

    name: str
    title: str
    description: str
    provenance: tuple[Provenance, ...]
    array: np.ndarray
    transform: Affine
    crs: CRS
    tile_format: str
    nodata: float | None = None

    @property
    def spatial(self) -> bool:
        return True

    @property
    def fields(self) -> dict[str, Field]:
        return dict(TILE_FIELDS)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        rows, cols = self.array.shape[1:]
        t = self.transform  # north-up grids (no rotation)
        x0, x1 = t.c, t.c + t.a * cols
        y0, y1 = t.f, t.f + t.e * rows
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def atlas_rasters(atlas: Atlas) -> list[Raster]:
    """The rasters of ``atlas`` to store: relief, hillshade, elevation (those it has)."""
    out = []
    relief = _relief(atlas)
    if relief is not None:
        out.append(relief)
    dem_prov = tuple(
        atlas.sources.about(r) for r in ("dem_fine", "dem") if r in atlas.sources.paths
    )
    if "hillshade" in atlas.rasters:
        shade, transform, crs = atlas.rasters["hillshade"]
        out.append(
            Raster(
                "hillshade",
                "Hillshade",
                "Hillshade of the elevation below (light from the north-west, 45° high, "
                "relief exaggerated 3×), over the traced rivers' basins; 0 dark … 255 lit.",
                dem_prov,
                shade,
                transform,
                CRS.from_user_input(crs),
                "JPEG",
            )
        )
    if "elevation" in atlas.rasters:
        dem, transform, crs = atlas.rasters["elevation"]
        whole = np.where(np.isfinite(dem), np.round(dem), ELEVATION_NODATA)
        out.append(
            Raster(
                "elevation",
                "Elevation (m)",
                "Elevation in metres above sea level (rounded to 1 m) on the hillshade's grid, "
                "from the finest DEM with data at each place; nodata where no DEM covers.",
                dem_prov,
                np.clip(whole, -32768, 32767).astype(np.int16),
                transform,
                CRS.from_user_input(crs),
                "PNG",
                ELEVATION_NODATA,
            )
        )
    return out


def _relief_unfit(src: rasterio.DatasetReader) -> str | None:
    """Why the relief image ``src`` cannot be stored as JPEG tiles, or None."""
    if src.width * src.height > MAX_RELIEF_PIXELS:
        return (
            f"{src.width} x {src.height} = {src.width * src.height / 1e6:.1f} Mpx, more than "
            f"the {MAX_RELIEF_PIXELS / 1e6:.0f} Mpx kept in an export"
        )
    if src.crs is None:
        return "it declares no CRS"
    if src.count not in (1, 3) or src.dtypes[0] != "uint8":
        return f"{src.count} band(s) of {src.dtypes[0]}; stored: 1 or 3 bands of 8-bit colour"
    return None


def _relief(atlas: Atlas) -> Raster | None:
    if "relief" not in atlas.sources.paths:
        return None
    path = atlas.sources.path("relief")
    with open_raster(path, 1) as src:
        why = _relief_unfit(src)
        if why:
            warnings.warn(
                f"relief {path}: not copied into the GeoPackage ({why}); the HTML maps use it",
                TerrainWarning,
                stacklevel=2,
            )
            return None
        array, transform, crs = src.read(), src.transform, CRS.from_user_input(src.crs)
    return Raster(
        "relief",
        "Shaded relief",
        "The shaded-relief basemap of the HTML maps.",
        (atlas.sources.about("relief"),),
        array,
        transform,
        crs,
        "JPEG",
    )


def write_rasters(tmp: Path, rasters: list[Raster], identifiers: dict[str, str]) -> None:
    """Each raster as a tile table of the GeoPackage ``tmp`` (appended beside the vectors)."""
    for r in rasters:
        bands, rows, cols = r.array.shape
        options = {
            "RASTER_TABLE": r.name,
            "RASTER_IDENTIFIER": identifiers.get(r.name, r.title),
            "RASTER_DESCRIPTION": r.description,
            "APPEND_SUBDATASET": "YES",
            "TILE_FORMAT": r.tile_format,
        }
        if r.tile_format == "JPEG":
            options["QUALITY"] = "85"
        if r.tile_format == "PNG":
            options["ZLEVEL"] = "3"  # 2× faster than the default 6 for 7 % more bytes
        with rasterio.open(
            tmp,
            "w",
            driver="GPKG",
            width=cols,
            height=rows,
            count=bands,
            dtype=r.array.dtype,
            crs=r.crs.to_wkt(),
            transform=r.transform,
            nodata=r.nodata,
            **options,
        ) as dst:
            dst.write(r.array)


def raster_problems(tmp: Path, rasters: list[Raster]) -> list[str]:
    """What differs when each raster is opened again (size, bands)."""
    problems = []
    for r in rasters:
        try:
            with rasterio.open(f"GPKG:{tmp}:{r.name}") as src:
                if (src.height, src.width) != r.array.shape[1:]:
                    problems.append(f"raster {r.name}: {src.width}×{src.height} read back")
        except rasterio.errors.RasterioIOError as exc:
            problems.append(f"raster {r.name}: {exc}")
    return problems
