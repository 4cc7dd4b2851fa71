"""Raster reading (checks, windows, chunks, sampling), hillshade and COG export.

Synthetic rasters are written to tmp_path; their CRS is said where they are built.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Geod
from rasterio.crs import CRS
from rasterio.windows import Window

from geo.errors import DataSourceError, OutputError, RasterError
from geo.raster import (
    ElevationSource,
    chunks,
    raster_info,
    sample_cells,
    sample_points,
    window_for,
)
from geo.terrain import (
    cell_sizes_m,
    clip_to_cog,
    display_hillshade,
    hillshade,
    write_cog,
)
from layers.sources import DATA_DIR
from tests.common import write_raster

COARSE = DATA_DIR / "dem_5arcmin_region.tif"
FINE = DATA_DIR / "dem_gebco_15arcsec_ili.tif"
VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/")
VALIDATOR = VALIDATOR / "validate_cloud_optimized_geotiff.py"
GEOD = Geod(ellps="WGS84")


def plane_dem(tmp_path: Path, *, block: int | None = 16, nodata=None, name="plane.tif") -> str:
    """EPSG:4326, 0.01° cells over lon 80..81, lat 44..45: z = 1000 + 300·(lon−80) − 200·(lat−44)."""
    transform = Affine(0.01, 0, 80.0, 0, -0.01, 45.0)
    cols, rows = np.meshgrid(np.arange(100) + 0.5, np.arange(100) + 0.5)
    lon, lat = 80.0 + 0.01 * cols, 45.0 - 0.01 * rows
    z = (1000 + 300 * (lon - 80) - 200 * (lat - 44)).astype(np.float32)
    return write_raster(tmp_path / name, z, transform, nodata=nodata, block=block)


# ------------------------------------------------------------------ opening and checks


def test_embedded_rasters_open_with_their_grid():
    coarse, fine = raster_info(COARSE), raster_info(FINE)
    assert coarse.crs == CRS.from_epsg(4326) and coarse.nodata == -32768
    assert (coarse.width, coarse.height) == (312, 222)
    assert fine.block_shape == (256, 256) and fine.nodata is None
    assert fine.cell_size_m == pytest.approx(0.0041666 * 111_320, rel=1e-3)
    west, south, east, north = fine.bounds_lonlat()
    assert (west, east) == pytest.approx((66.1375, 84.4625), abs=1e-6)


def test_raster_without_crs_is_refused(tmp_path):
    path = write_raster(
        tmp_path / "nocrs.tif", np.ones((4, 4), np.int16), Affine(1, 0, 0, 0, -1, 4), crs=None
    )
    with pytest.raises(RasterError, match=r"nocrs\.tif: raster has no CRS; accepted"):
        raster_info(path)


def test_missing_band_is_refused():
    with pytest.raises(
        RasterError, match=r"dem_5arcmin_region\.tif: band 2 does not exist; .* 1\.\.1"
    ):
        raster_info(COARSE, band=2)


def test_corrupt_file_is_a_data_source_error(tmp_path):
    bad = tmp_path / "corrupt.tif"
    bad.write_bytes(b"II*\x00" + b"\x17" * 300)
    with pytest.raises(DataSourceError, match=r"corrupt\.tif: cannot open as a raster"):
        raster_info(bad)
    assert issubclass(DataSourceError, OSError)


def test_missing_file_is_a_data_source_error(tmp_path):
    with pytest.raises(DataSourceError, match=r"nowhere\.tif: raster file not found"):
        raster_info(tmp_path / "nowhere.tif")


def test_rotated_grid_is_refused(tmp_path):
    path = write_raster(
        tmp_path / "rot.tif", np.ones((4, 4), np.int16), Affine(1, 0.2, 70, 0.1, -1, 45)
    )
    with pytest.raises(RasterError, match="rotated or not georeferenced"):
        raster_info(path)


def test_raster_outside_the_area_is_refused():
    info = raster_info(FINE)
    with pytest.raises(RasterError, match=r"does not cover the Irtysh basin \(lon 80\.000\.\.90"):
        window_for(info, (80.0, 46.0, 90.0, 50.0), what="the Irtysh basin")


# ------------------------------------------------------------------ windows and chunks


def test_window_is_whole_cells_clipped_to_the_raster():
    info = raster_info(COARSE)
    win = window_for(info, (60.0, 45.01, 70.0, 46.0))
    assert (win.col_off, win.width) == (0, 48)  # 66..70 E at 5′, the part west of 66 E dropped
    assert win.row_off == math.floor((58.5 - 46.0) * 12) and win.height == 12


@pytest.mark.parametrize("max_cells", [1, 300, 5_000, 10**9])
def test_chunks_tile_the_window_once_on_the_block_grid(max_cells):
    window = Window(13, 7, 150, 95)
    block = (16, 32)
    seen = np.zeros((200, 200), dtype=int)
    for w in chunks(window, block, max_cells):
        seen[w.row_off : w.row_off + w.height, w.col_off : w.col_off + w.width] += 1
        assert w.height * w.width <= max(max_cells, block[0] * block[1])
        assert w.row_off == 7 or w.row_off % 16 == 0
        assert w.col_off == 13 or w.col_off % 32 == 0
    assert (seen[7:102, 13:163] == 1).all() and seen.sum() == 150 * 95


# ------------------------------------------------------------------ sampling


def test_sample_cells_equals_a_full_read():
    info = raster_info(FINE)
    rng = np.random.default_rng(1)
    rows = rng.integers(-5, info.height + 5, 500)
    cols = rng.integers(0, info.width, 500)
    with rasterio.open(FINE) as src:
        full = src.read(1).astype(float)
    got = sample_cells(info, rows, cols)
    inside = (rows >= 0) & (rows < info.height)
    assert np.array_equal(got[inside], full[rows[inside], cols[inside]])
    assert np.isnan(got[~inside]).all()


def test_bilinear_sampling_of_a_plane_equals_the_formula(tmp_path):
    info = raster_info(plane_dem(tmp_path))
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(80.006, 80.994, 300), rng.uniform(44.006, 44.994, 300)
    got = sample_points(info, lon, lat)
    assert got == pytest.approx(1000 + 300 * (lon - 80) - 200 * (lat - 44), abs=1e-3)


def test_nearest_sampling_takes_the_containing_cell(tmp_path):
    info = raster_info(plane_dem(tmp_path))
    got = sample_points(info, np.array([80.0149]), np.array([44.9951]), method="nearest")
    assert got[0] == pytest.approx(1000 + 300 * 0.015 - 200 * 0.995, abs=1e-3)


def test_points_outside_and_nodata_are_nan_and_bilinear_falls_back(tmp_path):
    transform = Affine(0.01, 0, 80.0, 0, -0.01, 45.0)
    z = np.full((100, 100), 500, dtype=np.int16)
    z[40:60, 40:60] = -32768
    info = raster_info(write_raster(tmp_path / "holes.tif", z, transform, nodata=-32768))
    lon = np.array([79.5, 80.5, 80.3955, 80.2])
    lat = np.array([44.5, 44.5, 44.5, 44.5])
    got = sample_points(info, lon, lat)
    assert np.isnan(got[0]) and np.isnan(got[1])  # outside; inside the hole
    assert got[2] == 500  # next to the hole: the containing cell
    assert got[3] == 500
    with pytest.raises(RasterError, match="sampling method 'cubic'; accepted: bilinear, nearest"):
        sample_points(info, lon, lat, method="cubic")


def test_projected_raster_is_sampled_through_its_crs(tmp_path):
    """UTM zone 44N (EPSG:32644), 1 km cells: z = x / 100 (metres easting / 100)."""
    transform = Affine(1000, 0, 400_000, 0, -1000, 5_000_000)
    cols = np.arange(200) + 0.5
    z = np.tile((400_000 + 1000 * cols) / 100, (150, 1)).astype(np.float32)
    info = raster_info(write_raster(tmp_path / "utm.tif", z, transform, "EPSG:32644"))
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(32644, 4326, always_xy=True).transform(
        np.array([450_000.0, 520_000.0]), np.array([4_950_000.0, 4_900_000.0])
    )
    assert sample_points(info, lon, lat) == pytest.approx([4500.0, 5200.0], abs=1e-3)


def test_elevation_source_takes_the_finest_raster_with_data(tmp_path):
    """Both EPSG:4326: a coarse 0.1° grid of 100 m and a fine 0.01° grid of 900 m with a hole."""
    coarse = write_raster(
        tmp_path / "coarse.tif", np.full((20, 20), 100, np.int16), Affine(0.1, 0, 79, 0, -0.1, 46)
    )
    fine_z = np.full((100, 100), 900, np.int16)
    fine_z[:, 50:] = -1
    fine = write_raster(tmp_path / "fine.tif", fine_z, Affine(0.01, 0, 80, 0, -0.01, 45), nodata=-1)
    source = ElevationSource.from_paths([coarse, fine])
    assert source.labels == ("fine", "coarse")
    value, which = source.sample(
        np.array([80.2, 80.8, 79.5, 95.0]), np.array([44.5, 44.5, 44.5, 44.5])
    )
    assert value[:3].tolist() == [900, 100, 100] and np.isnan(value[3])
    assert source.label_of(which).tolist() == ["fine", "coarse", "coarse", ""]


def test_embedded_source_uses_gebco_in_the_ili_valley_and_the_5_arcmin_grid_at_balkhash():
    source = ElevationSource.from_paths([COARSE, FINE])
    value, which = source.sample(np.array([77.0, 74.28]), np.array([43.9, 45.77]))
    assert source.label_of(which).tolist() == ["dem_gebco_15arcsec_ili", "dem_5arcmin_region"]
    assert value[1] == pytest.approx(334, abs=15)  # Lake Balkhash ~340 m


# ------------------------------------------------------------------ hillshade


def test_cell_sizes_follow_the_ellipsoid_not_degrees():
    transform = Affine(1 / 12, 0, 66, 0, -1 / 12, 58.5)
    dx, dy = cell_sizes_m(transform, CRS.from_epsg(4326), 222)
    lat = 58.5 - (np.arange(222) + 0.5) / 12
    _, _, east = GEOD.inv(np.full(222, 66.0), lat, np.full(222, 66 + 1 / 12), lat)
    _, _, north = GEOD.inv(np.full(222, 66.0), lat - 1 / 24, np.full(222, 66.0), lat + 1 / 24)
    assert dx == pytest.approx(east, rel=1e-6)
    assert dy == pytest.approx(north, rel=1e-6)
    assert dx[0] / dx[-1] == pytest.approx(
        math.cos(math.radians(58.46)) / math.cos(math.radians(40.04)), rel=2e-3
    )


def test_hillshade_of_flat_ground_is_sin_altitude():
    shade = hillshade(
        np.full((5, 6), 300.0), Affine(30, 0, 0, 0, -30, 0), CRS.from_epsg(32644), altitude=30
    )
    assert shade.dtype == np.uint8 and shade.shape == (5, 6)
    assert (shade == np.round(255 * np.sin(np.radians(30)))).all()


def _shade(p: float, q: float, azimuth: float, altitude: float) -> float:
    """Lambert shade of a plane with gradient (dz/deast, dz/dnorth) = (p, q)."""
    az, alt = math.radians(azimuth), math.radians(altitude)
    lx, ly, lz = math.sin(az) * math.cos(alt), math.cos(az) * math.cos(alt), math.sin(alt)
    return 255 * max(0.0, (-p * lx - q * ly + lz) / math.sqrt(p * p + q * q + 1))


@pytest.mark.parametrize("azimuth", [315.0, 90.0, 200.0])
def test_hillshade_of_a_projected_slope_equals_the_formula(azimuth):
    """EPSG:32644 (metres), 30 m cells; z rises 0.3 m per metre to the east, 0.1 to the north."""
    x = (np.arange(40) + 0.5) * 30
    y = 1_000 - (np.arange(30) + 0.5) * 30
    z = 0.3 * x[None, :] + 0.1 * y[:, None]
    shade = hillshade(
        z, Affine(30, 0, 0, 0, -30, 1_000), CRS.from_epsg(32644), azimuth=azimuth, altitude=40
    )
    expected = _shade(0.3, 0.1, azimuth, 40)
    assert np.abs(shade[1:-1, 1:-1].astype(float) - expected).max() <= 0.5 + 1e-9


def test_geographic_slope_shades_the_same_at_every_latitude():
    """EPSG:4326 from 40 to 58 N: z rises 20 m per km eastwards (metres on the ellipsoid).

    A tool that took degrees for metres, or one cell width for all rows, would shade the
    northern rows (narrower cells) differently from the southern ones.
    """
    rows, cols, res = 216, 30, 1 / 12
    transform = Affine(res, 0, 80, 0, -res, 58.0)
    lat = 58.0 - (np.arange(rows) + 0.5) * res
    dx, _ = cell_sizes_m(transform, CRS.from_epsg(4326), rows)
    z = 0.02 * dx[:, None] * (np.arange(cols) + 0.5)[None, :]
    shade = hillshade(z, transform, CRS.from_epsg(4326), azimuth=270, altitude=45)
    inner = shade[1:-1, 1:-1].astype(float)
    assert np.abs(inner - _shade(0.02, 0.0, 270, 45)).max() <= 0.5 + 1e-9
    assert lat[0] - lat[-1] > 17


def test_slopes_facing_the_light_are_brighter():
    """EPSG:32644: a ridge running north-south, lit from the west (azimuth 270)."""
    x = np.abs(np.arange(41) - 20.0) * -10.0  # peak in the middle column
    shade = hillshade(
        np.tile(x, (10, 1)), Affine(30, 0, 0, 0, -30, 0), CRS.from_epsg(32644), azimuth=270
    )
    assert shade[5, 5] > shade[5, 35]


def test_display_hillshade_is_uint8_on_a_bounded_lonlat_grid():
    source = ElevationSource.from_paths([COARSE, FINE])
    array, transform, crs = display_hillshade(source, (70.0, 42.0, 84.0, 48.0), max_pixels=100_000)
    assert array.dtype == np.uint8 and array.ndim == 3 and array.shape[0] == 1
    assert array.shape[1] * array.shape[2] <= 100_000 * 1.01
    assert crs == CRS.from_epsg(4326)
    assert (transform.c, transform.f) == (70.0, 48.0)
    assert transform.c + transform.a * array.shape[2] >= 84.0
    assert 100 < array.mean() < 220 and array.std() > 3  # relief, not a flat grey


# ------------------------------------------------------------------ Cloud-Optimised GeoTIFF


def _validate_cog(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/usr/bin/python3", str(VALIDATOR), str(path)], capture_output=True, text=True
    )


needs_validator = pytest.mark.skipif(
    not VALIDATOR.exists(),
    reason="GDAL's validate_cloud_optimized_geotiff.py is absent (install Debian's python3-gdal)",
)


@needs_validator
def test_clipped_dem_and_hillshade_are_valid_cogs(tmp_path):
    info = raster_info(FINE)
    box = (76.0, 43.0, 79.5, 44.5)
    dem = clip_to_cog(info, box, tmp_path / "dem.tif")
    source = ElevationSource.from_paths([COARSE, FINE])
    shade = write_cog(tmp_path / "shade.tif", *display_hillshade(source, box, max_pixels=400_000))
    for path in (dem, shade):
        run = _validate_cog(path)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "is a valid cloud optimized GeoTIFF" in run.stdout
    win = window_for(info, box)
    with rasterio.open(FINE) as src, rasterio.open(dem) as out:
        assert np.array_equal(out.read(1), src.read(1, window=win))
        assert out.crs == src.crs and out.overviews(1)
        assert out.transform.c == pytest.approx(76.0, abs=info.transform.a)


def test_cog_into_a_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match=r"folder .*missing does not exist"):
        write_cog(
            tmp_path / "missing" / "x.tif",
            np.zeros((1, 4, 4), np.uint8),
            Affine(1, 0, 0, 0, -1, 0),
            CRS.from_epsg(4326),
        )
