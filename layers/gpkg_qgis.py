"""What QGIS reads from a GeoPackage beyond GDAL's tables, written with sqlite3.

``layer_styles`` exactly as QGIS writes it (QML + SLD, the default style of every spatial
layer) and QGIS layer metadata in ``gpkg_metadata``, referenced to each table.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from pyproj import CRS

from layers.fields import Field, describe
from layers.gpkg_columns import DATE
from layers.gpkg_tables import GEOMETRY_COLUMN, STYLES_TABLE, Table, gpkg_timestamp
from layers.qgis_metadata import Extent, qgis_metadata_document
from layers.qgis_project import (
    PROJECTS_DDL,
    PROJECTS_TABLE,
    ProjectInput,
    project_document,
    project_row,
)
from layers.qgis_xml import crs_name
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


def layer_style(table: Table) -> Style:
    """The style of ``table`` as the GeoPackage spells its columns (a plain placeholder for a
    table without geometry, whose style only holds the field aliases)."""
    if not table.spatial:
        return Style(table.name, table.title, "line", color="#000000")
    return renamed(style_for(table.name, table.frame, table.title), table.renames)


def styles_fields() -> tuple[str, dict[str, Field]]:
    """``(layer_styles, its columns described)`` for ``gpkg_data_columns``."""
    return STYLES_TABLE, {c: describe(STYLES_TABLE, c) for c in STYLES_COLUMNS}


def write_styles(tmp: Path, tables: list[Table], styles: dict[str, Style]) -> None:
    """``layer_styles`` as QGIS writes it, registered in ``gpkg_contents`` as attributes, with
    one default style per layer and table (``styles`` by table name, :func:`layer_style`):
    QML (symbols, labels, field aliases) and, for spatial layers, SLD; ``f_geometry_column``
    is empty for a table without geometry."""
    now = gpkg_timestamp()
    rows = []
    for t in tables:
        style = styles[t.name]
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


def table_extent(table: Table, out_crs: CRS) -> Extent:
    """Where and when ``table``'s data lie: the features' bounds in the output CRS (a table
    with ``lon``/``lat`` columns: their bounds in EPSG:4326) and the span of its dates."""
    frame = table.frame
    bbox, crs = None, crs_label(out_crs)
    if table.spatial and len(frame) and not frame.geometry.is_empty.all():
        bbox = tuple(float(v) for v in frame.total_bounds)
    elif {"lon", "lat"} <= set(frame.columns) and frame[["lon", "lat"]].notna().any().all():
        lon, lat = frame["lon"].astype(float), frame["lat"].astype(float)
        bbox, crs = (lon.min(), lat.min(), lon.max(), lat.max()), "EPSG:4326"
    dates = [frame[c].dropna() for c in frame.columns if frame[c].dtype == DATE]
    dates = [d for d in dates if len(d)]
    period = None
    if dates:
        first = min(d.min() for d in dates)
        last = max(d.max() for d in dates)
        period = (first.isoformat(), last.isoformat())
    return Extent(bbox, crs, period)


def crs_label(crs: CRS) -> str:
    """``EPSG:32644`` style, else the CRS's name."""
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs_name(crs)


def write_qgis_metadata(
    tmp: Path, tables: list, out_crs: CRS, extents: dict[str, Extent], created: str
) -> None:
    """QGIS layer metadata (title, abstract, contacts, licences, rights, links, history, CRS,
    ``extents``, creation time ``created``) for every table and raster, as QGIS itself stores
    it: ``gpkg_metadata`` rows referenced to the table."""
    now = gpkg_timestamp()
    with closing(sqlite3.connect(tmp)) as con, con:
        for t in tables:
            doc = qgis_metadata_document(
                t.name,
                t.title,
                t.description,
                t.provenance,
                getattr(t, "crs", out_crs) if t.spatial else None,
                extent=extents.get(t.name),
                created=created,
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


def name_spatial_ref_sys(tmp: Path, out_crs: CRS) -> None:
    """``srs_name`` and ``description`` of the output CRS from the CRS itself (GDAL writes
    "unknown" for a CRS given as a PROJ string)."""
    with closing(sqlite3.connect(tmp)) as con, con:
        con.execute(
            "UPDATE gpkg_spatial_ref_sys SET srs_name = ? WHERE srs_id IN "
            "(SELECT srs_id FROM gpkg_geometry_columns) AND lower(srs_name) IN ('unknown', '')",
            (crs_name(out_crs),),
        )
        con.execute(
            "UPDATE gpkg_spatial_ref_sys SET description = ? WHERE srs_id IN "
            "(SELECT srs_id FROM gpkg_geometry_columns) AND "
            "(description IS NULL OR lower(description) IN ('unknown', '', 'undefined'))",
            (f"{crs_name(out_crs)}; written by rivermap",),
        )


def write_project(tmp: Path, project: ProjectInput) -> None:
    """The QGIS project in ``qgis_projects``, as QGIS's GeoPackage project storage writes it."""
    row = project_row(project_document(project), project.created)
    with closing(sqlite3.connect(tmp)) as con, con:
        con.execute(PROJECTS_DDL)
        con.execute(f"INSERT INTO {PROJECTS_TABLE} (name, metadata, content) VALUES (?, ?, ?)", row)
