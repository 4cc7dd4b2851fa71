"""The GeoPackage as an analyst opens it in real QGIS: the stored project, relations,
aliases, temporal properties, labels and the terrain tiles.

One QGIS subprocess (Debian's python3-qgis under the system ``/usr/bin/python3``,
``QT_QPA_PLATFORM=offscreen``) opens the project stored in the export exactly as Project →
Open From → GeoPackage does and reports what it sees (``tests/qgis_project_check.py``); a
second runs GDAL's GeoPackage validator with Debian's GDAL bindings, which also checks the
raster tiles (the project's venv has no ``osgeo``, so the in-process validator skips them).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from layers.fields import describe
from layers.gpkg import write_geopackage
from layers.qgis_project import GROUPS, HIDDEN, PROJECT_NAME
from layers.styles import STYLES

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_project_check.py")


def _system_python_has(module: str) -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not _system_python_has("qgis.core"),
    reason="needs Debian's python3-qgis (make test installs it)",
)


def _sql(path: Path, query: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def opened(atlas, tmp_path_factory) -> tuple[Path, dict]:
    """The export written once and opened once in QGIS (report as a dict)."""
    path = write_geopackage(atlas, tmp_path_factory.mktemp("qgis") / "rivermap.gpkg")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    png = path.with_name("project.png")
    run = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), str(path), PROJECT_NAME, "--png", str(png)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path_factory.getbasetemp(),  # not the export's folder: sources resolve alone
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return path, json.loads(run.stdout.strip().splitlines()[-1])


def _by_table(report: dict) -> dict[str, dict]:
    """Layers by GeoPackage table name (from their source)."""
    out = {}
    for info in report["layers"].values():
        src = info["source"]
        name = src.split("layername=")[-1] if "layername=" in src else src.rsplit(":", 1)[-1]
        out[name.split("|")[0]] = info
    return out


def test_the_stored_project_opens_with_every_layer_valid(atlas, opened):
    path, report = opened
    assert report["read"] is True
    assert report["crs"] == "EPSG:4326"
    layers = _by_table(report)
    expected = set(atlas.layers) | {"basins_monthly", "relief", "hillshade", "elevation"}
    assert set(layers) == expected
    assert all(info["valid"] for info in layers.values()), [
        n for n, i in layers.items() if not i["valid"]
    ]
    for name, layer in atlas.layers.items():
        assert layers[name]["features"] == len(layer.frame), name
        assert layers[name]["source"].startswith(str(path)), name  # the same file
    assert report["title"].startswith("Irtysh")
    assert report["metadata"]["author"].startswith("rivermap ")
    assert report["metadata"]["creation"][:2] == "20"


def test_groups_order_and_visibility(atlas, opened):
    _, report = opened
    groups = [g["group"] for g in report["tree"]]
    declared = [title for title, _ in GROUPS]
    assert groups == [g for g in declared if g in groups]
    assert groups[0] == "Rivers and crossings" and groups[-1] == "Tables"
    tree = {g["group"]: g["children"] for g in report["tree"]}
    ids = {v["name"]: k for k, v in report["layers"].items()}
    names = {i: i.removesuffix("_rivermap") for i in ids.values()}
    rivers = [names[c["id"]] for c in tree["Rivers and crossings"]]
    assert rivers == ["crossings", "gauges", "river_courses", "rivers"]
    tables = {names[c["id"]] for c in tree["Tables"]}
    assert tables == {n for n, lyr in atlas.layers.items() if not lyr.spatial}
    checked = {names[c["id"]]: c["checked"] for g in tree.values() for c in g}
    assert {n for n, on in checked.items() if not on} == HIDDEN
    themes = report["themes"]
    monthly = themes["Water balance by month"]
    assert "basins_monthly_rivermap" in monthly and "basins_rivermap" not in monthly


def test_relations_match_the_geopackage_related_tables(opened):
    path, report = opened
    relations = {r["id"]: r for r in report["relations"]}
    assert {"gauge_months", "crossing_flows", "river_flows", "basin_flows", "river_profile"} <= set(
        relations
    )
    assert all(r["valid"] for r in relations.values())
    assert relations["gauge_months"]["pairs"] == [["grdc_no", "grdc_no"]]
    # what QGIS finds through each relation is what the GeoPackage's mapping table pairs
    for rid, found in report["related_rows"].items():
        (count,) = _sql(path, f'SELECT count(*) FROM "rel_{rid}"')[0]
        assert found == count > 0, rid
    (months,) = _sql(path, "SELECT count(*) FROM gauge_climatology")[0]
    assert report["related_rows"]["gauge_months"] == months


def test_aliases_labels_and_types(opened):
    _, report = opened
    layers = _by_table(report)
    gauges = layers["gauges"]
    assert gauges["aliases"]["mean_discharge_m3s"] == describe("gauges", "mean_discharge_m3s").title
    assert all(gauges["aliases"].values())
    assert gauges["labels"]["field"] == "station"
    assert gauges["labels"]["scale_visibility"] is True
    assert gauges["labels"]["min_scale"] == STYLES["gauges"].label_max_scale
    assert layers["rivers"]["labels"] is None  # the name is on the course, once
    assert layers["river_courses"]["labels"]["field"] == "name_en"
    assert layers["lakes"]["labels"]["field"] == "name_en"
    assert layers["flows"]["types"]["period_start"] == "Date"
    assert layers["rivers"]["renderer"] == "categorizedSymbol"
    assert "rivermap" in gauges["metadata"]["contacts"]
    assert all(gauges["metadata"]["links"]) and gauges["metadata"]["extent"]


def test_no_reach_is_dashed_without_a_modelled_discharge(atlas, opened):
    """The default data has no modelled discharge: QGIS draws every traced reach solid."""
    _, report = opened
    styles = _by_table(report)["rivers"]["stroke_styles"]
    assert set(styles) == {"solid"}
    assert set(styles["solid"]) == set(atlas["rivers"]["discharge_kind"].fillna("").astype(str))


def test_temporal_controller_sees_the_monthly_water_balance(opened):
    _, report = opened
    layers = _by_table(report)
    for name in ("basins_monthly", "water_balance_monthly"):
        t = layers[name]["temporal"]
        assert t["active"] and t["start_field"] == "date" and t["duration"] == 1, name
        assert layers[name]["types"]["date"] == "Date"
    assert layers["basins_monthly"]["features"] == layers["water_balance_monthly"]["features"]
    assert report["time"]["start"] == "2000-01-01" and report["time"]["end"] == "2024-01-01"
    assert report["time"]["step"] == 1


def test_terrain_tiles_open_styled(atlas, opened):
    _, report = opened
    layers = _by_table(report)
    shade = layers["hillshade"]
    rows, cols = atlas.rasters["hillshade"][0].shape[1:]
    assert (shade["height"], shade["width"]) == (rows, cols)
    assert shade["blend"] == 13  # QPainter::CompositionMode_Multiply, as the HTML overlay
    assert layers["elevation"]["renderer"] == "singlebandpseudocolor"
    assert layers["relief"]["renderer"] == "multibandcolor"
    assert report["png_drawn_share"] > 0.75  # relief and layers cover the view


def test_gdal_validator_with_raster_checks(opened):
    path, _ = opened
    if not _system_python_has("osgeo.gdal"):
        pytest.skip("needs Debian's python3-gdal for the raster tile checks")
    module = pytest.importorskip("osgeo_utils.samples.validate_gpkg")
    run = subprocess.run(
        [SYSTEM_PYTHON, module.__file__, "--extra", str(path)], capture_output=True, text=True
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-2000:]
