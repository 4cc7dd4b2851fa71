"""Terrain rasters stored in the GeoPackage: a relief that cannot be stored is left out with a
warning naming why (never silently). Synthetic rasters in EPSG:4326 are written to tmp_path."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import rasterio
from affine import Affine

from layers import gpkg_rasters
from layers.gpkg_rasters import TerrainWarning
from layers.sources import default_sources, with_overrides


def _relief(tmp_path: Path, bands: int, dtype: str, size: int = 40, crs: str | None = "EPSG:4326"):
    path = tmp_path / f"relief-{bands}-{dtype}-{size}.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=bands,
        dtype=dtype,
        crs=crs,
        transform=Affine(0.1, 0, 80, 0, -0.1, 48),
    ) as dst:
        dst.write(np.full((bands, size, size), 7, dtype=dtype))
    return SimpleNamespace(sources=with_overrides(default_sources(), {"relief": path}))


def test_an_rgb_relief_is_stored(tmp_path):
    raster = gpkg_rasters._relief(_relief(tmp_path, 3, "uint8"))
    assert raster is not None and raster.array.shape == (3, 40, 40)
    assert raster.bounds == pytest.approx((80, 44, 84, 48))


@pytest.mark.parametrize(
    ("bands", "dtype", "words"),
    [(1, "float32", "1 band(s) of float32"), (2, "uint8", "2 band(s) of uint8")],
)
def test_an_unfit_relief_is_left_out_with_a_warning(tmp_path, bands, dtype, words):
    atlas = _relief(tmp_path, bands, dtype)
    with pytest.warns(TerrainWarning, match=r"not copied into the GeoPackage") as caught:
        assert gpkg_rasters._relief(atlas) is None
    message = str(caught[0].message)
    assert words in message and str(atlas.sources.path("relief")) in message


def test_a_relief_beyond_the_pixel_limit_says_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(gpkg_rasters, "MAX_RELIEF_PIXELS", 1_000_000)
    atlas = _relief(tmp_path, 3, "uint8", size=1100)
    with pytest.warns(TerrainWarning, match=r"1100 x 1100 = 1\.2 Mpx, more than the 1 Mpx"):
        assert gpkg_rasters._relief(atlas) is None
