"""River profiles: a synthetic slope (profile equals the formula) and the embedded Ili."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from geo.course import Course
from geo.errors import RasterError
from geo.measure import cumulative_m
from geo.profile import PROFILE_COLUMNS, country_at_km, profile_distances_m, river_profile
from geo.raster import ElevationSource
from geo.terrain import ellipsoid_radii_m
from layers.elevation import elevation_source
from tests.common import write_raster

#: metres per degree of longitude along 45 N on WGS 84 (N·cos φ·π/180)
M_PER_DEG_45 = ellipsoid_radii_m(np.array(45.0))[1] * math.cos(math.radians(45)) * math.pi / 180
#: the synthetic river falls this many metres per km eastwards
DROP_M_PER_KM = 5.0


def course_of(coords: np.ndarray) -> Course:
    """A Course (EPSG:4326, source first) from lon/lat vertices; no network reaches."""
    vertex_m = cumulative_m(coords)
    return Course(
        reaches=np.array([0]),
        line=shapely.LineString(coords),
        vertex_m=vertex_m,
        reach_start_m=np.array([0.0]),
        mouth_snap_m=0.0,
    )


@pytest.fixture
def slope_dem(tmp_path) -> ElevationSource:
    """EPSG:4326, 0.005° cells over lon 79.9..81.1, lat 44.9..45.1, tiled 64:
    z = 2000 − 5 m/km × (metres east of 80 E along 45 N) / 1000."""
    transform = Affine(0.005, 0, 79.9, 0, -0.005, 45.1)
    lon = 79.9 + 0.005 * (np.arange(240) + 0.5)
    z = 2000 - DROP_M_PER_KM * (lon - 80.0) * M_PER_DEG_45 / 1000
    path = write_raster(
        tmp_path / "slope.tif", np.tile(z, (40, 1)).astype(np.float32), transform, block=64
    )
    return ElevationSource.from_paths([path])


def test_profile_of_a_known_slope_equals_the_formula(slope_dem):
    """A river along 45 N from 80 E to 81 E (vertices every 0.01°) on the slope DEM."""
    lon = np.linspace(80.0, 81.0, 101)
    course = course_of(np.column_stack([lon, np.full(101, 45.0)]))
    prof = river_profile(course, slope_dem, spacing_km=2.5, fallback_country="KAZ")
    assert list(prof.columns) == PROFILE_COLUMNS
    expected = 2000 - DROP_M_PER_KM * prof["km_from_source"]
    assert np.abs(prof["elevation_m"] - expected).max() < 0.01
    assert prof["km_from_source"].iloc[-1] == pytest.approx(M_PER_DEG_45 / 1000, rel=1e-6)
    assert np.allclose(np.diff(prof["km_from_source"])[:-1], 2.5)
    assert (prof["dem"] == "slope").all() and (prof["country"] == "KAZ").all()


def test_profile_points_lie_on_the_course_at_their_distance(slope_dem):
    """A bent river (EPSG:4326): each sampled point lies on the line, its km is the geodesic
    length of the course up to it (within 10 m: on these 25 km segments the point is placed
    linearly in lon/lat, see geo.course.point_at)."""
    coords = np.array([[80.1, 44.95], [80.4, 45.05], [80.9, 44.92]])
    course = course_of(coords)
    prof = river_profile(course, slope_dem, spacing_km=3.0)
    pts = shapely.points(prof["lon"], prof["lat"])
    assert shapely.distance(course.line, pts).max() < 1e-9
    k = 7
    part = shapely.get_coordinates(
        shapely.ops.substring(course.line, 0, course.line.project(pts[k]))
    )
    assert cumulative_m(part)[-1] / 1000 == pytest.approx(prof["km_from_source"].iloc[k], abs=0.01)


def test_profile_has_no_figure_where_no_raster_has_data(slope_dem):
    """The river runs on east of the DEM (beyond 81.1 E): NaN and an empty dem there."""
    course = course_of(np.array([[80.5, 45.0], [81.5, 45.0]]))
    prof = river_profile(course, slope_dem, spacing_km=5.0)
    off = prof["lon"] > 81.1
    assert off.any() and prof.loc[off, "elevation_m"].isna().all()
    assert (prof.loc[off, "dem"] == "").all() and prof.loc[~off, "elevation_m"].notna().all()


def test_country_follows_the_crossings():
    km = np.array([0.0, 10.0, 19.9, 20.0, 300.0, 467.2, 500.0])
    country = country_at_km(
        km, np.array([467.2, 19.9]), np.array(["CHN", "KAZ"]), np.array(["KAZ", "CHN"]), "?"
    )
    assert country.tolist() == ["KAZ", "KAZ", "CHN", "CHN", "CHN", "KAZ", "KAZ"]
    assert country_at_km(km[:2], np.array([]), np.array([]), np.array([]), "CHN").tolist() == [
        "CHN",
        "CHN",
    ]


def test_profile_country_from_a_crossings_table(slope_dem):
    course = course_of(np.column_stack([np.linspace(80.0, 81.0, 11), np.full(11, 45.0)]))
    crossings = pd.DataFrame(
        {"km_from_source": [30.0], "from_country": ["CHN"], "to_country": ["KAZ"]}
    )
    prof = river_profile(course, slope_dem, spacing_km=10.0, crossings=crossings)
    assert prof.loc[prof["km_from_source"] < 30, "country"].eq("CHN").all()
    assert prof.loc[prof["km_from_source"] >= 30, "country"].eq("KAZ").all()


@pytest.mark.parametrize("spacing", [0, -1.0, float("nan")])
def test_bad_spacing_is_refused(spacing):
    with pytest.raises(RasterError, match=r"profile spacing .* km; accepted: a number > 0"):
        profile_distances_m(10_000.0, spacing)


def test_spacing_longer_than_the_river_gives_source_and_mouth():
    assert profile_distances_m(1500.0, 5.0).tolist() == [0.0, 1500.0]


def test_ili_starts_high_and_ends_at_balkhash_level(atlas_core):
    """The embedded Ili: Tekes source in the Tian Shan (GEBCO 15″), mouth at Lake Balkhash
    (5′ grid, ~340 m)."""
    source = elevation_source(atlas_core.sources)
    cross = atlas_core.traced.crossing_rivers
    prof = river_profile(
        atlas_core.traced.course["ili"],
        source,
        spacing_km=2.0,
        crossings=cross.loc[cross["river_id"] == "ili"],
    )
    assert prof["elevation_m"].iloc[0] > 1500
    assert prof["elevation_m"].iloc[-1] == pytest.approx(340, abs=20)
    assert prof["elevation_m"].notna().all()
    assert prof["dem"].iloc[0] == "dem_gebco_15arcsec_ili"
    assert prof["dem"].iloc[-1] == "dem_5arcmin_region"
    # Kapchagay reservoir (~480 m) lies between the border and Balkhash
    at_kapchagay = prof.loc[(prof["lon"] - 77.5).abs() < 0.3, "elevation_m"]
    assert at_kapchagay.between(420, 560).all()
    countries = prof["country"].loc[prof["country"].ne(prof["country"].shift())].tolist()
    assert countries == ["KAZ", "CHN", "KAZ"]
    # the river falls: the last quarter lies below the first quarter everywhere
    n = len(prof)
    assert prof["elevation_m"].iloc[-n // 4 :].max() < prof["elevation_m"].iloc[: n // 4].min()
