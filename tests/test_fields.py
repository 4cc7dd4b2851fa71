"""Every column of the GeoPackage described: the registry, gpkg_data_columns and QGIS aliases.

A column added to a layer without a description in ``layers/fields.py`` fails here; an
analyst's own column (kept from their file) gets a generic description naming that file.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from layers.fields import LAYERS, describe, known
from layers.gpkg import write_geopackage
from layers.gpkg_columns import export_columns
from layers.styles import BASIN_FILL, FLOW_WIDTH
from tests.gpkg_validator import validator_messages


@pytest.fixture(scope="module")
def exported(atlas, tmp_path_factory) -> Path:
    return write_geopackage(atlas, tmp_path_factory.mktemp("fields") / "rivermap.gpkg")


def _sql(path: Path, query: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def test_every_column_of_the_default_build_is_in_the_registry(atlas):
    undescribed = [
        f"{name}.{col}"
        for name, layer in atlas.layers.items()
        for col in layer.frame.columns
        if col != getattr(layer.frame, "_geometry_column_name", None) and known(name, col) is None
    ]
    assert undescribed == [], "describe these columns in layers/field_registry.py"


def test_every_column_of_every_table_has_a_data_columns_row(exported):
    tables = [r[0] for r in _sql(exported, "SELECT table_name FROM gpkg_contents")]
    rows = {
        (t, c): (name, title, desc)
        for t, c, name, title, desc in _sql(
            exported,
            "SELECT table_name, column_name, name, title, description FROM gpkg_data_columns",
        )
    }
    assert len(tables) >= 15
    for table in tables:
        for _, col, *_ in _sql(exported, f"PRAGMA table_info('{table}')"):
            name, title, desc = rows[table, col]
            assert name and title and desc, f"{table}.{col}"
            assert "as supplied in" not in desc, f"{table}.{col} has only a generic description"
    # units are in the descriptions, abbreviations spelled out
    assert "m³/s" in rows["gauges", "mean_discharge_m3s"][2]
    assert rows["gauge_climatology", "lq"][1].startswith("Lowest monthly mean (LQ")
    assert rows["gauges", "m_yrs"][1] == "Monthly record years (m_yrs)"
    assert validator_messages(exported, extra=True) == []


def test_class_columns_are_described_from_their_classes():
    field = describe("rivers", "width_class")
    assert field.rename == "discharge_class" and field.kind == "class"
    for k, (label, _) in enumerate(FLOW_WIDTH.legend()[:-1]):
        assert f"{k} = {label}" in field.description
    assert "NULL: no figure" in field.description
    basins = describe("basins", "fill_class")
    assert basins.rename == "p_minus_et_class"
    assert BASIN_FILL.legend()[0][0] in basins.description


def test_per_country_columns_follow_a_pattern():
    assert describe("basins", "area_km2_kaz").title == "Area in Kazakhstan (km²)"
    assert describe("river_courses", "length_km_chn").title == "Length in China (km)"
    assert describe("basin_elevation", "km2_500_1000").title == "500–1000 m (km²)"
    assert known("basins", "area_km2_xyz") is not None  # a country without a name: its code


def test_an_analysts_own_column_is_described_by_its_file(atlas, tmp_path):
    basins = atlas.layers["basins"]
    frame = basins.frame.assign(HYBAS_ID=range(len(basins.frame)), MY_NOTE="")
    layer = dataclasses.replace(basins, frame=frame)
    small = dataclasses.replace(atlas, layers={"basins": layer})
    path = write_geopackage(small, tmp_path / "mine.gpkg")
    rows = dict(
        _sql(
            path,
            "SELECT column_name, description FROM gpkg_data_columns WHERE table_name = 'basins'",
        )
    )
    source = Path(basins.provenance[0].file).name
    assert f"as supplied in {source}" in rows["HYBAS_ID"]
    assert "MY_NOTE" in rows
    _, fields, _ = export_columns("basins", frame, files=(source,))
    assert fields["HYBAS_ID"].generic and not fields["area_km2"].generic


def test_registry_layers_exist_in_the_default_build(atlas):
    """A registry entry for a layer that no longer exists is a stale description."""
    assert set(LAYERS) - {"layer_styles", "gpkgext_relations"} <= set(atlas.layers)
