"""The GeoPackage's own description of its columns: the Schema extension (``gpkg_data_columns``).

Every column of every table (feature id and geometry included) gets a row with its name,
title and description from :mod:`layers.fields` (GDAL ≥ 3.7 reads them as the field's
alternative name and comment, and so does QGIS ≥ 3.30). The DDL is the GeoPackage 1.2
specification's (Annex C), with the two ``gpkg_schema`` rows of ``gpkg_extensions`` that 1.2.1
asks for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from layers.fields import Field

SCHEMA_DEFINITION = "http://www.geopackage.org/spec121/#extension_schema"
DATA_COLUMNS_DDL = (
    "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))"
)
CONSTRAINTS_DDL = (
    "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"
)


def data_column_rows(table: str, fields: dict[str, Field]) -> list[tuple[str, str, str, str, str]]:
    """``(table_name, column_name, name, title, description)`` per column. ``name`` is the
    title made unique within the table (the specification's UNIQUE (table_name, name))."""
    seen: dict[str, int] = {}
    rows = []
    for column, f in fields.items():
        name = f.title if f.title not in seen else f"{f.title} ({column})"
        seen[name] = 1
        rows.append((table, column, name, f.title, f.description))
    return rows


def write_data_columns(tmp: Path, described: Iterable[tuple[str, dict[str, Field]]]) -> None:
    """``gpkg_data_columns`` (and its empty constraints table) for ``(table, fields)`` pairs;
    each table must already be in ``gpkg_contents``."""
    rows = [row for table, fields in described for row in data_column_rows(table, fields)]
    with closing(sqlite3.connect(tmp)) as con, con:
        con.execute(DATA_COLUMNS_DDL)
        con.execute(CONSTRAINTS_DDL)
        con.executemany(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
            "scope) VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
            [(t, SCHEMA_DEFINITION) for t in ("gpkg_data_columns", "gpkg_data_column_constraints")],
        )
        con.executemany(
            "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
