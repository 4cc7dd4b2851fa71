"""What QGIS reads from a GeoPackage beyond GDAL's tables, written with sqlite3.

``layer_styles`` exactly as QGIS writes it (QML + SLD, the default style of every spatial
layer) and QGIS layer metadata in ``gpkg_metadata``, referenced to each table.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from pyproj import CRS

from layers.fields import Field, describe
from layers.gpkg_tables import GEOMETRY_COLUMN, STYLES_TABLE, Table
from layers.qgis_metadata import qgis_metadata_document
from layers.qml import qml_document
from layers.sld import sld_document
from layers.style_plan import renamed, style_for
from layers.styles import Style

#: the table exactly as QGIS 3.22 creates it when saving a style into a GeoPackage
LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
QGIS_METADATA_URI = "http://mrcc.com/qgis.dtd"
STYLES_COLUMNS = (
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def layer_style(table: Table) -> Style:
    """The style of ``table`` as the GeoPackage spells its columns (a plain placeholder for a
    table without geometry, whose style only holds the field aliases)."""
    if not table.spatial:
        return Style(table.name, table.title, "line", color="#000000")
    return renamed(style_for(table.name, table.frame, table.title), table.renames)


def styles_fields() -> tuple[str, dict[str, Field]]:
    """``(layer_styles, its columns described)`` for ``gpkg_data_columns``."""
    return STYLES_TABLE, {c: describe(STYLES_TABLE, c) for c in STYLES_COLUMNS}


def write_styles(tmp: Path, tables: list[Table]) -> None:
    """``layer_styles`` as QGIS writes it, registered in ``gpkg_contents`` as attributes, with
    one default style per layer and table: QML (symbols, labels, field aliases) and, for
    spatial layers, SLD; ``f_geometry_column`` is empty for a table without geometry."""
    now = _now()
    rows = []
    for t in tables:
        style = layer_style(t)
        rows.append(
            (
                "",
                "",
                t.name,
                GEOMETRY_COLUMN if t.spatial else "",
                t.name[:30],
                qml_document(t.name, t.frame, t.title, style=style, fields=t.fields),
                sld_document(t.name, t.frame, t.title, style=style) if t.spatial else "",
                1,
                style.title,
                "",
                None,
                now,
            )
        )
    with closing(sqlite3.connect(tmp)) as con, con:
        con.execute(LAYER_STYLES_DDL)
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change, srs_id) VALUES (?, 'attributes', ?, ?, ?, 0)",
            (STYLES_TABLE, STYLES_TABLE, "QGIS default style of each layer (QML and SLD)", now),
        )
        con.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def write_qgis_metadata(tmp: Path, tables: list[Table], out_crs: CRS) -> None:
    """QGIS layer metadata (title, abstract, licences, rights, links, history, CRS) for every
    table, as QGIS itself stores it: ``gpkg_metadata`` rows referenced to the table."""
    now = _now()
    with closing(sqlite3.connect(tmp)) as con, con:
        for t in tables:
            doc = qgis_metadata_document(
                t.name,
                t.title,
                t.description,
                t.provenance,
                out_crs if t.spatial else None,
            )
            cur = con.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', ?, 'text/xml', ?)",
                (QGIS_METADATA_URI, doc),
            )
            con.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, "
                "md_file_id) VALUES ('table', ?, ?, ?)",
                (t.name, now, cur.lastrowid),
            )
