"""How the GeoPackage's tables relate: one list, used twice.

Each :class:`Relation` joins a child table's rows to a parent layer's features by a key
(``gauge_climatology.grdc_no`` → ``gauges.grdc_no``), optionally only the child rows of one
kind (``flows`` rows whose ``subject_kind`` is ``crossing`` belong to ``crossings``). The QGIS
project turns them into project relations (a gauge's attribute form lists its monthly
table); :func:`write_related_tables` records them in the GeoPackage's own Related Tables
Extension (OGC 18-000: ``gpkgext_relations`` and one mapping table of feature ids per
relation), so other GeoPackage clients see them too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from layers.fields import Field

RELATED_TABLES = "related_tables"
RELATED_TABLES_DEFINITION = "http://docs.opengeospatial.org/is/18-000/18-000.html"
RELATIONS_DDL = (
    "CREATE TABLE gpkgext_relations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "base_table_name TEXT NOT NULL, base_primary_column TEXT NOT NULL DEFAULT 'id', "
    "related_table_name TEXT NOT NULL, related_primary_column TEXT NOT NULL DEFAULT 'id', "
    "relation_name TEXT NOT NULL, mapping_table_name TEXT NOT NULL UNIQUE)"
)


@dataclass(frozen=True)
class Relation:
    """Rows of ``child`` whose ``child_key`` equals ``parent_key`` of a ``parent`` feature
    (and, with ``kind``, whose ``kind[0]`` column equals ``kind[1]``)."""

    name: str
    title: str
    parent: str
    parent_key: str
    child: str
    child_key: str
    kind: tuple[str, str] | None = None

    @property
    def mapping_table(self) -> str:
        return f"rel_{self.name}"


RELATIONS: tuple[Relation, ...] = (
    Relation(
        "gauge_months",
        "Monthly discharge (GRDC)",
        "gauges",
        "grdc_no",
        "gauge_climatology",
        "grdc_no",
    ),
    Relation(
        "crossing_flows",
        "Flow figures",
        "crossings",
        "crossing_id",
        "flows",
        "subject_id",
        ("subject_kind", "crossing"),
    ),
    Relation(
        "river_flows",
        "Flow figures",
        "river_courses",
        "river_id",
        "flows",
        "subject_id",
        ("subject_kind", "river"),
    ),
    Relation(
        "basin_flows",
        "Flow figures",
        "basins",
        "WATERSHED_ID",
        "flows",
        "subject_id",
        ("subject_kind", "basin"),
    ),
    Relation(
        "lake_flows",
        "Flow figures",
        "lakes",
        "lake_id",
        "flows",
        "subject_id",
        ("subject_kind", "lake"),
    ),
    Relation("river_profile", "Profile", "river_courses", "river_id", "profiles", "river_id"),
    Relation(
        "basin_months",
        "Monthly water balance",
        "basins",
        "WATERSHED_ID",
        "water_balance_monthly",
        "WATERSHED_ID",
    ),
    Relation(
        "basin_years",
        "Yearly water balance",
        "basins",
        "WATERSHED_ID",
        "water_balance_yearly",
        "WATERSHED_ID",
    ),
    Relation(
        "basin_elevation",
        "Elevation",
        "basins",
        "WATERSHED_ID",
        "basin_elevation",
        "WATERSHED_ID",
    ),
)


def relations_for(columns: Mapping[str, Sequence[str]]) -> list[Relation]:
    """The relations whose tables and key columns are all present (``{table: columns}``)."""
    out = []
    for r in RELATIONS:
        need = {r.parent: [r.parent_key], r.child: [r.child_key, *(r.kind[:1] if r.kind else [])]}
        if all(t in columns and set(c) <= set(columns[t]) for t, c in need.items()):
            out.append(r)
    return out


def relations_fields() -> dict[str, Field]:
    """``gpkgext_relations``' columns described (from the field registry)."""
    from layers.fields import describe

    columns = (
        "id",
        "base_table_name",
        "base_primary_column",
        "related_table_name",
        "related_primary_column",
        "relation_name",
        "mapping_table_name",
    )
    return {c: describe("gpkgext_relations", c) for c in columns}


def mapping_fields(r: Relation) -> dict[str, Field]:
    """The mapping table's two columns described."""
    return {
        "base_id": Field(f"{r.parent} fid", f"fid of the {r.parent} feature."),
        "related_id": Field(f"{r.child} fid", f"fid of the related {r.child} row."),
    }


def write_related_tables(tmp: Path, relations: Sequence[Relation], fid: str = "fid") -> None:
    """``gpkgext_relations`` and a mapping table per relation, filled by joining the written
    tables on their keys; every table registered in ``gpkg_extensions``."""
    if not relations:
        return
    with closing(sqlite3.connect(tmp)) as con, con:
        con.execute(RELATIONS_DDL)
        ext = [("gpkgext_relations",)]
        for r in relations:
            m = r.mapping_table
            con.execute(
                f'CREATE TABLE "{m}" (base_id INTEGER NOT NULL, related_id INTEGER NOT NULL)'
            )
            where = f' AND c."{r.kind[0]}" = ?' if r.kind else ""
            con.execute(
                f'INSERT INTO "{m}" (base_id, related_id) SELECT p."{fid}", c."{fid}" '
                f'FROM "{r.parent}" p JOIN "{r.child}" c ON c."{r.child_key}" = p."{r.parent_key}"'
                f'{where} ORDER BY p."{fid}", c."{fid}"',
                (r.kind[1],) if r.kind else (),
            )
            con.execute(
                "INSERT INTO gpkgext_relations (base_table_name, base_primary_column, "
                "related_table_name, related_primary_column, relation_name, mapping_table_name) "
                "VALUES (?, ?, ?, ?, 'attributes', ?)",
                (r.parent, fid, r.child, fid, m),
            )
            ext.append((m,))
        con.executemany(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
            "scope) VALUES (?, NULL, ?, ?, 'read-write')",
            [(t, RELATED_TABLES, RELATED_TABLES_DEFINITION) for (t,) in ext],
        )
