"""One crossing per place, reach ownership that does not depend on the rivers asked for, and
border slivers merged: on small courses built in code and on the embedded data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.borders import SLIVER_M, Boundaries, merge_slivers
from geo.network_build import from_lines
from layers.atlas import build_atlas
from layers.crossings import PLACE_M
from layers.register import River
from layers.rivers import trace_rivers
from tests.common import y_network_frame

#: a border along the meridian 80.25 E (EPSG:4326), "AAA" west of it, "BBB" east of it
BORDER = gpd.GeoDataFrame(
    {"adm0_a3_l": ["AAA"], "adm0_a3_r": ["BBB"]},
    geometry=[shapely.LineString([(80.25, 40), (80.25, 50)])],
    crs=4326,
)
COUNTRIES = gpd.GeoDataFrame(
    {"ADM0_A3": ["AAA", "BBB"]},
    geometry=[shapely.box(70, 40, 80.25, 50), shapely.box(80.25, 40, 90, 50)],
    crs=4326,
)
NO_LAKES = gpd.GeoDataFrame({"display_name": []}, geometry=[], crs=4326)


def river(rid: str, mouth: tuple[float, float]) -> River:
    names = {lang: rid.title() for lang in ("en", "kk", "ru", "zh")}
    return River(rid, names, mouth, "somewhere")


#: on the Y network (tests.common): ``trunk`` runs from headwater a's source to the outlet,
#: ``a`` from the same source to the confluence; both cross the border on reach a
TRUNK, A = river("trunk", (79.0, 45.0)), river("a", (80.0, 45.0))


def raw(distances_km, countries):
    """Raw crossings at ``distances_km`` along a course, entering ``countries`` in turn."""
    to = list(countries[1:])
    return pd.DataFrame(
        {
            "lon": 0.0,
            "lat": 0.0,
            "distance_m": np.asarray(distances_km, float) * 1000.0,
            "from_country": list(countries[:-1]),
            "to_country": to,
        }
    )


# --------------------------------------------------------------------------- slivers


def test_a_dip_across_the_border_and_back_is_merged():
    kept, gone = merge_slivers(raw([10.0, 10.4, 30.0], "ABAB"))
    assert kept["distance_m"].tolist() == [30_000.0]
    assert kept[["from_country", "to_country"]].values.tolist() == [["A", "B"]]
    assert gone[["country", "length_m", "start_m"]].values.tolist() == [["B", 400.0, 10_000.0]]


def test_a_sliver_at_a_junction_of_three_countries_becomes_one_crossing():
    kept, gone = merge_slivers(raw([10.0, 10.2], "ABC"))
    assert kept[["from_country", "to_country", "distance_m"]].values.tolist() == [
        ["A", "C", 10_000.0]
    ]
    assert len(gone) == 1 and gone["country"].iloc[0] == "B"


def test_pieces_at_the_threshold_and_the_ends_stay():
    kept, gone = merge_slivers(raw([0.2, 0.2 + SLIVER_M / 1000, 50.0], "ABAB"))
    assert len(kept) == 3 and gone.empty  # exactly 1 km is not shorter than 1 km
    kept, gone = merge_slivers(raw([0.1, 49.9], "ABA"), min_piece_m=1000.0)
    assert len(kept) == 2 and gone.empty  # the first and last pieces are never slivers


def test_the_shortest_sliver_goes_first():
    # B for 0.9 km, then A for 0.1 km: merging the 0.1 km piece first leaves one B stretch
    kept, gone = merge_slivers(raw([5.0, 5.9, 6.0, 20.0], "ABABA"))
    assert kept["distance_m"].tolist() == [5_000.0, 20_000.0]
    assert gone["country"].tolist() == ["A"]


def test_no_piece_of_the_default_build_between_two_crossings_is_a_sliver(atlas_core):
    pieces = atlas_core["rivers"]
    for rid, own in pieces.groupby("river_id"):
        own = own.sort_values("km_from_source_start")
        run = (own["country"] != own["country"].shift()).cumsum()  # stretches in one country
        km = own.groupby(run)["length_km"].sum().to_numpy()
        assert (km[1:-1] >= SLIVER_M / 1000).all(), (rid, km)
    note = next(n for n in atlas_core.notes if "border sliver" in n)
    # the 0.02 km sliver lies where the portal's Tekes begins, below its World Data Bank II head
    assert note.startswith("tekes: ") and "0.02 km in CHN at km 107.4" in note
    assert not any(n.startswith("ili: ") and "sliver" in n for n in atlas_core.notes)


# --------------------------------------------------------------------------- places


def trace_y(asked, register=(TRUNK, A)):
    net = from_lines(y_network_frame())
    return trace_rivers(
        net, asked, Boundaries.from_lines(BORDER), COUNTRIES, NO_LAKES, register_rivers=register
    )


def test_rivers_sharing_a_crossing_are_one_feature():
    traced = trace_y((TRUNK, A))
    c = traced.crossings
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["crossing_id"], row["river_id"], row["rivers"]) == ("a-1", "a", "a, trunk")
    assert row["crossing_ids"] == "a-1, trunk-1"
    assert (row["from_country"], row["to_country"]) == ("BBB", "AAA")
    assert row.geometry.x == pytest.approx(80.25)
    per = traced.crossing_rivers.set_index("river_id")
    assert per["crossing_id"].to_dict() == {"a": "a-1", "trunk": "a-1"}
    assert per.loc["trunk", "km_from_source"] == pytest.approx(per.loc["a", "km_from_source"])


@pytest.mark.parametrize("asked", [(TRUNK,), (A,), (TRUNK, A)])
def test_ids_do_not_depend_on_the_rivers_asked_for(asked):
    traced = trace_y(asked)
    assert traced.crossings["crossing_id"].tolist() == ["a-1"]
    assert traced.crossings["rivers"].tolist() == ["a, trunk"]
    pieces = traced.pieces
    on_a = pieces["reach_id"] == 0  # headwater a: held by river a, on both courses
    assert set(pieces.loc[on_a, "river_id"]) == {"a"}
    assert set(pieces.loc[on_a, "on_courses"]) == {"a, trunk"}
    # asking for the trunk shows river a too, since a holds part of the trunk's course
    assert {r.id for r in traced.rivers} == ({"a", "trunk"} if TRUNK in asked else {"a"})


def test_a_register_river_the_network_does_not_hold_is_left_out_unless_asked():
    elsewhere = river("elsewhere", (10.0, 10.0))
    traced = trace_y((TRUNK,), register=(TRUNK, A, elsewhere))
    assert "elsewhere" not in traced.course
    with pytest.raises(Exception, match="elsewhere"):
        trace_y((elsewhere,), register=(TRUNK, A, elsewhere))


def test_every_crossing_place_of_the_default_build_appears_once(atlas_core):
    c = atlas_core["crossings"]
    assert c["crossing_id"].is_unique
    pts = c.to_crs(atlas_core.network.metric_crs).geometry
    d = np.array([[a.distance(b) for b in pts] for a in pts])
    assert (d[~np.eye(len(c), dtype=bool)] > PLACE_M).all()
    shared = c.set_index("crossing_id").loc["tekes-1"]
    assert shared["rivers"] == "tekes, ili" and shared["crossing_ids"] == "tekes-1, ili-1"
    assert shared["direction"] == "KAZ → CHN"


def test_reach_ids_and_owners_are_the_same_in_a_subset(atlas_core):
    ili = build_atlas(river_ids=["ili"], steps=())
    full = atlas_core["rivers"].set_index(["reach_id", "km_from_source_start"])
    part = ili["rivers"].set_index(["reach_id", "km_from_source_start"])
    assert set(part["river_id"]) == {"ili", "tekes"}
    common = full.loc[part.index]
    assert (common["river_id"] == part["river_id"]).all()
    assert (common["on_courses"] == part["on_courses"]).all()
    assert set(ili["crossings"]["crossing_id"]) == {"tekes-1", "ili-2"}
    assert (
        ili["network"]["river_id"]
        == atlas_core["network"]
        .set_index("reach_id")
        .loc[ili["network"]["reach_id"], "river_id"]
        .to_numpy()
    ).all()
