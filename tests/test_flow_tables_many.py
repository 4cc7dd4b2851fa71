"""Several analyst tables in one run: through the API twice, through the CLI (repeated
--flow-table and a TOML list), each with its own columns, report and rows in ``flows``;
conflicting figures both kept and reported."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from geo.errors import DataSourceError, FlowTableError
from layers.joins import JoinPolicy
from layers.table_list import read_table_list
from rivermap import api
from rivermap.cli import main

ILI_M3S = 5.6e9 / (181 * 86400)


def fresh(atlas):
    layers = {k: dataclasses.replace(v, frame=v.frame.copy()) for k, v in atlas.layers.items()}
    return dataclasses.replace(
        atlas, layers=layers, notes=list(atlas.notes), flow_tables=list(atlas.flow_tables)
    )


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_two_tables_through_the_api_both_reach_flows_layers_and_notes(atlas, tmp_path):
    a = fresh(atlas)
    q24 = write(tmp_path / "q2024.csv", "river,Q\nili,370\nirtysh,290\n")
    v25 = write(tmp_path / "v2025.csv", "crossing,V\nili-2,5.5\n")
    one = api.join_flow_table(
        a, q24, key="river", value="Q", unit="m3/s", period="2024-01-01/2024-12-31"
    )
    two = api.join_flow_table(
        a,
        v25,
        key="crossing",
        value="V",
        unit="km3",
        key_kind="crossing",
        period="2025-01-01/2025-06-30",
        table_id="h1_2025",
    )
    assert (one.prefix, two.prefix) == ("user", "user_h1_2025")
    courses = a["river_courses"].set_index("river_id")
    assert courses.loc["ili", "user_value"] == 370
    assert courses.loc["ili", "user_period"] == "2024-01-01/2024-12-31"
    crossings = a["crossings"].set_index("crossing_id")
    assert crossings.loc["ili-2", "user_h1_2025_value"] == 5.5
    assert crossings.loc["ili-2", "user_h1_2025_mean_m3s"] == pytest.approx(5.5e9 / (181 * 86400))
    assert crossings.loc["ili-2", "h1_2025_volume_km3"] == 5.6  # the published one beside it
    flows = a["flows"]
    assert set(flows["source"]) >= {"q2024.csv", "v2025.csv"}
    assert flows.loc[flows["source"] == "v2025.csv", "subject_id"].tolist() == ["ili-2"]
    assert flows.loc[flows["source"] == "v2025.csv", "river_id"].tolist() == ["ili"]
    new = a.notes[len(atlas.notes) :]
    assert any(n.startswith("q2024.csv -> river_courses: 2 of 2") for n in new)
    assert any(n.startswith("v2025.csv -> crossings: 1 of 1") for n in new)
    # the analyst's crossing figure now draws the stretch below that crossing
    r = a["rivers"]
    below = r.loc[r["discharge_from"] == "ili-2"]
    assert len(below) and (below["flow_source"] == "v2025.csv").all()
    assert below["mean_discharge_m3s"].iloc[0] == pytest.approx(5.5e9 / (181 * 86400))
    assert [t.prefix for t in a.flow_tables] == ["user", "user_h1_2025"]


def test_a_table_id_is_checked_and_unique(atlas, tmp_path):
    a = fresh(atlas)
    q = write(tmp_path / "q.csv", "river,Q\nili,370\n")
    opts = {"key": "river", "value": "Q", "unit": "m3/s"}
    with pytest.raises(FlowTableError, match=r"table id 'Bad id'; accepted: lower-case"):
        api.join_flow_table(a, q, table_id="Bad id", **opts)
    api.join_flow_table(a, q, table_id="x", **opts)
    with pytest.raises(FlowTableError, match=r"table id 'x' is used by two tables"):
        api.join_flow_table(a, q, table_id="x", **opts)


def test_overlapping_periods_with_different_figures_are_both_kept_and_reported(atlas, tmp_path):
    a = fresh(atlas)
    opts = {"key": "river", "value": "Q", "unit": "m3/s"}
    api.join_flow_table(
        a,
        write(tmp_path / "a.csv", "river,Q\nili,370\nemel,20\n"),
        period="2024-01-01/2024-12-31",
        **opts,
    )
    api.join_flow_table(
        a,
        write(tmp_path / "b.csv", "river,Q\nili,380\nemel,20\n"),
        period="2024-07-01/2025-06-30",
        **opts,
    )
    api.join_flow_table(
        a, write(tmp_path / "c.csv", "river,Q\nili,999\n"), period="2026-01-01/2026-12-31", **opts
    )
    conflict = [n for n in a.notes if "different figures over overlapping periods" in n]
    assert conflict == [
        "b.csv and a.csv: 1 key(s) with different figures over overlapping periods "
        "(2024-07-01/2025-06-30 and 2024-01-01/2024-12-31), both kept: 'ili': 380 against 370 m³/s"
    ]
    c = a["river_courses"].set_index("river_id")
    assert (c.loc["ili", "user_value"], c.loc["ili", "user_2_value"]) == (370, 380)
    rows = a["flows"].loc[a["flows"]["subject_id"] == "ili"]
    assert set(rows.loc[rows["source"].isin(["a.csv", "b.csv"]), "value"]) == {370, 380}


def test_repeated_flow_table_and_a_toml_list_through_the_cli(tmp_path):
    q = write(tmp_path / "q.csv", "river;Q\nili;370\nemel;12\n")
    q2 = write(tmp_path / "q2.csv", "river;Q\nirtysh;290\n")
    write(tmp_path / "v.csv", "HYRIV_ID,DIS\n389,\n")
    listing = write(
        tmp_path / "tables.toml",
        '[[table]]\npath = "v.csv"\nkey = "HYRIV_ID"\nkey_kind = "reach"\nvalue = "DIS"\n'
        'unit = "m3/s"\nid = "dis"\non_missing = "warning"\n',
    )
    folder = tmp_path / "out"
    out = folder / "rivermap.gpkg"
    args = ["build", "--out", str(folder), "--lang", "en", "--rivers", "ili,irtysh"]
    args += ["--flow-table", str(q)]
    args += ["--flow-table", str(q2), "--flow-key", "river", "--flow-value", "Q"]
    args += ["--flow-unit", "m3/s", "--flow-tables", str(listing)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    err = result.stderr
    for what in ("q.csv -> river_courses", "q2.csv -> river_courses", "v.csv -> network"):
        assert f"note: {what}: " in err
    assert "v.csv -> network: 1 missing value(s), shown as no figure" in err
    courses = pyogrio.read_dataframe(out, layer="river_courses").set_index("river_id")
    assert courses.loc["ili", "user_value"] == 370
    assert courses.loc["irtysh", "user_2_value"] == 290
    flows = pyogrio.read_dataframe(out, layer="flows", read_geometry=False)
    assert {"q.csv", "q2.csv", "v.csv"} <= set(flows["source"])
    net = pyogrio.read_info(out, layer="network")["fields"]
    assert {"user_dis_value", "user_dis_status"} <= set(net)
    # the maps: the analyst's figure in the Ili's popup, every table in the legend
    page = (folder / "ili.html").read_text(encoding="utf-8")
    assert "370 m³/s" in page and '<span translate="no">q.csv</span>' in page
    for line in (
        "q.csv: Q (m³/s), no period; 1 of 2 rows joined",
        "q2.csv: Q (m³/s)",
        "v.csv: DIS",
    ):
        assert line in page


def test_a_table_list_names_what_is_wrong(tmp_path):
    write(tmp_path / "v.csv", "k,v\n1,2\n")
    cases = {
        "table = 1\n": r"expected one or more \[\[table\]\] entries",
        '[[table]]\npath = "v.csv"\nkey = "k"\n': r"#1: missing key\(s\) value, unit",
        '[[table]]\npath = "v.csv"\nkey = "k"\nvalue = "v"\nunit = "m3/s"\ncolour = "red"\n': r"#1: unknown key\(s\) \['colour'\]",
        '[[table]]\npath = "v.csv"\nkey = "k"\nvalue = "v"\nunit = 5\n': r"unit must be non-empty text, not 5",
        '[[table]]\npath = "v.csv"\nkey = "k"\nvalue = "v"\nunit = "m3/s"\non_missing = "maybe"\n': r"#1: join policy missing='maybe'; accepted: error, warning",
        "[[table\n": r"not valid TOML",
    }
    for k, (text, message) in enumerate(cases.items()):
        p = write(tmp_path / f"t{k}.toml", text)
        with pytest.raises(FlowTableError, match=message):
            read_table_list(p)
    p = write(
        tmp_path / "gone.toml",
        '[[table]]\npath = "nope.csv"\nkey = "k"\nvalue = "v"\nunit = "m3/s"\n',
    )
    with pytest.raises(
        DataSourceError, match=r"gone.toml: \[\[table\]\] #1: path 'nope.csv': file .* not found"
    ):
        read_table_list(p)
    specs = read_table_list(
        write(
            tmp_path / "ok.toml",
            '[[table]]\npath = "v.csv"\nkey = "k"\nvalue = "v"\nunit = "m3/s"\n',
        ),
        default=JoinPolicy(missing="warning"),
    )
    assert specs[0].path == tmp_path / "v.csv" and specs[0].policy.missing == "warning"
    assert isinstance(specs[0].read().frame, pd.DataFrame)
