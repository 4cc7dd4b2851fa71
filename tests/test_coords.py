"""The page's compact geometry text (maps.coords): read back, it is exactly the GeoJSON the page
would otherwise carry (coordinates rounded to the page's decimals), for every geometry type,
empty ones and collections; the quantisation step it implies is stated in metres."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from maps import coords, display
from tests.page_geometries import decode

#: metres per degree of latitude (and of longitude at the equator), WGS 84 mean
M_PER_DEGREE = 111_320.0


def as_json(geoms: np.ndarray, decimals: int) -> list:
    """What the page carried before: GeoJSON of the rounded geometries (``null`` for None,
    which ``display.geojson_array`` never met)."""
    text = shapely.to_geojson(display.round_coords(geoms, decimals))
    return [None if t is None else json.loads(t) for t in text.tolist()]


EDGE_CASES = [
    "POINT EMPTY",
    "LINESTRING EMPTY",
    "POLYGON EMPTY",
    "MULTIPOLYGON EMPTY",
    "GEOMETRYCOLLECTION EMPTY",
    "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (0 0, -1.5 2)),"
    " POLYGON ((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1)))",
    "MULTIPOINT ((1 2), (3 4))",
    "MULTIPOINT (EMPTY, (1 1))",
    "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)",
    "MULTILINESTRING ((1 1, 2 2), EMPTY, (3 3, 4 4))",
    "LINEARRING (0 0, 1 0, 1 1, 0 0)",
    "POINT (-179.9999 -89.5)",
    "LINESTRING (80.123456 45.987654, 80.2 45.1, 180 90, -180 -90)",
]


def edge_geometries() -> np.ndarray:
    return np.array([shapely.from_wkt(w) for w in EDGE_CASES] + [None], dtype=object)


def test_every_kind_of_geometry_reads_back_as_its_geojson() -> None:
    geoms = edge_geometries()
    for decimals in (0, 3, 4, 6):
        assert decode(coords.encode(geoms, decimals)) == as_json(geoms, decimals)
    assert decode(coords.encode(np.array([], dtype=object), 4)) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False)),
            min_size=2,
            max_size=30,
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([3, 4]),
)
def test_lines_read_back_within_half_a_step(lines: list, decimals: int) -> None:
    geoms = np.array(
        [shapely.LineString(c) for c in lines] + [shapely.MultiLineString(lines)], dtype=object
    )
    back = decode(coords.encode(geoms, decimals))
    assert back == as_json(geoms, decimals)
    got = np.array([xy for g in back[:-1] for xy in g["coordinates"]])
    step_m = 10.0**-decimals * M_PER_DEGREE  # 11.1 m at 4 decimals, 111 m at 3
    assert np.abs(got - shapely.get_coordinates(geoms[:-1])).max() * M_PER_DEGREE <= step_m / 2


def test_polygons_with_holes_keep_their_rings() -> None:
    outer = shapely.Point(80.0, 45.0).buffer(1.0, quad_segs=64)
    holed = outer.difference(shapely.Point(80.2, 45.1).buffer(0.2))
    geoms = np.array([holed, shapely.MultiPolygon([holed, outer.buffer(-0.9)])], dtype=object)
    back = decode(coords.encode(geoms, 3))
    assert back == as_json(geoms, 3)
    assert len(back[0]["coordinates"]) == 2 and len(back[1]["coordinates"][0]) == 2


def test_the_text_is_a_fraction_of_the_json() -> None:
    """A river-like line of 2,000 vertices ~300 m apart: about 4 letters a vertex, not ~18."""
    rng = np.random.default_rng(1)
    xy = np.cumsum(rng.normal(0.0, 0.003, (2000, 2)), axis=0) + (80.0, 45.0)
    geoms = np.array([shapely.LineString(xy)], dtype=object)
    text = coords.encode(geoms, 4)
    assert len(text) < len(display.geojson_array(display.round_coords(geoms, 4))) / 3
    assert set(json.loads(text)[-1]) <= set(coords.ALPHABET)


@pytest.mark.parametrize("value", [0, 1, 31, 32, 1023, 1024, 2**31, 2**52, 2**64 - 1])
def test_numbers_of_any_size_take_five_bits_a_letter(value: int) -> None:
    text = coords.varints(np.array([value, 7], dtype=np.uint64))
    assert len(text) == max(1, -(-value.bit_length() // 5)) + 1
    assert decode(json.dumps([0, 0, "", "", "", "", ""])) == []
    from tests.page_geometries import _numbers

    assert list(_numbers(text)) == [value, 7]


def test_zigzag_maps_signs_to_even_and_odd() -> None:
    signed = np.array([0, -1, 1, -2, 2, -(2**40), 2**40])
    assert coords.zigzag(signed).tolist() == [0, 1, 2, 3, 4, 2**41 - 1, 2**41]


def test_coordinates_beyond_what_the_page_can_sum_are_refused() -> None:
    with pytest.raises(ValueError, match="at 14 decimals"):
        coords.encode(np.array([shapely.Point(1000.0, 0.0)], dtype=object), 14)
