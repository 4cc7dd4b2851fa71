"""Joins with a report: every category, with small broken tables written to tmp_path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import FlowTableError
from layers.flowtables import read_flow_table
from layers.joins import JoinPolicy, join_values


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    """Three gauge-like points in EPSG:4326 keyed a, b, c (c has two geometries)."""
    return gpd.GeoDataFrame(
        {"site": ["a", "b", "c", "c"], "label": ["A", "B", "C1", "C2"]},
        geometry=shapely.points([80.0, 81.0, 82.0, 82.1], [45.0, 45.5, 46.0, 46.1]),
        crs=4326,
    )


def table(tmp_path, text: str, **kw):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    args = {"key": "site", "value": "q", "unit": "m3/s", "key_kind": "river", **kw}
    return read_flow_table(path, **args)


def test_clean_join(tmp_path, points):
    t = table(tmp_path, "site,q\na,1.5\nb,2\nc,3\n")
    out, rep = join_values(points, "site", t)
    assert out["value"].tolist() == [1.5, 2.0, 3.0, 3.0]
    assert out["flow_status"].tolist() == ["figure"] * 4
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 4326
    assert rep.matched == [(2, "a"), (3, "b"), (4, "c")]
    assert (rep.unmatched, rep.no_value, rep.duplicates) == ([], [], [])
    assert rep.lines() == ["t.csv (key 'site', value 'q'): 3 of 3 table row(s) matched a geometry"]


def test_keys_without_geometry_and_geometries_without_value(tmp_path, points):
    t = table(tmp_path, "site,q\na,1\nzz,9\n")
    out, rep = join_values(points, "site", t, out_col="q_m3s", label_col="label")
    assert rep.unmatched == [(3, "zz")]
    assert rep.no_value == ["B", "C1", "C2"]
    # no figure is NaN with a status, never a zero
    assert np.isnan(out["q_m3s"].iloc[1]) and out["flow_status"].iloc[1] == "no figure"
    lines = rep.lines()
    assert "1 key(s) in the table with no geometry: 'zz' (row 3)" in lines[1]
    assert "3 geometr(y/ies) with no value (no figure): 'B'; 'C1'; 'C2'" in lines[2]
    with pytest.raises(FlowTableError, match=r"row 3: key 'zz' matches no geometry"):
        join_values(points, "site", t, unmatched="error")
    with pytest.raises(FlowTableError, match=r"3 geometries have no value \(first: 'b'\)"):
        join_values(points, "site", t, no_value="error")


def test_duplicate_keys_are_an_error_by_default(tmp_path, points):
    t = table(tmp_path, "site,q\na,1\nb,2\na,7\n")
    with pytest.raises(
        FlowTableError,
        match=r"key 'a' appears 2 times \(rows 2, 4\); to keep going with a report use --on-duplicates warning \(API: duplicates='warning'\)",
    ) as e:
        join_values(points, "site", t)
    assert "\n" not in str(e.value)
    out, rep = join_values(points, "site", t, duplicates="warning")
    assert out["value"].iloc[0] == 1.0  # the first row is used ...
    assert rep.duplicates == [("a", [2, 4])]  # ... and the other one is reported
    assert any("1 duplicate key(s), first row used: 'a' (rows 2, 4)" in x for x in rep.lines())


def test_values_that_are_not_numbers(tmp_path, points):
    t = table(tmp_path, 'site,q\na,"1,5"\nb,"12,5,3"\nc,2\n', bad_values="warning")
    with pytest.raises(FlowTableError, match=r"row 3, key 'b': '12,5,3' is not a number"):
        join_values(points, "site", t)
    out, rep = join_values(points, "site", t, bad_values="warning")
    assert out["value"].iloc[0] == 1.5
    assert np.isnan(out["value"].iloc[1]) and out["flow_status"].iloc[1] == "no figure"
    assert rep.not_numbers == [(3, "b", "12,5,3")]
    assert rep.no_value == ["b"]


def test_negative_and_missing_values(tmp_path, points):
    t = table(tmp_path, "site,q\na,-4\nb,\nc,3\n")
    out, rep = join_values(points, "site", t)
    assert out["value"].iloc[0] == -4.0  # kept, and listed
    assert rep.negative == [(2, "a", "-4")]
    assert rep.missing == [(3, "b")]
    assert np.isnan(out["value"].iloc[1]) and out["flow_status"].iloc[1] == "no figure"
    assert any("1 missing value(s), shown as no figure: 'b' (row 3)" in x for x in rep.lines())
    with pytest.raises(FlowTableError, match=r"row 2, key 'a': negative value -4"):
        join_values(points, "site", t, negative="error")
    with pytest.raises(FlowTableError, match=r"row 3, key 'b': no value"):
        join_values(points, "site", t, missing="error")
    _, allowed = join_values(points, "site", t, negative="allow")
    assert allowed.negative == []


def test_nothing_is_dropped_without_a_report(tmp_path, points):
    t = table(
        tmp_path,
        'site,q\na,1\na,2\nb,"x y"\nq,4\nc,\nc,-1\n',
        bad_values="warning",
    )
    policy = JoinPolicy(duplicates="warning", bad_values="warning")
    out, rep = join_values(points, "site", t, **policy.kwargs())
    rows = set(t.frame["row"])
    used = {r for r, _ in rep.matched} | {r for r, _ in rep.unmatched}
    ignored = {r for _, rs in rep.duplicates for r in rs[1:]}
    assert used | ignored == rows and not used & ignored
    assert {r for r, *_ in rep.not_numbers} == {4}
    assert rep.table_rows == 6
    assert len(out) == len(points)  # geometries are never duplicated or dropped


def test_plain_dataframe_tables_with_text_numbers_and_float_keys(points):
    geoms = points.assign(num=[1, 2, 3, 3])
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "v": ["4,5", "6,0", "7,25"], "src": list("xyz")})
    out, rep = join_values(geoms, "num", df, "id", "v", carry=("src",))
    assert out["v"].tolist() == [4.5, 6.0, 7.25, 7.25]
    assert out["src"].tolist() == ["x", "y", "z", "z"]
    assert rep.matched == [(1, "1"), (2, "2"), (3, "3")]
    with pytest.raises(FlowTableError, match=r"no key column 'nope'; columns are: site, label"):
        join_values(points, "nope", df, "id", "v")
    with pytest.raises(FlowTableError, match=r"no column 'w'; columns are: id, v, src"):
        join_values(geoms, "num", df, "id", "w")


def test_policy_choices_are_checked():
    with pytest.raises(FlowTableError, match=r"duplicates='ignore'; accepted: error, warning"):
        JoinPolicy(duplicates="ignore")
    assert JoinPolicy(negative="allow").negative == "allow"


def test_a_subset_without_rows_in_the_seed_table_gets_no_figure_not_a_crash():
    """`--rivers emel`: the seed table has no Emel row, so nothing matches; the crossing says
    "no figure" (it crashed with an IndexError on the empty table)."""
    from rivermap import api

    atlas = api.load(rivers=["emel"], steps=("flows",))
    crossings = atlas["crossings"]
    assert len(crossings) == 1
    assert crossings["flow_status"].tolist() == ["no figure"]
