"""Border crossings and per-country lengths on synthetic courses (EPSG:4326, degrees)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.borders import Boundaries, length_by_country, merge_crossings, raw_crossings
from geo.course import Course
from geo.measure import cumulative_m

#: a border along the meridian 80 E between 40 N and 50 N, digitised northwards:
#: "AAA" lies to its left (west), "BBB" to its right (east)
BORDER = gpd.GeoDataFrame(
    {"adm0_a3_l": ["AAA"], "adm0_a3_r": ["BBB"]},
    geometry=[shapely.LineString([(80, 40), (80, 50)])],
    crs=4326,
)


def course_of(coords) -> Course:
    coords = np.asarray(coords, dtype=float)
    vm = cumulative_m(coords)
    return Course(np.array([0]), shapely.LineString(coords), vm, np.array([0.0]), 0.0)


def test_direction_comes_from_the_flow():
    borders = Boundaries.from_lines(BORDER)
    east_to_west = raw_crossings(course_of([(81, 45), (79, 45)]), borders)
    assert east_to_west[["from_country", "to_country"]].values.tolist() == [["BBB", "AAA"]]
    west_to_east = raw_crossings(course_of([(79, 45), (81, 45)]), borders)
    assert west_to_east[["from_country", "to_country"]].values.tolist() == [["AAA", "BBB"]]
    assert west_to_east.lon.iloc[0] == pytest.approx(80.0)
    # half of a 2-degree east-west line along a parallel: the crossing sits at its middle
    assert west_to_east.distance_m.iloc[0] == pytest.approx(
        course_of([(79, 45), (81, 45)]).length_m / 2, rel=1e-3
    )


def test_wiggle_along_border_merges_into_one_crossing():
    borders = Boundaries.from_lines(BORDER)
    # west -> east, but wiggling across the border three times within ~3 km
    coords = [(79.9, 45.0), (80.01, 45.0), (79.99, 45.01), (80.01, 45.02), (80.5, 45.02)]
    raw = raw_crossings(course_of(coords), borders)
    assert len(raw) == 3
    merged = merge_crossings(raw, merge_within_m=10_000)
    assert merged[["from_country", "to_country", "raw_crossings"]].values.tolist() == [
        ["AAA", "BBB", 3]
    ]
    # and out and back in again within the merge distance is no crossing at all
    back = raw.iloc[:2]
    assert merge_crossings(back, merge_within_m=10_000).empty


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.floats(78.0, 82.0, allow_nan=False), min_size=2, max_size=30),
    seed=st.integers(0, 1000),
)
def test_per_country_lengths_add_up_and_alternate(xs, seed):
    rng = np.random.default_rng(seed)
    ys = 42.0 + np.sort(rng.uniform(0, 6, len(xs)))
    coords = np.column_stack([xs, ys])
    if np.allclose(coords[0], coords[-1]) or cumulative_m(coords)[-1] == 0:
        return
    # keep vertices off the border itself (a vertex exactly on it is a touch, not a crossing)
    coords[np.isclose(coords[:, 0], 80.0), 0] += 1e-6
    course = course_of(coords)
    raw = raw_crossings(course, Boundaries.from_lines(BORDER))
    parts = length_by_country(course, raw, "AAA" if coords[0, 0] < 80 else "BBB")
    assert sum(parts.values()) == pytest.approx(course.length_m, rel=1e-9)
    # consecutive crossings chain: each enters the country the next one leaves
    assert (raw.to_country.to_numpy()[:-1] == raw.from_country.to_numpy()[1:]).all()
    # the number of crossings equals the number of sign changes of (x - 80)
    side = np.sign(coords[:, 0] - 80.0)
    assert len(raw) == int((side[1:] != side[:-1]).sum())
