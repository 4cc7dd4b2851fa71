"""The flows step on the Atlas: H1 2025 figures on the traced rivers' crossings, derived
figures, basin P − ET, and analysts' own tables joined with a report."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from geo.errors import FlowTableError
from layers.atlas import Atlas
from layers.figures import FLOW_COLUMNS
from layers.flows import attach_flows
from layers.flowtables import read_flow_table
from layers.joins import JoinPolicy
from layers.sources import with_overrides
from layers.user_flows import attach_user_flow_file, attach_user_flows

GRDC = "Global Runoff Data Centre (GRDC), 56068 Koblenz, Germany"
EMEL_NOTE = "4.6 + 5.6 already make 10.2; the article gives no Emel figure"
IRTYSH_M3S = 4.6e9 / (181 * 86400)  # 294.15
ILI_M3S = 5.6e9 / (181 * 86400)  # 358.09


def fresh(atlas: Atlas) -> Atlas:
    """A copy whose layers and notes can be changed without touching the session fixture."""
    layers = {k: dataclasses.replace(v, frame=v.frame.copy()) for k, v in atlas.layers.items()}
    return dataclasses.replace(
        atlas, layers=layers, notes=list(atlas.notes), flow_tables=list(atlas.flow_tables)
    )


def crossing(atlas, crossing_id: str) -> pd.Series:
    return atlas["crossings"].set_index("crossing_id").loc[crossing_id]


def course_row(atlas, river_id: str) -> pd.Series:
    return atlas["river_courses"].set_index("river_id").loc[river_id]


def figure(atlas, quantity: str, subject_id: str) -> pd.Series:
    f = atlas["flows"]
    hit = f.loc[(f["quantity"] == quantity) & (f["subject_id"] == subject_id)]
    assert len(hit) == 1, (quantity, subject_id, hit)
    return hit.iloc[0]


# --------------------------------------------------------------------------- crossings


def test_h1_2025_figures_on_the_crossings_from_china(atlas):
    irtysh, ili = crossing(atlas, "irtysh-1"), crossing(atlas, "ili-2")
    assert (irtysh["direction"], ili["direction"]) == ("CHN → KAZ", "CHN → KAZ")
    assert irtysh["h1_2025_volume_km3"] == 4.6
    assert irtysh["h1_2025_mean_m3s"] == pytest.approx(IRTYSH_M3S)
    assert irtysh["h1_2025_mean_m3s"] == pytest.approx(294.1, abs=0.1)
    assert ili["h1_2025_volume_km3"] == 5.6
    assert ili["h1_2025_mean_m3s"] == pytest.approx(358.1, abs=0.1)
    for c in (irtysh, ili):
        assert c["flow_status"] == "figure"
        assert c["flow_period"] == "2025-01-01/2025-06-30"
        assert "Ministry of Water Resources" in c["flow_source"]
        assert c["flow_note"] == "volume received by Kazakhstan from China"


def test_crossings_without_a_figure_say_so(atlas):
    emel = crossing(atlas, "emel-1")
    assert emel["direction"] == "CHN → KAZ"
    assert np.isnan(emel["h1_2025_volume_km3"]) and np.isnan(emel["h1_2025_mean_m3s"])
    assert emel["flow_status"] == "no figure"
    assert emel["flow_note"] == EMEL_NOTE
    for cid in ("irtysh-2", "tekes-1"):
        c = crossing(atlas, cid)
        assert c["flow_status"] == "no figure" and np.isnan(c["h1_2025_volume_km3"])
        assert c["flow_note"] == f"no published figure for {c['direction']} in H1 2025"
        assert c["flow_period"] == "" and c["flow_source"] == ""
    assert any("3 geometr(y/ies) with no value" in n and "'emel-1'" in n for n in atlas.notes)


# --------------------------------------------------------------------------- the flows table


def test_flows_table_holds_published_and_derived_figures(atlas):
    f = atlas["flows"]
    assert list(f.columns) == list(FLOW_COLUMNS)
    published = f.loc[~f["derived"] & (f["status"] == "figure") & (f["subject_kind"] != "basin")]
    assert {4.6, 5.6, 10.2, 8.52, 0.32, 70.0} <= set(published["value"])
    mean = figure(atlas, "transboundary_inflow_mean_discharge", "irtysh-1")
    assert mean["value"] == pytest.approx(IRTYSH_M3S)
    assert (mean["unit"], mean["period_days"], bool(mean["derived"])) == ("m3/s", 181, True)
    assert mean["note"] == "4.6 km³ over 181 days = 294 m³/s on average"
    ili = figure(atlas, "transboundary_inflow_mean_discharge", "ili-2")
    assert ili["value"] == pytest.approx(ILI_M3S)
    release = figure(atlas, "release_to_lake_mean_discharge", "ili")
    assert release["value"] == pytest.approx(8.52e9 / (181 * 86400))


def test_shares(atlas):
    irtysh = figure(atlas, "share_of_transboundary_inflow_volume", "irtysh")
    ili = figure(atlas, "share_of_transboundary_inflow_volume", "ili")
    assert irtysh["value"] == pytest.approx(4.6 / 10.2 * 100)
    assert ili["value"] == pytest.approx(5.6 / 10.2 * 100)
    assert irtysh["value"] + ili["value"] == pytest.approx(100.0)
    balkhash = figure(atlas, "inflow_share_of_release_to_lake", "ili")
    assert balkhash["value"] == pytest.approx(5.6 / 8.52 * 100)  # 65.7 %
    assert balkhash["unit"] == "percent"


def test_emel_has_a_no_figure_row_not_a_zero(atlas):
    emel = figure(atlas, "transboundary_inflow_volume", "emel-1")
    assert np.isnan(emel["value"]) and emel["status"] == "no figure"
    assert emel["note"] == EMEL_NOTE
    assert emel["subject"] == "Emel" and emel["river_id"] == "emel"
    assert emel["period_start"] == "2025-01-01" and emel["period_end"] == "2025-06-30"
    f = atlas["flows"]
    assert not (f.loc[f["river_id"] == "emel", "value"] == 0).any()


def test_buran_long_term_mean_beside_the_2025_irtysh_mean(atlas):
    buran = figure(atlas, "long_term_mean_discharge", "2911109")
    assert buran["value"] == 297.09
    assert (buran["period_start"], buran["period_end"]) == ("1938-01-01", "1987-12-31")
    assert buran["river_id"] == "irtysh" and buran["subject_kind"] == "gauge"
    assert "GRDC" in buran["source"]
    # the same months as H1 2025, from the long-term monthly means (day-weighted)
    clim = atlas["gauge_climatology"]
    mq = clim.loc[(clim["grdc_no"] == 2911109) & (clim["month"] <= 6)].sort_values("month")["mq"]
    days = np.array([31, 28.25, 31, 30, 31, 30])
    expected = float((mq.to_numpy() * days).sum() / days.sum())
    spring = figure(atlas, "long_term_jan_jun_mean_discharge", "2911109")
    assert spring["value"] == pytest.approx(expected) and 330 < expected < 345
    volume = figure(atlas, "long_term_jan_jun_volume", "2911109")
    assert volume["value"] == pytest.approx(expected * 181 * 86400 / 1e9)
    assert volume["period_days"] == 181


def test_basin_p_minus_et(atlas):
    b = atlas["basins"].set_index("WATERSHED_ID")
    wb = atlas["water_balance_monthly"]
    ertis = wb.loc[wb["WATERSHED_ID"] == "NWB_00001"]
    p = ertis.groupby("year")["precipitation_mm"].sum().mean()
    et = ertis.groupby("year")["evapotranspiration_mm"].sum().mean()
    row = b.loc["NWB_00001"]
    assert row["p_mm_per_year"] == pytest.approx(p)
    assert row["p_minus_et_mm_per_year"] == pytest.approx(p - et)
    assert row["p_minus_et_mm_per_year"] == pytest.approx(56.26, abs=0.01)
    assert row["p_minus_et_km3_per_year"] == pytest.approx((p - et) * row["area_km2"] * 1e-6)
    assert row["balance_period"] == "2000-01-01/2023-12-31" and row["balance_years"] == 24
    assert row["fill_class"] == 3  # 40–80 mm/yr
    assert b.loc["SWB_00002", "p_minus_et_mm_per_year"] < 0  # Ili-Balkhash: ET exceeds P
    assert b.loc["SWB_00002", "fill_class"] == 0
    km3 = figure(atlas, "p_minus_et", "NWB_00001")
    assert km3["value"] == pytest.approx(row["p_minus_et_km3_per_year"])
    assert km3["unit"] == "km3/yr"


def test_water_balance_monthly_layer(atlas):
    wb = atlas["water_balance_monthly"]
    assert list(wb.columns) == [
        "WATERSHED_ID",
        "date",
        "year",
        "month",
        "precipitation_mm",
        "evapotranspiration_mm",
        "delta_s_mm",
        "precipitation_mswep_mm",
    ]
    assert len(wb) == 14 * 24 * 12
    first = wb.loc[(wb["WATERSHED_ID"] == "SWB_00004") & (wb["date"] == "2000-01-01")].iloc[0]
    assert (first["precipitation_mm"], first["delta_s_mm"]) == (29.7, 21.6)
    # the two sources' precipitation agree to rounding
    assert (wb["precipitation_mm"] - wb["precipitation_mswep_mm"]).abs().max() <= 0.05 + 1e-9


# --------------------------------------------------------------------------- rivers


def test_the_border_figure_stays_between_the_crossing_and_the_next_gauge(atlas):
    r = atlas["rivers"]
    irtysh = r.loc[r["river_id"] == "irtysh"].sort_values("km_from_source_start")
    border = irtysh.loc[irtysh["discharge_kind"] == "crossing"]
    crossing_km = crossing(atlas, "irtysh-1")["km_from_source"]
    buran = atlas["gauges"].set_index("grdc_no").loc[2911109, "km_from_source"]
    assert border["km_from_source_start"].min() == pytest.approx(crossing_km)
    assert border["km_from_source_end"].max() == pytest.approx(buran)
    assert np.allclose(border["mean_discharge_m3s"], IRTYSH_M3S)
    assert (border["width_class"] == 2).all() and (border["discharge_from"] == "irtysh-1").all()
    # no Irtysh reach below Lake Zaysan carries the border figure as its discharge
    zaysan = float(course_row(atlas, "irtysh")["lakes_on_course"].split("(km ")[1].split(")")[0])
    below = irtysh.loc[irtysh["km_from_source_start"] >= zaysan]
    assert len(below) > 10
    assert not np.isclose(below["mean_discharge_m3s"], IRTYSH_M3S).any()
    assert set(below["discharge_kind"]) <= {"gauge", ""}
    ili = r.loc[(r["river_id"] == "ili") & (r["discharge_kind"] == "crossing")]
    assert np.allclose(ili["mean_discharge_m3s"], ILI_M3S) and len(ili) >= 1
    assert r.loc[r["river_id"].isin(["emel", "tekes", "kunes"]), "mean_discharge_m3s"].isna().all()


def test_gauges_give_their_stretch_its_figure(atlas):
    r = atlas["rivers"]
    g = atlas["gauges"].set_index("grdc_no")
    at_gauge = r.loc[r["discharge_kind"] == "gauge"]
    assert set(at_gauge["discharge_from"]) >= {"2911109", "2911105", "2911104"}
    for no, row in at_gauge.groupby("discharge_from"):
        assert np.allclose(row["mean_discharge_m3s"], g.loc[int(no), "mean_discharge_m3s"])
        assert (row["flow_source"] == GRDC).all()
    semi = at_gauge.loc[at_gauge["discharge_from"] == "2911104"].iloc[0]
    assert semi["flow_period"] == "1960-01-01/1987-12-31" and "Semiyarskoje" in semi["flow_note"]


def test_the_kapchagay_release_applies_below_the_reservoir(atlas):
    r = atlas["rivers"]
    rel = r.loc[r["discharge_kind"] == "release"]
    assert len(rel) >= 1 and set(rel["river_id"]) == {"ili"}
    assert np.allclose(rel["mean_discharge_m3s"], 8.52e9 / (181 * 86400))
    kapchagay = float(course_row(atlas, "ili")["lakes_on_course"].split("(km ")[1].split(")")[0])
    assert (rel["km_from_source_start"] > kapchagay).all()


def test_river_courses_flow_columns(atlas):
    c = atlas["river_courses"].set_index("river_id")
    assert c.loc["irtysh", "mean_discharge_m3s"] == pytest.approx(IRTYSH_M3S)
    assert c.loc["ili", "mean_discharge_m3s"] == pytest.approx(ILI_M3S)
    assert np.isnan(c.loc["emel", "mean_discharge_m3s"])
    assert c.loc["emel", "flow_status"] == "no figure" and c.loc["emel", "flow_note"] == EMEL_NOTE
    assert c.loc["irtysh", "width_class"] == 2 and c.loc["emel", "width_class"] == -1
    assert "4.6 km³" in c.loc["irtysh", "flow_note"]


def test_layers_have_provenance(atlas):
    keys = {n: [p.key for p in atlas.layers[n].provenance] for n in atlas.layers}
    assert keys["flows"][0] == "seed_flows"
    assert "grdc_gauges" in keys["gauges"]
    assert keys["gauge_climatology"] == ["grdc_monthly_climatology"]
    assert keys["water_balance_monthly"] == ["wh_water_balance_gleam", "wh_precip_mswep"]
    assert atlas.layers["gauges"].spatial and not atlas.layers["flows"].spatial


# --------------------------------------------------------------------------- analysts' tables


def test_user_river_table_by_name_in_any_language(atlas, tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("река;Q\nИли;400,5\nЭмель;\nVolga;8000\n", encoding="utf-8")
    t = read_flow_table(path, key="река", value="Q", unit="m3/s", key_kind="river")
    a = fresh(atlas)
    attach_user_flows(a, t)
    c = a["river_courses"].set_index("river_id")
    assert c.loc["ili", "user_value"] == 400.5 and c.loc["ili", "user_mean_m3s"] == 400.5
    assert (c.loc["ili", "user_source"], c.loc["ili", "user_unit"]) == ("q.csv", "m3/s")
    assert c.loc["ili", "user_period"] == ""  # the table names no period
    assert np.isnan(c.loc["emel", "user_value"]) and c.loc["emel", "user_status"] == "no figure"
    # beside, not instead of: the published figures and their texts stay as they were
    for col in ("mean_discharge_m3s", "flow_note", "flow_period", "flow_source"):
        assert (c[col] == atlas["river_courses"].set_index("river_id")[col]).loc["ili"]
    assert c.loc["emel", "flow_note"] == EMEL_NOTE
    # a figure keyed by river says nothing about where it was measured: no reach takes it
    pieces = a["rivers"]
    assert not (pieces["mean_discharge_m3s"] == 400.5).any()
    notes = a.notes[len(atlas.notes) :]
    assert any("q.csv: figures keyed by river apply to each river as a whole" in n for n in notes)
    assert any("'Volga' (row 4)" in n for n in notes)
    assert any("missing value(s), shown as no figure: 'emel' (row 3)" in n for n in notes)
    user_rows = a["flows"].loc[a["flows"]["source"] == "q.csv"]
    assert len(user_rows) == 3 and user_rows["status"].tolist() == ["figure", "no figure", "figure"]
    assert "user_value" not in atlas["river_courses"]  # the session Atlas is untouched


def test_user_reach_table_and_basin_volumes(atlas, tmp_path):
    a = fresh(atlas)
    reaches = a["rivers"].loc[a["rivers"]["river_id"] == "emel", "reach_id"].unique()
    path = tmp_path / "dis.csv"
    lines = ["HYRIV_ID,DIS_AV_CMS"] + [f"{r}.0,{10 + i}" for i, r in enumerate(reaches)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = read_flow_table(path, key="HYRIV_ID", value="DIS_AV_CMS", unit="cms", key_kind="reach")
    attach_user_flows(a, t)
    emel = a["rivers"].loc[a["rivers"]["river_id"] == "emel"]
    assert emel["flow_status"].eq("figure").all() and emel["width_class"].eq(0).all()
    assert emel["flow_source"].eq("dis.csv").all() and emel["discharge_kind"].eq("reach").all()
    assert emel["flow_note"].str.contains("DIS_AV_CMS from dis.csv").all()
    net = a["network"]
    assert net.loc[net["reach_id"].isin(reaches), "user_value"].notna().all()
    assert net["user_status"].eq("figure").sum() == len(reaches)
    assert any(f"{len(reaches)} of {len(reaches)} table row(s) matched" in n for n in a.notes)
    basin = tmp_path / "b.csv"
    basin.write_text("WATERSHED_ID,runoff\nNWB_00001,10\n", encoding="utf-8")
    tb = read_flow_table(
        basin,
        key="WATERSHED_ID",
        value="runoff",
        unit="mm",
        key_kind="basin",
        period_start="2025-01-01",
        period_end="2025-06-30",
    )
    second = attach_user_flows(a, tb)
    assert second.prefix == "user_2"  # the reach table keeps its columns
    row = a["basins"].set_index("WATERSHED_ID").loc["NWB_00001"]
    expected = 10e-3 * row["area_km2"] * 1e6 / (181 * 86400)
    assert row["user_2_mean_m3s"] == pytest.approx(expected)
    assert row["user_2_period"] == "2025-01-01/2025-06-30"
    assert a["network"]["user_status"].eq("figure").sum() == len(reaches)


def test_user_table_report_errors_by_policy(atlas, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("crossing,km3\nirtysh-1,4.6\nirtysh-1,4.7\n", encoding="utf-8")
    t = read_flow_table(path, key="crossing", value="km3", unit="km3", key_kind="crossing")
    with pytest.raises(FlowTableError, match=r"dup\.csv -> crossings: key 'irtysh-1' appears 2"):
        attach_user_flows(fresh(atlas), t)
    a = fresh(atlas)
    attach_user_flows(a, t, JoinPolicy(duplicates="warning"))
    c = a["crossings"].set_index("crossing_id")
    assert c.loc["irtysh-1", "user_value"] == 4.6
    assert np.isnan(c.loc["irtysh-1", "user_mean_m3s"])  # a volume without a period


def test_user_figures_table_replaces_the_seed(atlas_core, tmp_path):
    seed = tmp_path / "mine.csv"
    text = atlas_core.sources.path("flows").read_text(encoding="utf-8")
    seed.write_text(text.replace(",4.6,", ",4.5,"), encoding="utf-8")
    a = fresh(atlas_core)
    a.sources = with_overrides(a.sources, {"flows": seed})
    attach_flows(a)
    assert crossing(a, "irtysh-1")["h1_2025_volume_km3"] == 4.5
    # 4.5 + 5.6 no longer make 10.2: the note says so instead
    assert crossing(a, "emel-1")["flow_note"] == (
        "4.5 + 5.6 make 10.1 of the 10.2 total; the article gives no Emel figure"
    )
    assert "h1_2025_volume_km3" not in atlas_core["crossings"]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("river,Q\nIli,1\n", encoding="utf-8")
    b = fresh(atlas_core)
    b.sources = with_overrides(b.sources, {"flows": wrong})
    with pytest.raises(FlowTableError, match=r"wrong\.csv: not a figures table"):
        attach_flows(b)


def test_one_call_for_the_cli(atlas, tmp_path):
    path = tmp_path / "h1.csv"
    path.write_text('crossing;V\nili-2;"5,6"\nemel-1;"0,1,2"\n', encoding="utf-8")
    opts = {"key": "crossing", "value": "V", "unit": "bcm", "key_kind": "crossing"}
    with pytest.raises(FlowTableError, match=r"row 3, column 'V': '0,1,2' is not a number"):
        attach_user_flow_file(fresh(atlas), path, **opts, period="2025-01-01/2025-06-30")
    with pytest.raises(FlowTableError, match=r"period '2025-01-01'; accepted: START/END"):
        attach_user_flow_file(fresh(atlas), path, **opts, period="2025-01-01")
    a = fresh(atlas)
    policy = JoinPolicy(bad_values="warning")
    attach_user_flow_file(a, path, **opts, period="01.01.2025/30.06.2025", policy=policy)
    c = a["crossings"].set_index("crossing_id")
    assert c.loc["ili-2", "user_mean_m3s"] == pytest.approx(ILI_M3S)
    assert c.loc["emel-1", "user_status"] == "no figure"
    assert any("'emel-1' = '0,1,2' (row 3)" in n for n in a.notes)


def test_a_rivers_own_crossing_id_names_the_shared_place(atlas, tmp_path):
    path = tmp_path / "own_ids.csv"
    path.write_text("crossing,Q\nili-1,12.5\ntekes-1,12.5\n", encoding="utf-8")
    a = fresh(atlas)
    opts = {"key": "crossing", "value": "Q", "unit": "m3/s", "key_kind": "crossing"}
    attach_user_flow_file(a, path, **opts, policy=JoinPolicy(duplicates="warning"))
    c = a["crossings"].set_index("crossing_id")
    assert c.loc["tekes-1", "user_value"] == 12.5
    # both ids name one place: the second row is a duplicate key, reported
    assert any("duplicate key(s)" in n and "'tekes-1' (rows 2, 3)" in n for n in a.notes)


def test_pieces_name_the_source_of_their_figure(atlas):
    r = atlas["rivers"]
    has = r["flow_status"] == "figure"
    by_kind = r.loc[has].groupby("discharge_kind")["flow_source"].agg(set).to_dict()
    assert by_kind["gauge"] == {GRDC}
    assert all("Ministry of Water Resources" in s for s in by_kind["crossing"] | by_kind["release"])
    assert (r.loc[~has, "flow_source"] == "").all() and (r.loc[~has, "discharge_kind"] == "").all()


def test_rivers_that_cross_no_border(atlas_core):
    """Only the Kunes traced (it stays in China): every crossing figure becomes a key with no
    geometry in the report, nothing fails, the course has no figure."""
    a = fresh(atlas_core)
    keep = {"river_courses": "kunes", "rivers": "kunes"}
    for name, rid in keep.items():
        f = a[name]
        a.layers[name] = dataclasses.replace(a.layers[name], frame=f.loc[f["river_id"] == rid])
    a.layers["crossings"] = dataclasses.replace(
        a.layers["crossings"], frame=a["crossings"].iloc[0:0][["geometry"]]
    )
    attach_flows(a)
    assert a["crossings"].empty and "h1_2025_mean_m3s" in a["crossings"]
    assert a["river_courses"]["flow_status"].tolist() == ["no figure"]
    assert any("2 key(s) in the table with no geometry" in n for n in a.notes)


def test_yearly_water_balance_sums_the_months_and_feeds_the_basin_means(atlas):
    monthly = atlas["water_balance_monthly"]
    yearly = atlas["water_balance_yearly"].set_index(["WATERSHED_ID", "year"])
    one = monthly.loc[(monthly.WATERSHED_ID == "SWB_00002") & (monthly.year == 2010)]
    assert len(one) == 12
    expected = one.precipitation_mm.sum() - one.evapotranspiration_mm.sum()
    assert yearly.loc[("SWB_00002", 2010), "p_minus_et_mm"] == pytest.approx(expected, abs=1e-9)
    basins = atlas["basins"].set_index("WATERSHED_ID")
    complete = yearly.loc["NWB_00001"].query("months == 12")
    assert basins.loc["NWB_00001", "p_minus_et_mm_per_year"] == pytest.approx(
        complete.p_minus_et_mm.mean(), rel=1e-12
    )
    assert basins.loc["NWB_00001", "balance_years"] == len(complete) == 24
