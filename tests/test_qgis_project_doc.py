"""The stored project's document and its storage, checked without QGIS (the QGIS side is in
test_qgis_project.py): layer groups for layers the list does not know, visibility, relations
kept only where their keys exist, and the ``qgis_projects`` row as QGIS stores it."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from layers.gpkg_project import crs_area_warning, project_title
from layers.gpkg_tables import Table
from layers.qgis_project import HIDDEN, layer_groups, project_row
from layers.relations import RELATIONS, relations_for


def _table(name: str, frame: pd.DataFrame, geometry_type: str | None = None) -> Table:
    return Table(name, name.title(), "", (), frame, geometry_type)


def _points(name: str) -> Table:
    """One point near 80 E 45 N (EPSG:4326)."""
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(80, 45)], crs=4326)
    return _table(name, frame.rename_geometry("geom"), "Point")


def test_unknown_layers_join_other_layers_and_tables():
    tables = [
        _points("crossings"),
        _points("my_wells"),
        _table("flows", pd.DataFrame({"a": [1]})),
        _table("my_table", pd.DataFrame({"a": [1]})),
    ]
    groups = dict(layer_groups(tables, []))
    assert list(groups) == ["Rivers and crossings", "Other layers", "Tables"]
    assert groups["Other layers"] == ["my_wells"]
    assert groups["Tables"] == ["flows", "my_table"]
    assert {"basins_monthly", "hillshade", "elevation"} == HIDDEN


def test_relations_only_where_tables_and_keys_exist():
    columns = {
        "gauges": ["grdc_no"],
        "gauge_climatology": ["grdc_no", "month"],
        "flows": ["subject_id"],  # no subject_kind: the by-subject relations cannot hold
        "crossings": ["crossing_id"],
    }
    assert [r.name for r in relations_for(columns)] == ["gauge_months"]
    assert len({r.mapping_table for r in RELATIONS}) == len(RELATIONS)


def test_project_row_is_what_qgis_stores():
    doc = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version='3.22'/>\n"
    name, metadata, content = project_row(doc, "2026-01-02T03:04:05Z")
    assert name == "rivermap"
    assert json.loads(metadata) == {
        "last_modified_time": "2026-01-02T03:04:05",
        "last_modified_user": "rivermap",
    }
    with zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))) as z:  # hex text of a .qgz
        assert z.namelist() == ["rivermap.qgs"]
        assert ET.fromstring(z.read("rivermap.qgs")).tag == "qgis"


def test_title_names_the_main_rivers_written():
    courses = gpd.GeoDataFrame(
        {"name_en": ["Ili", "Tekes"], "parent": [None, "ili"]},
        geometry=[shapely.LineString([(80, 44), (78, 44)])] * 2,
        crs=4326,
    )
    assert project_title([_table("river_courses", courses, "LineString")]) == (
        "Ili: rivers from China into Kazakhstan"
    )


def test_crs_area_warning_only_when_far_outside():
    region = (45.0, 40.0, 93.0, 58.5)
    assert "ESRI:102025" in crs_area_warning(CRS("EPSG:32644"), region)
    assert crs_area_warning(CRS("ESRI:102025"), region) is None  # its area crosses 180°
    assert crs_area_warning(CRS("EPSG:4326"), region) is None  # geographic: not projected
    assert crs_area_warning(CRS("EPSG:32644"), (79.0, 42.0, 83.0, 48.0)) is None
