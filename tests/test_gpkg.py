"""The GeoPackage export: every layer written and read back, styles, metadata, CRS, safety.

The Atlas comes from the session fixture (EPSG:4326); files are written into tmp_path and
re-read with pyogrio/geopandas and sqlite3; GDAL's own validator checks the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import CRS

import layers.gpkg_check as gpkg_check
import layers.gpkg_tables as gpkg_tables
from geo.errors import CRSError, OutputError, RegisterError
from layers.atlas import Layer
from layers.gpkg import STYLES_TABLE, write_geopackage
from layers.gpkg_columns import export_columns
from layers.gpkg_project import CRSAreaWarning
from tests.gpkg_validator import validator_messages

#: the QGIS layer_styles columns (name, declared type), as QGIS 3.22 creates them
QGIS_STYLE_COLUMNS = [
    ("id", "INTEGER"),
    ("f_table_catalog", "TEXT(256)"),
    ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"),
    ("f_geometry_column", "TEXT(256)"),
    ("styleName", "TEXT(30)"),
    ("styleQML", "TEXT"),
    ("styleSLD", "TEXT"),
    ("useAsDefault", "BOOLEAN"),
    ("description", "TEXT"),
    ("owner", "TEXT(30)"),
    ("ui", "TEXT(30)"),
    ("update_time", "DATETIME"),
]


@pytest.fixture(scope="module")
def exported(atlas, tmp_path_factory) -> Path:
    """The full Atlas written once (EPSG:4326)."""
    return write_geopackage(atlas, tmp_path_factory.mktemp("gpkg") / "rivermap.gpkg")


@pytest.fixture(scope="module")
def small(atlas):
    """The Atlas with four layers (polygons, lines, points, a table) and no terrain rasters:
    quick to write."""
    keep = ("basins", "river_courses", "crossings", "flows")
    return dataclasses.replace(
        atlas, layers={n: atlas.layers[n] for n in keep}, rasters={}, sources=_no_relief(atlas)
    )


def _no_relief(atlas):
    paths = {k: v for k, v in atlas.sources.paths.items() if k != "relief"}
    return dataclasses.replace(atlas.sources, paths=paths)


def _sql(path: Path, query: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def _read(path: Path, layer: str) -> pd.DataFrame:
    """A layer or table read back with exact types (nullable ints and bools stay so)."""
    return pyogrio.read_dataframe(
        path, layer=layer, use_arrow=True, arrow_to_pandas_kwargs={"types_mapper": pd.ArrowDtype}
    )


def _kind(series: pd.Series) -> str:
    t = series.dtype
    if pd.api.types.is_bool_dtype(t):
        return "bool"
    if pd.api.types.is_integer_dtype(t):
        return "int"
    if pd.api.types.is_float_dtype(t):
        return "float"
    return "text"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


# --------------------------------------------------------------------------- contents


def test_every_layer_and_table_is_written_and_counted(atlas, exported):
    listed = dict(pyogrio.list_layers(exported))
    mapping = {t for (t,) in _sql(exported, "SELECT mapping_table_name FROM gpkgext_relations")}
    assert len(mapping) >= 5  # GDAL lists the related tables' mapping tables too
    assert set(listed) == set(atlas.layers) | {STYLES_TABLE, "basins_monthly"} | mapping
    contents = dict(_sql(exported, "SELECT table_name, data_type FROM gpkg_contents"))
    for name, layer in atlas.layers.items():
        assert contents[name] == ("features" if layer.spatial else "attributes"), name
        n = pyogrio.read_info(exported, layer=name, force_feature_count=True)["features"]
        assert n == len(layer.frame), name
    assert contents[STYLES_TABLE] == "attributes"
    # the layers the issue names are there once the flows step has run
    assert {"rivers", "river_courses", "basins", "lakes", "borders", "crossings"} <= set(listed)
    assert {"gauges", "flows", "water_balance_monthly"} <= set(listed)


def test_columns_types_and_values_round_trip(atlas, exported):
    """What is read back is the Atlas frame as :func:`export_columns` shapes it, value for
    value (the conversions themselves are pinned in test_gpkg_columns.py)."""
    for name, layer in atlas.layers.items():
        written, fields, _ = export_columns(name, layer.frame.reset_index(drop=True))
        read = _read(exported, name)
        columns = [c for c in written.columns if c != getattr(written, "_geometry_column_name", "")]
        assert [c for c in read.columns if c != "geometry"] == columns, name
        assert list(fields)[0] == "fid" and set(columns) <= set(fields), name
        for col in columns:
            w, r = written[col], read[col]
            assert _kind(r) == _kind(w), f"{name}.{col}: {w.dtype} written, {r.dtype} read"
            missing = w.isna().to_numpy()
            np.testing.assert_array_equal(r.isna().to_numpy(), missing, err_msg=f"{name}.{col}")
            if _kind(w) == "float":
                np.testing.assert_array_equal(
                    r[~missing].to_numpy(float), w[~missing].to_numpy(float), err_msg=col
                )
            else:
                assert r[~missing].tolist() == w[~missing].tolist(), f"{name}.{col}"


def test_no_empty_text_and_real_dates(atlas, exported):
    """Missing text is NULL, never ''; dates and periods are DATE columns."""
    declared = {}
    for name in atlas.layers:
        for _, col, decl, *_ in _sql(exported, f"PRAGMA table_info('{name}')"):
            declared[name, col] = decl
        for col, decl in [(c, d) for (n, c), d in declared.items() if n == name]:
            if decl.startswith("TEXT"):
                blank = _sql(exported, f'SELECT count(*) FROM "{name}" WHERE trim("{col}") = \'\'')
                assert blank == [(0,)], f"{name}.{col}"
    assert declared["water_balance_monthly", "date"] == "DATE"
    assert declared["flows", "period_start"] == declared["flows", "period_end"] == "DATE"
    for name in ("rivers", "river_courses", "crossings"):
        assert declared[name, "flow_period_start"] == declared[name, "flow_period_end"] == "DATE"
        assert (name, "flow_period") not in declared
    assert declared["basins", "balance_period_start"] == "DATE"
    # a reach without a traced river, and a figure without a period, are NULL
    assert _sql(exported, "SELECT count(*) FROM network WHERE river_id IS NULL")[0][0] > 0
    none = _sql(
        exported,
        "SELECT count(*) FROM rivers WHERE flow_status = 'no figure' AND flow_period_start IS NULL",
    )
    assert none[0][0] == int((atlas["rivers"]["flow_status"] == "no figure").sum())
    # style classes: NULL for no figure, under their clear names
    assert ("rivers", "width_class") not in declared
    rivers = _read(exported, "rivers")
    no_flow = atlas["rivers"]["width_class"].to_numpy() < 0
    assert rivers["discharge_class"].isna().to_numpy().tolist() == no_flow.tolist()


def test_geometries_and_crs_round_trip(atlas, exported):
    for name, layer in atlas.layers.items():
        if not layer.spatial:
            continue
        read = gpd.read_file(exported, layer=name, engine="pyogrio")
        written = layer.frame.reset_index(drop=True)
        assert_geodataframe_equal(
            gpd.GeoDataFrame(geometry=read.geometry.values, crs=read.crs),
            gpd.GeoDataFrame(geometry=written.geometry.values, crs=written.crs),
            check_crs=True,
            check_geom_type=False,
        )
        np.testing.assert_array_equal(
            shapely.get_coordinates(read.geometry.values),
            shapely.get_coordinates(written.geometry.values),
        )
        assert read.crs.to_epsg() == 4326


def test_awkward_column_types(small, tmp_path):
    """Nullable ints and booleans, dates, lists and all-empty text in one table."""
    table = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "big": np.array([2**40, -1, 0], dtype=np.int64),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "day": [dt.date(2025, 1, 1), None, dt.date(2025, 6, 30)],
            "ids": [["ili", "irtysh"], [], None],
            "nothing": [None, None, None],
            "name": ["Іле", "伊犁河", 'O\'Brien "<x>"'],
        }
    )
    extra = Layer("awkward", "Awkward", table, "types", ())
    atlas = dataclasses.replace(small, layers={**small.layers, "awkward": extra})
    path = write_geopackage(atlas, tmp_path / "types.gpkg")
    read = _read(path, "awkward")
    assert read["n"].tolist()[::2] == [1, 3] and pd.isna(read["n"][1])
    assert _kind(read["n"]) == _kind(read["big"]) == "int"
    assert read["big"].tolist() == [2**40, -1, 0]
    assert _kind(read["flag"]) == "bool"
    assert [read["flag"][0], read["flag"][2]] == [True, False] and pd.isna(read["flag"][1])
    assert read["day"].tolist()[::2] == [dt.date(2025, 1, 1), dt.date(2025, 6, 30)]  # DATE
    assert _sql(path, "SELECT type FROM pragma_table_info('awkward') WHERE name = 'day'") == [
        ("DATE",)
    ]
    assert read["ids"][0] == '["ili", "irtysh"]' and read["ids"][1] == "[]"
    assert read["nothing"].isna().all()
    assert read["name"].tolist() == table["name"].tolist()
    assert validator_messages(path, extra=True) == []


def test_cyrillic_and_chinese_names_survive(exported):
    courses = _read(exported, "river_courses").set_index("river_id")
    assert courses.loc["irtysh", "name_ru"] == "Иртыш"
    assert courses.loc["irtysh", "name_zh"] == "额尔齐斯河"
    assert courses.loc["ili", "name_kk"] == "Іле"
    lakes = _read(exported, "lakes")
    assert lakes["name_ru"].dropna().str.contains("Балхаш").any()


def test_gdal_validator_finds_nothing(exported):
    assert validator_messages(exported) == []
    assert validator_messages(exported, extra=True) == []


# --------------------------------------------------------------------------- styles


def test_layer_styles_table_is_the_one_qgis_writes(atlas, exported):
    info = _sql(exported, "PRAGMA table_info(layer_styles)")
    assert [(row[1], row[2]) for row in info] == QGIS_STYLE_COLUMNS
    rows = _sql(
        exported,
        "SELECT f_table_name, f_geometry_column, f_table_schema, useAsDefault, styleQML, "
        "styleSLD, update_time FROM layer_styles",
    )
    spatial = {n for n, lyr in atlas.layers.items() if lyr.spatial} | {"basins_monthly"}
    # tables too (their aliases), and the monthly view
    assert sorted(r[0] for r in rows) == sorted([*atlas.layers, "basins_monthly"])
    geometry_columns = dict(
        _sql(exported, "SELECT table_name, column_name FROM gpkg_geometry_columns")
    )
    for name, geom_col, schema, default, qml, sld, updated in rows:
        assert geom_col == geometry_columns.get(name, "")
        assert (schema, default) == ("", 1)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", updated)
        root = ET.fromstring(qml)
        assert root.tag == "qgis"
        assert (root.find("renderer-v2") is not None) == (name in spatial), name
        aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
        assert aliases["fid"] == "Feature id" and all(aliases.values()), name
        if name in spatial:
            assert ET.fromstring(sld).tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"


def test_styles_use_the_style_columns_of_the_frames(atlas, exported):
    qml = dict(_sql(exported, "SELECT f_table_name, styleQML FROM layer_styles"))
    rivers = ET.fromstring(qml["rivers"]).find("renderer-v2")
    assert rivers.get("type") == "categorizedSymbol" and rivers.get("attr") == "country"
    countries = set(atlas["rivers"]["country"])
    assert {c.get("value") for c in rivers.iter("category")} >= countries
    widths = [
        o.find("Option[@name='expression']").get("value")
        for o in rivers.iter("Option")
        if o.get("name") == "outlineWidth"
    ]
    # the class columns under their GeoPackage names
    assert "width_class" in atlas["rivers"]
    assert widths and all(e.startswith('CASE WHEN "discharge_class" = 0') for e in widths)
    dashes = [
        o.find("Option[@name='expression']").get("value")
        for o in rivers.iter("Option")
        if o.get("name") == "outlineStyle"
    ]
    assert len(dashes) == len(widths) and all('"discharge_kind"' in e for e in dashes)
    basins = ET.fromstring(qml["basins"]).find("renderer-v2")
    assert "fill_class" in atlas["basins"]
    assert basins.get("type") == "RuleRenderer"
    filters = [r.get("filter") for r in basins.iter("rule")]
    assert filters[0] == '"p_minus_et_class" = 0' and "IS NULL" in filters[-1]
    # lakes labelled by name_en, NULL for the unnamed ones: no "unnamed lake" label
    labels = ET.fromstring(qml["lakes"]).find("labeling/settings/text-style")
    assert labels.get("fieldName") == "name_en"
    assert _sql(exported, "SELECT count(*) FROM lakes WHERE name_en IS NULL")[0][0] > 0
    # the river's name once, on its course, not on every piece
    assert ET.fromstring(qml["rivers"]).get("labelsEnabled") == "0"
    assert ET.fromstring(qml["river_courses"]).get("labelsEnabled") == "1"
    gauges = ET.fromstring(qml["gauges"]).find("labeling/settings/rendering")
    assert gauges.get("scaleVisibility") == "1" and float(gauges.get("scaleMax")) > 0


# --------------------------------------------------------------------------- metadata


def test_contents_carry_title_and_description(atlas, exported):
    rows = _sql(exported, "SELECT table_name, identifier, description FROM gpkg_contents")
    got = {name: (ident, desc) for name, ident, desc in rows}
    for name, layer in atlas.layers.items():
        assert got[name] == (layer.title, layer.description), name


def test_metadata_extension_holds_provenance_and_licence(atlas, exported):
    ext = _sql(exported, "SELECT table_name, extension_name, scope FROM gpkg_extensions")
    assert ("gpkg_metadata", "gpkg_metadata", "read-write") in ext
    assert ("gpkg_metadata_reference", "gpkg_metadata", "read-write") in ext
    refs = _sql(
        exported,
        "SELECT r.table_name, m.md_standard_uri, m.metadata FROM gpkg_metadata_reference r "
        "JOIN gpkg_metadata m ON m.id = r.md_file_id WHERE r.reference_scope = 'table'",
    )
    for name, layer in atlas.layers.items():
        gdal_md = pyogrio.read_info(exported, layer=name)["layer_metadata"]
        assert gdal_md["TITLE"] == layer.title
        for i, p in enumerate(layer.provenance, start=1):
            assert gdal_md[f"SOURCE_{i}_LICENCE"] == p.licence
            assert gdal_md[f"SOURCE_{i}_ATTRIBUTION"] == p.attribution
            assert p.licence in gdal_md["LICENCE"]
        assert gdal_md["EXPORT_CRS"].startswith("EPSG:4326")
        qgis = [ET.fromstring(md) for t, uri, md in refs if t == name and "qgis" in uri]
        assert len(qgis) == 1, name
        assert qgis[0].findtext("title") == layer.title
        assert {e.text for e in qgis[0].iter("license")} == {p.licence for p in layer.provenance}
        history = [e.text for e in qgis[0].iter("history")]
        assert history[:-1] == [p.one_line() for p in layer.provenance]
        assert history[-1].startswith("Written by rivermap ")
        # where and when: the extent of the features (or of lon/lat), the dates' span
        spatial = qgis[0].find("extent/spatial")
        if layer.spatial:
            bounds = [float(spatial.get(k)) for k in ("minx", "miny", "maxx", "maxy")]
            np.testing.assert_allclose(bounds, layer.frame.total_bounds)
        assert qgis[0].find("dates/date").get("type") == "Created"
        assert all(link.get("url") for link in qgis[0].iter("link"))
        publishers = {c.findtext("name") for c in qgis[0].iter("contact")}
        assert {p.publisher or p.attribution for p in layer.provenance} < publishers
    monthly = [
        ET.fromstring(md) for t, uri, md in refs if t == "water_balance_monthly" and "qgis" in uri
    ][0]
    assert monthly.findtext("extent/temporal/period/start") == "2000-01-01T00:00:00Z"


def test_no_sidecar_files_after_reading(exported):
    pyogrio.list_layers(exported)
    pyogrio.read_info(exported, layer="rivers")
    assert _leftovers(exported.parent, exported.name) == []


# --------------------------------------------------------------------------- CRS


@pytest.mark.parametrize(
    "crs",
    [
        "EPSG:32644",
        "ESRI:102025",
        "+proj=aea +lat_1=42 +lat_2=56 +lat_0=49 +lon_0=79 +datum=WGS84 +units=m +no_defs",
    ],
)
def test_export_in_another_crs(atlas, small, tmp_path, crs):
    with warnings.catch_warnings():
        # Albers covers the region; UTM 44N does not (its warning: the next test)
        warnings.simplefilter("ignore" if crs == "EPSG:32644" else "error", CRSAreaWarning)
        path = write_geopackage(small, tmp_path / "projected.gpkg", crs=crs)
    expected = atlas["crossings"].to_crs(crs)
    read = gpd.read_file(path, layer="crossings", engine="pyogrio")
    assert CRS.from_user_input(read.crs).equals(CRS.from_user_input(crs), ignore_axis_order=True)
    np.testing.assert_allclose(
        shapely.get_coordinates(read.geometry.values),
        shapely.get_coordinates(expected.geometry.values),
        atol=1e-6,  # metres
    )
    # projected metres, not degrees; attribute lon/lat stay degrees
    assert np.abs(read.geometry.x).max() > 1000
    np.testing.assert_array_equal(read["lon"], atlas["crossings"]["lon"])
    srs = {s for (s,) in _sql(path, "SELECT DISTINCT srs_id FROM gpkg_geometry_columns")}
    assert len(srs) == 1 and srs != {4326}
    assert validator_messages(path, extra=True) == []


def test_crs_far_outside_its_area_of_use_warns_and_writes(small, tmp_path):
    """UTM 44N covers 78–84° E; the data span about 45–93° E: one line, with a suggestion."""
    with pytest.warns(CRSAreaWarning, match=r"EPSG:32644.*78–84°.*ESRI:102025") as caught:
        path = write_geopackage(small, tmp_path / "utm.gpkg", crs="EPSG:32644")
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    assert path.exists()


def test_srs_name_of_a_proj_string_crs(small, tmp_path):
    proj = "+proj=aea +lat_1=42 +lat_2=56 +lat_0=49 +lon_0=79 +datum=WGS84 +units=m +no_defs"
    path = write_geopackage(small, tmp_path / "aea.gpkg", crs=proj)
    names = _sql(
        path,
        "SELECT srs_name FROM gpkg_spatial_ref_sys WHERE srs_id IN "
        "(SELECT srs_id FROM gpkg_geometry_columns)",
    )
    assert names == [("Albers Equal Area on World Geodetic System 1984",)]


@pytest.mark.parametrize("crs", ["EPSG:999999", "not a crs", "EPSG:4979"])
def test_unknown_or_unsuitable_crs_writes_nothing(atlas, tmp_path, crs):
    with pytest.raises(CRSError, match="--crs") as err:
        write_geopackage(atlas, tmp_path / "x.gpkg", crs=crs)
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- rivers subset


def test_subset_of_rivers(atlas, tmp_path):
    ids = {"ili", "irtysh"}
    shown = ids | {"tekes"}  # the Tekes holds the Ili's headwater reaches
    path = write_geopackage(atlas, tmp_path / "two.gpkg", rivers=sorted(ids))
    for name in ("rivers", "river_courses", "profiles"):
        if name not in atlas:
            continue
        read = _read(path, name)
        assert set(read["river_id"]) == shown, name
        assert len(read) == int(atlas[name]["river_id"].isin(shown).sum()), name
    assert set(_read(path, "basins")["WATERSHED_ID"]) == {"NWB_00001", "SWB_00002"}
    gauges = _read(path, "gauges")
    in_basins = atlas["gauges"]["WATERSHED_ID"].isin(["NWB_00001", "SWB_00002"])
    assert set(gauges["grdc_no"]) == set(atlas["gauges"].loc[in_basins, "grdc_no"])
    flows = _read(path, "flows")
    kept = set(flows["river_id"].fillna(""))
    assert kept <= {*shown, ""} and ids <= kept
    assert "Lake Balkhash" in set(flows["subject"])  # the Ili's lake keeps its figures
    assert "emel-1" not in set(flows["subject_id"])  # nothing about the Emel
    assert set(_read(path, "gauge_climatology")["grdc_no"]) <= set(gauges["grdc_no"])
    for name in ("network", "lakes"):
        n = pyogrio.read_info(path, layer=name, force_feature_count=True)["features"]
        assert 0 < n < len(atlas[name]), name
    meta = pyogrio.read_info(path, layer="rivers")["layer_metadata"]
    assert meta["EXPORT_RIVERS"] == "ili, irtysh"
    assert validator_messages(path, extra=True) == []


def test_subset_without_rows_keeps_an_empty_layer_of_its_type(small, tmp_path):
    """The Ili has no gauge on its main stem and the Kunes crosses no border."""
    path = write_geopackage(small, tmp_path / "kunes.gpkg", rivers=["kunes"])
    info = pyogrio.read_info(path, layer="crossings", force_feature_count=True)
    assert (info["features"], info["geometry_type"]) == (0, "Point")
    assert "crossings" in {r[0] for r in _sql(path, "SELECT f_table_name FROM layer_styles")}
    assert validator_messages(path, extra=True) == []


def test_unknown_river_id_writes_nothing(atlas, tmp_path):
    with pytest.raises(RegisterError, match="'volga'"):
        write_geopackage(atlas, tmp_path / "x.gpkg", rivers=["ili", "volga"])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- output folder


def test_missing_output_folder(atlas, tmp_path):
    target = tmp_path / "no" / "such" / "rivermap.gpkg"
    with pytest.raises(OutputError, match=re.escape(str(target.parent))):
        write_geopackage(atlas, target)
    assert list(tmp_path.iterdir()) == []


def test_output_folder_is_a_file_or_target_is_a_folder(atlas, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is not a folder"):
        write_geopackage(atlas, tmp_path / "file" / "rivermap.gpkg")
    (tmp_path / "folder.gpkg").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_geopackage(atlas, tmp_path / "folder.gpkg")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder(atlas, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            write_geopackage(atlas, folder / "rivermap.gpkg")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_permission_refused_while_creating_becomes_output_error(atlas, tmp_path, monkeypatch):
    """As root the folder check passes; the refusal then comes from the write itself."""

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(gpkg_tables, "write_table", refuse)
    with pytest.raises(OutputError, match=r"rivermap\.gpkg.*(?i:permission denied)"):
        write_geopackage(atlas, tmp_path / "rivermap.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_existing_non_geopackage_is_not_replaced(atlas, tmp_path):
    target = tmp_path / "notes.gpkg"
    target.write_text("my notes")
    with pytest.raises(OutputError, match="not a GeoPackage"):
        write_geopackage(atlas, target)
    assert target.read_text() == "my notes"


# --------------------------------------------------------------------------- safe writing


@pytest.fixture
def previous(small, tmp_path) -> tuple[Path, str]:
    """An existing export (Emel only) and its checksum."""
    path = write_geopackage(small, tmp_path / "rivermap.gpkg", rivers=["emel"])
    return path, _sha(path)


def _fail_on_third_table(monkeypatch, exc: BaseException) -> None:
    real = gpkg_tables.write_table
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(gpkg_tables, "write_table", flaky)


def test_existing_file_replaced_by_complete_new_one(small, previous):
    path, before = previous
    assert len(_read(path, "river_courses")) == 1
    write_geopackage(small, path)
    assert _sha(path) != before
    assert len(_read(path, "river_courses")) == len(small["river_courses"])
    assert _leftovers(path.parent, path.name) == []
    # the speed-up for the temporary file is not left switched on for others
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is None


def test_disk_full_mid_write_leaves_previous_file(small, previous, monkeypatch):
    path, before = previous
    _fail_on_third_table(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OutputError, match="the disk is full: no space left on device") as err:
        write_geopackage(small, path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert _sha(path) == before
    assert _leftovers(path.parent, path.name) == []


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), RuntimeError("bug")])
def test_interrupt_or_bug_mid_write_leaves_previous_file(small, previous, monkeypatch, exc):
    path, before = previous
    _fail_on_third_table(monkeypatch, exc)
    with pytest.raises(type(exc)):
        write_geopackage(small, path)
    assert _sha(path) == before
    assert _leftovers(path.parent, path.name) == []


def test_failed_validation_leaves_previous_file(small, previous, monkeypatch):
    path, before = previous
    monkeypatch.setattr(gpkg_check, "_layer_problems", lambda *_: ["rivers: 0 features"])
    with pytest.raises(OutputError, match="failed its check"):
        write_geopackage(small, path)
    assert _sha(path) == before
    assert _leftovers(path.parent, path.name) == []


#: a writer that stops after the second table and waits to be killed
KILLED_WRITER = textwrap.dedent(
    """
    import pickle, sys, time
    from pathlib import Path
    import layers.gpkg as gpkg
    import layers.gpkg_tables as tables

    atlas = pickle.loads(Path(sys.argv[1]).read_bytes())
    marker = Path(sys.argv[3])
    real = tables.write_table
    done = []

    def write_then_wait(*args, **kwargs):
        real(*args, **kwargs)
        done.append(1)
        if len(done) == 2:
            marker.write_text("half written")
            time.sleep(600)

    tables.write_table = write_then_wait
    gpkg.write_geopackage(atlas, sys.argv[2])
    """
)


def test_writer_killed_half_way_leaves_previous_file(small, previous, tmp_path_factory):
    path, before = previous
    work = tmp_path_factory.mktemp("killed")
    pickled, marker = work / "atlas.pickle", work / "marker"
    pickled.write_bytes(pickle.dumps(small))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(pickled), str(path), str(marker)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120  # a guard against a hung child, not a timing check
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the writer never reached half way"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert _sha(path) == before
    temps = [p for p in path.parent.iterdir() if p.name != path.name]
    assert [p.name for p in temps if not p.name.startswith(f".{path.name}.")] == []
    assert len(temps) == 1  # the killed writer's half-written temporary, never the target
    assert len(_read(path, "river_courses")) == 1
    assert validator_messages(path, extra=True) == []
