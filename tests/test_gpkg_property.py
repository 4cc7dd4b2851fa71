"""Property: a GeoPackage written and read back equals what was written (EPSG:4326 lines)."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.gpkg import write_geopackage

#: names as they occur here (Latin, Cyrillic, Kazakh, Chinese) plus HTML/SQL-hostile characters
NAMES = st.text(
    alphabet=st.sampled_from(list("abcXYZ ЕртісИлеҚқӨө伊犁河额尔齐斯'\"<>&;%_-")), max_size=20
)
FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def river_pieces(draw) -> gpd.GeoDataFrame:
    """1-8 lines in the region (lon 66..92, lat 40..58.5) with text, float, int, bool columns."""
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        k = draw(st.integers(2, 6))
        lon = draw(st.lists(st.floats(66, 92), min_size=k, max_size=k, unique=True))
        lat = draw(st.lists(st.floats(40, 58.5), min_size=k, max_size=k))
        rows.append(
            {
                "river_id": draw(st.sampled_from(["irtysh", "ili", "emel"])),
                "name_en": draw(NAMES),
                "length_km": draw(FLOATS),
                "reach_id": draw(st.integers(-(2**40), 2**40)),
                "on_course": draw(st.booleans()),
                "geometry": shapely.LineString(np.column_stack([lon, lat])),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=river_pieces())
def test_written_equals_read_back(atlas, tmp_path, frame):
    layer = dataclasses.replace(atlas.layers["rivers"], frame=frame)
    paths = {k: v for k, v in atlas.sources.paths.items() if k != "relief"}
    sources = dataclasses.replace(atlas.sources, paths=paths)  # no terrain: quick to write
    one = dataclasses.replace(atlas, layers={"rivers": layer}, rasters={}, sources=sources)
    path = write_geopackage(one, tmp_path / "prop.gpkg")
    back = pyogrio.read_dataframe(path, layer="rivers")
    assert back.crs.to_epsg() == 4326
    assert len(back) == len(frame)
    for col in ("river_id", "name_en"):  # blank text is written as NULL
        expected = [v if v.strip() else None for v in frame[col]]
        assert [None if pd.isna(v) else v for v in back[col]] == expected
    assert back["reach_id"].tolist() == frame["reach_id"].tolist()
    assert back["on_course"].astype(bool).tolist() == frame["on_course"].tolist()
    np.testing.assert_allclose(back["length_km"], frame["length_km"], rtol=0, atol=0)
    assert shapely.equals_exact(back.geometry.values, frame.geometry.values, tolerance=0).all()
