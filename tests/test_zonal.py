"""Zonal elevation statistics: true cell areas, synthetic zones, chunking, the embedded basins."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Geod, Transformer
from rasterio.crs import CRS
from rasterio.features import geometry_mask

from geo.errors import FieldError, RasterError
from geo.raster import ElevationSource, raster_info, window_for
from geo.zonal import (
    ALL,
    DEFAULT_BANDS_M,
    band_columns,
    cell_areas_km2,
    row_cell_areas_km2,
    zonal_elevation,
)
from layers.sources import DATA_DIR
from tests.common import write_raster

GEOD = Geod(ellps="WGS84")
COARSE = DATA_DIR / "dem_5arcmin_region.tif"


def geod_area_km2(lons, lats, densify: int = 1) -> float:
    """Geodesic area of a lon/lat ring; ``densify`` > 1 adds points along each edge (linear in
    lon/lat) so that edges along a parallel follow it instead of the geodesic between corners."""
    x, y = np.r_[lons, lons[0]], np.r_[lats, lats[0]]
    t = np.linspace(0, 1, densify, endpoint=False)
    xs = (x[:-1, None] + t * np.diff(x)[:, None]).ravel()
    ys = (y[:-1, None] + t * np.diff(y)[:, None]).ravel()
    area, _ = GEOD.polygon_area_perimeter(xs, ys)
    return abs(area) / 1e6


@pytest.mark.parametrize("lat", [0.0, 40.0, 45.5, 58.4])
def test_row_cell_area_equals_the_geodesic_polygon_area(lat):
    res = 1 / 12
    got = row_cell_areas_km2(Affine(res, 0, 70.0, 0, -res, lat + res), 1)[0]
    want = geod_area_km2([70, 70 + res, 70 + res, 70], [lat, lat, lat + res, lat + res], 400)
    assert got == pytest.approx(want, rel=1e-9)


def test_cell_areas_add_up_to_a_one_degree_box():
    transform = Affine(0.01, 0, 80.0, 0, -0.01, 46.0)
    areas = cell_areas_km2(transform, CRS.from_epsg(4326), (100, 100))
    assert areas.shape == (100, 1)
    box = geod_area_km2([80, 81, 81, 80], [45, 45, 46, 46], 1000)
    assert areas.sum() * 100 == pytest.approx(box, rel=1e-9)
    assert areas[0, 0] < areas[-1, 0]  # northern cells are smaller


def test_projected_cell_areas_are_true_areas():
    """UTM 44N (EPSG:32644) 5 km cells far from the central meridian: nominal 25 km² is off
    by the scale factor; the returned areas match geodesic polygon areas of the cells."""
    transform = Affine(5000, 0, 200_000, 0, -5000, 5_200_000)
    areas = cell_areas_km2(transform, CRS.from_epsg(32644), (3, 4))
    to_ll = Transformer.from_crs(32644, 4326, always_xy=True)
    for r, c in [(0, 0), (2, 3)]:
        x0, y0 = 200_000 + 5000 * c, 5_200_000 - 5000 * r
        xs = np.array([x0, x0 + 5000, x0 + 5000, x0])
        ys = np.array([y0, y0, y0 - 5000, y0 - 5000])
        lon, lat = to_ll.transform(xs, ys)
        assert areas[r, c] == pytest.approx(geod_area_km2(lon, lat), rel=1e-4)
    assert abs(areas[0, 0] / 25.0 - 1) > 5e-4  # not simply the nominal 25 km²


def test_band_columns_name_every_band():
    assert band_columns((500, 1000, 2500.5)) == [
        "km2_below_500",
        "km2_500_1000",
        "km2_1000_2500.5",
        "km2_2500.5_up",
    ]


# ------------------------------------------------------------------ synthetic zones

#: EPSG:4326, 0.1° cells over lon 80..82, lat 44..46: z = 100·col + row (m), 20 × 20 cells
GRID = Affine(0.1, 0, 80.0, 0, -0.1, 46.0)
Z = (100.0 * np.arange(20)[None, :] + np.arange(20)[:, None]).astype(np.float32)
ZONES = gpd.GeoDataFrame(
    {"zone": ["west", "east"]},
    geometry=[shapely.box(80.0, 44.0, 81.0, 46.0), shapely.box(81.0, 44.0, 82.0, 46.0)],
    crs=4326,
)
PARTS = gpd.GeoDataFrame(
    {"ADM0_A3": ["NTH", "STH"]},
    geometry=[shapely.box(79.0, 45.0, 83.0, 47.0), shapely.box(79.0, 44.3, 83.0, 45.0)],
    crs=4326,
)


def direct(z: np.ndarray, inside: np.ndarray, row_area: np.ndarray) -> dict:
    area = np.broadcast_to(row_area[:, None], z.shape)
    ok = inside & ~np.isnan(z)
    return {
        "area_km2": area[ok].sum(),
        "mean_m": (z[ok] * area[ok]).sum() / area[ok].sum(),
        "min_m": z[ok].min(),
        "max_m": z[ok].max(),
    }


@pytest.fixture
def grid_source(tmp_path) -> ElevationSource:
    return ElevationSource.from_paths([write_raster(tmp_path / "grid.tif", Z, GRID, block=16)])


def test_zone_and_part_statistics_equal_numpy(grid_source):
    table = zonal_elevation(grid_source, ZONES, "zone", parts=PARTS, bands_m=(500, 1000))
    row_area = row_cell_areas_km2(GRID, 20)
    lat = 46.0 - 0.1 * (np.arange(20) + 0.5)
    cols = np.arange(20)[None, :]
    west = np.broadcast_to(cols < 10, Z.shape)
    north = np.broadcast_to((lat > 45.0)[:, None], Z.shape)
    south = np.broadcast_to(((lat > 44.3) & (lat < 45.0))[:, None], Z.shape)
    cases = {
        ("west", ALL): west,
        ("west", "NTH"): west & north,
        ("west", "STH"): west & south,
        ("west", "other"): west & ~north & ~south,
        ("east", ALL): ~west,
    }
    got = table.set_index(["zone", "country"])
    for key, inside in cases.items():
        want = direct(Z.astype(float), inside, row_area)
        for col, value in want.items():
            assert got.loc[key, col] == pytest.approx(value, rel=1e-12), (key, col)
    bands = got[band_columns((500, 1000))]
    assert np.allclose(bands.sum(axis=1), got["area_km2"])
    west_all = got.loc[("west", ALL)]
    assert west_all["km2_below_500"] == pytest.approx(row_area.sum() * 5, rel=1e-12)
    assert west_all["km2_1000_up"] == 0.0
    assert table["country"].tolist()[:4] == [ALL, "NTH", "STH", "other"]
    assert (table["dem"] == "grid").all()


def test_chunking_does_not_change_the_statistics(grid_source):
    whole = zonal_elevation(grid_source, ZONES, "zone", parts=PARTS)
    small = zonal_elevation(grid_source, ZONES, "zone", parts=PARTS, max_cells=37)
    pd.testing.assert_frame_equal(whole, small, rtol=1e-12)


def test_nodata_cells_are_counted_apart(tmp_path):
    z = Z.copy()
    z[:5, :3] = np.nan  # 15 cells of the west zone, 45.5..46 N
    source = ElevationSource.from_paths(
        [write_raster(tmp_path / "holes.tif", z, GRID, nodata=np.nan)]
    )
    table = zonal_elevation(source, ZONES, "zone").set_index(["zone", "country"])
    row_area = row_cell_areas_km2(GRID, 20)
    assert table.loc[("west", ALL), "nodata_km2"] == pytest.approx(row_area[:5].sum() * 3)
    assert table.loc[("west", ALL), "area_km2"] == pytest.approx(
        row_area.sum() * 10 - row_area[:5].sum() * 3
    )
    assert table.loc[("east", ALL), "nodata_km2"] == 0.0


def test_finer_raster_wins_where_it_has_data(tmp_path):
    """EPSG:4326: a 0.1° grid of 100 m over lon 80..82 and a 0.01° grid of 200 m over 80..81."""
    coarse = write_raster(tmp_path / "coarse.tif", np.full((20, 20), 100, np.int16), GRID)
    fine = write_raster(
        tmp_path / "fine.tif", np.full((200, 100), 200, np.int16), Affine(0.01, 0, 80, 0, -0.01, 46)
    )
    source = ElevationSource.from_paths([coarse, fine])
    whole = gpd.GeoDataFrame({"zone": ["all"]}, geometry=[shapely.box(80, 44, 82, 46)], crs=4326)
    row = zonal_elevation(source, whole, "zone", bands_m=(150,)).iloc[0]
    half = geod_area_km2([80, 81, 81, 80], [44, 44, 46, 46], 1000)
    assert row["area_km2"] == pytest.approx(2 * half, rel=1e-9)
    assert row["mean_m"] == pytest.approx(150.0, rel=1e-9)
    assert row["km2_150_up"] == pytest.approx(half, rel=1e-9)
    assert (row["min_m"], row["max_m"]) == (100.0, 200.0)
    assert row["dem"] == "fine+coarse"


def test_zones_outside_the_rasters_are_refused(grid_source):
    far = gpd.GeoDataFrame({"zone": ["x"]}, geometry=[shapely.box(10, 10, 11, 11)], crs=4326)
    with pytest.raises(
        RasterError, match=r"grid\.tif: raster .* does not cover the zones \(zone\)"
    ):
        zonal_elevation(grid_source, far, "zone")


@pytest.mark.parametrize("bands", [(), (1000, 500), (500, 500)])
def test_bad_bands_are_refused(grid_source, bands):
    with pytest.raises(RasterError, match=r"elevation bands .* accepted: one or more increasing"):
        zonal_elevation(grid_source, ZONES, "zone", bands_m=bands)


def test_missing_id_column_is_a_field_error(grid_source):
    with pytest.raises(FieldError, match=r"zones: no column 'WATERSHED_ID'; columns are zone"):
        zonal_elevation(grid_source, ZONES, "WATERSHED_ID")


# ------------------------------------------------------------------ embedded grids


@pytest.mark.parametrize("basin", ["NWB_00001", "SWB_00002"])
def test_basin_statistics_equal_a_direct_numpy_computation(atlas_core, basin):
    """The 5′ grid alone over a whole basin: the chunked, rasterised statistics equal a
    read of the same window, a geometry mask and per-row geodesic cell areas (pyproj.Geod)."""
    basins = atlas_core["basins"]
    zone = basins.loc[basins["WATERSHED_ID"] == basin, ["WATERSHED_ID", "geometry"]]
    source = ElevationSource.from_paths([COARSE])
    got = zonal_elevation(source, zone, "WATERSHED_ID").set_index("country").loc[ALL]

    info = raster_info(COARSE)
    win = window_for(info, tuple(zone.total_bounds))
    with rasterio.open(COARSE) as src:
        z = src.read(1, window=win, masked=True)
        t = src.transform
        transform = Affine(t.a, 0, t.c + win.col_off * t.a, 0, t.e, t.f + win.row_off * t.e)
    inside = ~geometry_mask(zone.geometry, z.shape, transform)
    top = transform.f + transform.e * np.arange(z.shape[0])
    left = transform.c
    row_area = np.array(
        [
            geod_area_km2(
                [left, left + transform.a, left + transform.a, left],
                [t, t, t + transform.e, t + transform.e],
                400,
            )
            for t in top
        ]
    )
    want = direct(np.ma.filled(z.astype(float), np.nan), inside, row_area)
    assert got["area_km2"] == pytest.approx(want["area_km2"], rel=1e-9)
    assert got["mean_m"] == pytest.approx(want["mean_m"], rel=1e-9)
    assert (got["min_m"], got["max_m"]) == (want["min_m"], want["max_m"])
    assert got[band_columns(DEFAULT_BANDS_M)].sum() == pytest.approx(got["area_km2"], rel=1e-9)
    # the grid's cells and the polygon's equal-area measure agree within 1 %
    assert got["area_km2"] == pytest.approx(
        basins.loc[basins["WATERSHED_ID"] == basin, "area_km2"].iloc[0], rel=0.01
    )
