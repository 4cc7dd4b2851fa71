"""The elevation step of the Atlas: profiles, basin statistics, hillshade, COGs, bad DEMs."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS

from geo.errors import DataSourceError, OutputError, RasterError
from geo.zonal import ALL, DEFAULT_BANDS_M, band_columns
from layers.atlas import STEPS, Atlas
from layers.elevation import attach_elevation, export_elevation_cogs
from layers.sources import with_overrides
from tests.common import write_raster

VALIDATOR = Path(
    "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py"
)


def fresh(atlas_core: Atlas, **overrides) -> Atlas:
    """A copy of the core Atlas (its own layers, rasters and notes) with DEM overrides."""
    sources = with_overrides(atlas_core.sources, overrides) if overrides else atlas_core.sources
    return dataclasses.replace(
        atlas_core, sources=sources, layers=dict(atlas_core.layers), rasters={}, notes=[]
    )


def test_elevation_step_is_registered_after_flows():
    names = list(STEPS)
    assert names[-1] == "elevation" and STEPS["elevation"][0] == "sampling elevation"
    if "flows" in STEPS:
        assert names.index("flows") < names.index("elevation")


def test_profiles_layer(atlas):
    prof = atlas["profiles"]
    assert list(prof.columns) == [
        "river_id",
        "km_from_source",
        "lon",
        "lat",
        "elevation_m",
        "country",
        "dem",
        "elevation_never_rising_m",
    ]
    assert set(prof["river_id"]) == set(atlas.traced.course)
    assert prof["elevation_m"].notna().all()
    ili = prof.loc[prof["river_id"] == "ili"]
    assert ili["elevation_m"].iloc[0] > 1500 and ili["elevation_m"].iloc[-1] == pytest.approx(
        340, abs=20
    )
    assert ili["km_from_source"].iloc[-1] == pytest.approx(
        atlas.traced.course["ili"].length_m / 1000
    )
    irtysh = prof.loc[prof["river_id"] == "irtysh"]
    assert irtysh["elevation_m"].iloc[0] > irtysh["elevation_m"].iloc[-1] + 500
    assert set(irtysh["dem"]) == {"dem_5arcmin_region"}  # GEBCO stops at 44.7 N
    files = {p.file for p in atlas.layers["profiles"].provenance}
    assert {"dem_5arcmin_region.tif", "dem_gebco_15arcsec_ili.tif"} <= files


def test_the_never_rising_profile_is_stored_beside_the_sampled_one(atlas):
    """The profile the maps draw is in the table too: never rising downstream, the sampled
    elevation where that already never rises, and as close to it as a monotone fit can be."""
    for rid, prof in atlas["profiles"].groupby("river_id"):
        z = prof["elevation_m"].to_numpy()
        smooth = prof["elevation_never_rising_m"].to_numpy()
        assert (np.diff(smooth) <= 1e-9).all(), rid
        assert np.isfinite(smooth).all()
        # a least-squares fit keeps the (length-weighted) mean of the samples it pools
        assert abs(smooth.mean() - z.mean()) < 0.05 * (z.max() - z.min()), rid
        if (np.diff(z) <= 0).all():
            assert np.allclose(smooth, z), rid


def test_profile_countries_switch_at_the_crossings(atlas):
    prof = atlas["profiles"]
    for row in atlas["crossings"].itertuples():
        mine = prof.loc[prof["river_id"] == row.river_id]
        before = mine.loc[mine["km_from_source"] < row.km_from_source, "country"]
        after = mine.loc[mine["km_from_source"] >= row.km_from_source, "country"]
        assert before.iloc[-1] == row.from_country
        assert after.iloc[0] == row.to_country


def test_basin_elevation_layer(atlas):
    table = atlas["basin_elevation"]
    assert set(table["WATERSHED_ID"]) == {"NWB_00001", "SWB_00002"}
    whole = table.loc[table["country"] == ALL].set_index("WATERSHED_ID")
    basins = atlas["basins"].set_index("WATERSHED_ID")
    for basin in whole.index:
        assert whole.loc[basin, "area_km2"] == pytest.approx(
            basins.loc[basin, "area_km2"], rel=0.01
        )
        parts = table.loc[(table["WATERSHED_ID"] == basin) & (table["country"] != ALL)]
        assert parts["area_km2"].sum() == pytest.approx(whole.loc[basin, "area_km2"], rel=1e-9)
        kaz = parts.set_index("country").loc["KAZ"]
        assert kaz["area_km2"] == pytest.approx(basins.loc[basin, "area_km2_kaz"], rel=0.02)
    bands = table[band_columns(DEFAULT_BANDS_M)]
    assert np.allclose(bands.sum(axis=1), table["area_km2"])
    assert (table["min_m"] <= table["mean_m"]).all() and (table["mean_m"] <= table["max_m"]).all()
    ili = whole.loc["SWB_00002"]
    assert ili["dem"] == "dem_gebco_15arcsec_ili+dem_5arcmin_region"
    assert ili["max_m"] > 5000  # the Tian Shan (Khan Tengri region) in GEBCO
    assert 300 < ili["min_m"] < 360  # Lake Balkhash's shore
    china = table.set_index(["WATERSHED_ID", "country"]).loc[("SWB_00002", "CHN"), "mean_m"]
    assert china > whole.loc["SWB_00002", "mean_m"]  # the Chinese part is the mountains
    assert {p.file for p in atlas.layers["basin_elevation"].provenance} >= {
        "wh_watersheds.gpkg",
        "ne_countries.geojson",
        "dem_gebco_15arcsec_ili.tif",
    }


def test_hillshade_raster(atlas):
    array, transform, crs = atlas.rasters["hillshade"]
    assert array.dtype == np.uint8 and array.shape[0] == 1
    assert array.shape[1] * array.shape[2] <= 1_000_000 * 1.01
    assert CRS.from_user_input(crs) == CRS.from_epsg(4326)
    west, north = transform.c, transform.f
    east = west + transform.a * array.shape[2]
    south = north + transform.e * array.shape[1]
    for lon, lat in [(74.28, 45.77), (89.7, 47.2), (80.36, 42.83)]:  # Ili mouth, sources
        assert west <= lon <= east and south <= lat <= north


@pytest.mark.skipif(
    not VALIDATOR.exists(),
    reason="GDAL's validate_cloud_optimized_geotiff.py is absent (install Debian's python3-gdal)",
)
def test_exported_cogs_are_valid(atlas, tmp_path):
    written = export_elevation_cogs(atlas, tmp_path)
    assert sorted(p.name for p in written) == [
        "dem_5arcmin_region.tif",
        "dem_gebco_15arcsec_ili.tif",
        "hillshade.tif",
    ]
    for path in written:
        run = subprocess.run(
            ["/usr/bin/python3", str(VALIDATOR), str(path)], capture_output=True, text=True
        )
        assert run.returncode == 0 and "is a valid cloud optimized GeoTIFF" in run.stdout, (
            run.stdout + run.stderr
        )
    with rasterio.open(tmp_path / "hillshade.tif") as src:
        assert np.array_equal(src.read(), atlas.rasters["hillshade"][0])


def test_cog_export_into_a_missing_folder(atlas, tmp_path):
    with pytest.raises(OutputError, match=r"nope: COG output folder does not exist"):
        export_elevation_cogs(atlas, tmp_path / "nope")


# ------------------------------------------------------------------ an analyst's DEM


def test_analysts_dem_replaces_the_coarse_grid(atlas_core, tmp_path):
    """EPSG:4326 0.05° DEM over the whole region at a constant 777 m: it is finer than the 5′
    grid, so it wins everywhere except where GEBCO (15″) covers."""
    dem = write_raster(
        tmp_path / "analyst.tif",
        np.full((370, 520), 777, np.int16),
        Affine(0.05, 0, 66.0, 0, -0.05, 58.5),
        block=128,
    )
    atlas = fresh(atlas_core, dem=dem)
    attach_elevation(atlas, spacing_km=10.0)
    prof = atlas["profiles"]
    assert set(prof["dem"]) == {"analyst", "dem_gebco_15arcsec_ili"}
    assert prof.loc[prof["dem"] == "analyst", "elevation_m"].to_numpy() == pytest.approx(777.0)
    irtysh = atlas["basin_elevation"].set_index(["WATERSHED_ID", "country"]).loc[("NWB_00001", ALL)]
    assert (irtysh["min_m"], irtysh["max_m"], irtysh["dem"]) == (777, 777, "analyst")
    assert any(p.file == dem for p in atlas.layers["profiles"].provenance)


def test_dem_outside_the_basins_is_refused(atlas_core, tmp_path):
    dem = write_raster(
        tmp_path / "alps.tif", np.full((10, 10), 2000, np.int16), Affine(0.1, 0, 6, 0, -0.1, 47)
    )
    with pytest.raises(RasterError, match=r"alps\.tif: raster .* does not cover the traced rivers"):
        attach_elevation(fresh(atlas_core, dem=dem))


def test_dem_without_crs_is_refused(atlas_core, tmp_path):
    dem = write_raster(
        tmp_path / "nocrs.tif",
        np.full((10, 10), 2000, np.int16),
        Affine(0.1, 0, 80, 0, -0.1, 45),
        crs=None,
    )
    with pytest.raises(RasterError, match=r"nocrs\.tif: raster has no CRS"):
        attach_elevation(fresh(atlas_core, dem=dem))


def test_corrupt_dem_is_a_data_source_error(atlas_core, tmp_path):
    dem = tmp_path / "broken.tif"
    dem.write_bytes(b"not a tiff at all")
    with pytest.raises(
        DataSourceError, match=r"broken\.tif: not a GeoTIFF \(it starts with b.not a tiff"
    ):
        attach_elevation(fresh(atlas_core, dem_fine=str(dem)))


def test_irtysh_alone_leaves_the_ili_grid_out():
    """Only the Irtysh traced: the embedded 15″ grid (41–44.7 N) lies outside its area and
    is left out; an embedded DEM not covering the rivers is not an error."""
    from layers.atlas import build_atlas

    atlas = build_atlas(river_ids=["irtysh"], steps=("elevation",))
    assert set(atlas["profiles"]["dem"]) == {"dem_5arcmin_region"}
    assert set(atlas["basin_elevation"]["WATERSHED_ID"]) == {"NWB_00001"}
    files = {p.file for p in atlas.layers["basin_elevation"].provenance}
    assert "dem_gebco_15arcsec_ili.tif" not in files and "dem_5arcmin_region.tif" in files
