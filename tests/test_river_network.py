"""The embedded default network (portal lines + World Data Bank II headwaters) and where each
traced stretch comes from."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from layers.register import load_register
from layers.sources import DATA_DIR, default_sources
from rivermap.cli import main


def test_committed_default_network_is_what_merge_network_builds(tmp_path):
    """`make network` (rivermap merge-network) rebuilds the committed file byte for byte."""
    out = tmp_path / "rivers_merged.geojson"
    result = CliRunner().invoke(main, ["--quiet", "merge-network", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (DATA_DIR / "rivers_merged.geojson").read_bytes()


def test_default_network_reaches_carry_their_source(atlas_core):
    net = atlas_core.network
    assert set(net.reach_source) == {"wh_rivers", "wdb_rivers"}
    frame = atlas_core["network"]
    assert frame["source"].tolist() == list(net.reach_source)
    pieces = atlas_core["rivers"]
    assert set(pieces["source"]) == {"wh_rivers", "wdb_rivers"}
    wdb = pieces.loc[pieces["source"] == "wdb_rivers", "source_title"]
    assert (wdb == "World Data Bank II (1:1–3M)").all()


@pytest.mark.parametrize("river_id", ["irtysh", "ili", "emel", "tekes", "kunes"])
def test_stretches_cover_each_course_from_its_source(atlas_core, river_id):
    """Every river now starts on World Data Bank II's line and ends on the portal's."""
    stretches = atlas_core.traced.stretches[river_id]
    course = atlas_core["river_courses"].set_index("river_id").loc[river_id]
    assert stretches[0][0] == 0.0
    assert stretches[-1][1] == pytest.approx(course.length_km)
    assert all(a[1] == b[0] for a, b in zip(stretches, stretches[1:], strict=False))
    assert stretches[0][2].startswith("World Data Bank II")
    assert stretches[-1][2].startswith("WaterHydro portal network")
    assert course.drawn_from.startswith("km 0–")
    assert f"{stretches[0][1]:,.0f}" in course.drawn_from


def test_trace_prints_where_each_stretch_comes_from():
    result = CliRunner().invoke(main, ["--quiet", "trace", "--rivers", "emel"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(i for i, t in enumerate(lines) if t.strip().startswith("drawn from"))
    assert "World Data Bank II (1:1–3M)" in lines[first]
    assert "WaterHydro portal network (15″ grid lines)" in lines[first + 1]
    as_json = CliRunner().invoke(main, ["--quiet", "trace", "--format", "json"])
    rows = {r["river_id"]: r for r in json.loads(as_json.stdout)}
    emel = rows["emel"]["drawn_from"]
    assert emel[0]["from_km"] == 0.0 and emel[-1]["to_km"] == rows["emel"]["length_km"]


def test_an_analysts_new_tributary_traces_to_its_real_source(tmp_path):
    """The Kash, added to the register with its mouth on the Ili and a via point, rises where
    World Data Bank II's line does (84.90 E 43.45 N), far east of where the portal stops."""
    from rivermap import api

    text = (DATA_DIR / "rivers.toml").read_text(encoding="utf-8")
    text += (
        '\n[[river]]\nid = "kash"\nname_en = "Kash"\nname_kk = "Қаш"\nname_ru = "Каш"\n'
        'name_zh = "喀什河"\nmouth = [81.807, 43.623]\nvia = [84.2, 43.66]\n'
        'ends_in = "Ili"\nparent = "ili"\n'
    )
    reg = tmp_path / "rivers.toml"
    reg.write_text(text, encoding="utf-8")
    assert load_register(reg).river("kash").via == (84.2, 43.66)
    atlas = api.load(rivers=["kash"], register=reg, steps=())
    row = atlas["river_courses"].iloc[0]
    assert (row.source_lon, row.source_lat) == pytest.approx((84.90, 43.446), abs=0.01)
    head = atlas.traced.stretches["kash"][0]
    assert head[2].startswith("World Data Bank II") and head[1] > 100


def test_analyst_pair_merged_at_run_time_matches_the_committed_merge():
    """--data rivers=PORTAL --data headwaters=WDBII traces what the embedded default does."""
    pair = [
        "--data",
        f"rivers={DATA_DIR / 'wh_rivers.geojson'}",
        "--data",
        f"headwaters={DATA_DIR / 'wdb_rivers.geojson'}",
    ]
    args = ["trace", "--format", "json", "--rivers", "emel,tekes"]
    ran = CliRunner().invoke(main, ["--quiet", *args, *pair])
    default = CliRunner().invoke(main, ["--quiet", *args])
    assert ran.exit_code == 0, ran.output
    got, want = json.loads(ran.stdout), json.loads(default.stdout)
    for a, b in zip(got, want, strict=True):
        assert a["length_km"] == pytest.approx(b["length_km"], abs=0.1)
        assert [c["from"] for c in a["crossings"]] == [c["from"] for c in b["crossings"]]


def test_default_sources_name_the_merged_network_and_its_licences():
    p = default_sources().about("rivers")
    assert p.file == "rivers_merged.geojson"
    assert "LGPL-3.0-or-later" in p.licence and "MIT" in p.licence
    assert "GSHHG 2.3.7, Wessel & Smith; World Data Bank II" in p.attribution
    for name in ("LICENSE-LGPL-3.0.txt", "LICENSE-GPL-3.0.txt"):
        assert "GNU" in (DATA_DIR / name).read_text(encoding="utf-8")[:400]
    assert np.isin(
        ["wh_rivers.geojson", "wdb_rivers.geojson"], [f.name for f in DATA_DIR.iterdir()]
    ).all()


def test_profiles_start_at_the_real_sources_and_name_their_dem(atlas, map_pages):
    """The Tekes rises above 3,000 m in the Terskey Alatau; each profile says which DEM drew
    which stretch, on the river page too."""
    p = atlas["profiles"]
    tekes = p.loc[p["river_id"] == "tekes"].sort_values("km_from_source")
    assert tekes["elevation_m"].iloc[:5].min() > 3000
    courses = atlas["river_courses"].set_index("river_id")
    ili = courses.loc["ili", "profile_dem"]
    first, last = ili.split("; ")
    assert first.startswith("km 0–") and "GEBCO 2023 (15″ grid, about 450 m)" in first
    assert "pvlib/Mapzen DEM (5′ grid, about 9 km)" in last
    assert f"–{courses.loc['ili', 'length_km']:,.0f} pvlib" in last
    html = map_pages["ili"].read_text(encoding="utf-8")
    assert "GEBCO 2023 (15″ grid, about 450 m)" in html


def test_readme_table_of_traced_lengths_is_what_trace_gives(atlas_core):
    """The README's headwaters table quotes the committed data; it must not drift."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    courses = atlas_core["river_courses"].set_index("river_id")
    rows = {
        "| Irtysh, in China |": courses.loc["irtysh", "length_km_chn"],
        "| Ili (with the Tekes) |": courses.loc["ili", "length_km"],
        "| Ili, in Kazakhstan |": courses.loc["ili", "length_km_kaz"],
        "| Tekes |": courses.loc["tekes", "length_km"],
        "| Tekes, in Kazakhstan |": courses.loc["tekes", "length_km_kaz"],
        "| Kunes |": courses.loc["kunes", "length_km"],
        "| Emel |": courses.loc["emel", "length_km"],
        "| Emel, in China |": courses.loc["emel", "length_km_chn"],
    }
    for head, km in rows.items():
        line = next(t for t in readme.splitlines() if t.startswith(head))
        assert f" {km:,.1f} km " in line, (head, km)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("shp", r"headwaters\.shp: no CRS"),  # a shapefile without its .prj
        ("geojson", r"headwaters\.geojson: 5 Point among the features.*accepted geometry types"),
    ],
    ids=["no-crs", "points"],
)
def test_a_bad_headwaters_file_is_one_line_naming_it(tmp_path, kind, message):
    import re

    import geopandas as gpd
    import shapely

    lines = gpd.read_file(DATA_DIR / "wdb_rivers.geojson").iloc[:5]
    path = tmp_path / f"headwaters.{kind}"
    if kind == "shp":
        lines.to_file(path)
        path.with_suffix(".prj").unlink()
    else:  # the first vertex of each line: points where lines are expected
        first = shapely.get_point(lines.geometry.values, 0)
        lines.set_geometry(first, crs=4326).to_file(path)
    result = CliRunner().invoke(
        main, ["--quiet", "trace", "--rivers", "emel", "--data", f"headwaters={path}"]
    )
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert re.search(message, result.stderr), result.stderr


def test_an_analysts_network_without_the_registers_via_branch_still_traces():
    """The Irtysh's via point lies on World Data Bank II's head: a network without it (the
    portal's lines alone, like an analyst's extract) traces the mainstem, with a note."""
    portal = f"rivers={DATA_DIR / 'wh_rivers.geojson'}"
    result = CliRunner().invoke(
        main, ["trace", "--format", "json", "--rivers", "irtysh", "--data", portal]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["drawn_from"][0]["source"] == "rivers supplied by the user (wh_rivers.geojson)"
    assert "register river 'irtysh': via point lon 90.0988, lat 47.3948 lies on no reach" in (
        result.stderr
    )
    assert row["length_km"] < 3200  # the portal's own, shorter head


def test_headwaters_extend_a_file_too_large_to_read_whole(tmp_path, monkeypatch):
    """A continental HydroRIVERS file is read without its lines, but the merge needs every
    line: with the headwaters role it is read whole (here: a 2-reach file above a lowered
    limit)."""
    import geo.network_build
    import layers.elevation
    from layers.river_network import load_network
    from layers.sources import with_overrides
    from tests.test_headwaters import HEAD, primary_lines, secondary

    monkeypatch.setattr(geo.network_build, "WHOLE_READ_LIMIT", 1)

    class RisingNorth:  # the embedded DEM falls north of 45.3 N here: keep the head uphill
        def sample(self, lon, lat):
            return np.asarray(lat) * 1000.0, None

    monkeypatch.setattr(layers.elevation, "elevation_source", lambda sources: RisingNorth())
    rivers = tmp_path / "hydrorivers.gpkg"
    primary_lines().assign(HYRIV_ID=[40, 50], NEXT_DOWN=[50, 0], LENGTH_KM=[11.1, 22.2]).to_file(
        rivers
    )
    heads = tmp_path / "heads.gpkg"
    secondary(HEAD).to_file(heads)
    sources = with_overrides(default_sources(), {"rivers": rivers, "headwaters": heads})
    net, notes = load_network(sources)
    assert len(net) == 3, notes
    assert net.reach_source.tolist() == ["rivers", "rivers", "headwaters"]
    assert any("1 reach(es), 22 km added" in n for n in notes)
