"""The check a written GeoPackage passes before it replaces the target."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from geo.errors import OutputError
from layers.gpkg_rasters import raster_problems
from layers.gpkg_tables import Table


def validate(tmp: Path, tables: list[Table], target: Path, rasters: Sequence = ()) -> None:
    """OutputError unless ``tmp`` passes SQLite's integrity check, lists every table, holds
    as many features/rows as were written, a parseable default style per spatial layer, the
    rasters at their size and a QGIS project."""
    problems = (
        _sqlite_problems(tmp, tables) + _layer_problems(tmp, tables) + raster_problems(tmp, rasters)
    )
    if problems:
        raise OutputError(
            f"{target}: the written GeoPackage failed its check ({'; '.join(problems[:3])}); "
            "nothing was replaced"
        )


def _sqlite_problems(tmp: Path, tables: list[Table]) -> list[str]:
    with closing(sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)) as con:
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
        styles = con.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault"
        ).fetchall()
    problems = [] if integrity == ["ok"] else [f"integrity_check: {integrity[0]}"]
    styled = {name for name, _ in styles}
    problems += [
        f"no default style for {t.name}" for t in tables if t.spatial and t.name not in styled
    ]
    for name, qml in styles:
        try:
            ET.fromstring(qml)
        except ET.ParseError as exc:
            problems.append(f"style of {name} is not XML ({exc})")
    return problems


def _layer_problems(tmp: Path, tables: list[Table]) -> list[str]:
    """Every table listed in ``gpkg_contents`` (what GDAL and QGIS list) with as many rows as
    were written (read with SQLite: opening each layer with GDAL again costs ~10 ms a layer)."""
    with closing(sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)) as con:
        listed = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        counts = {
            t.name: con.execute(
                'SELECT count(*) FROM "{}"'.format(t.name.replace('"', '""'))
            ).fetchone()[0]
            for t in tables
            if t.name in listed
        }
    problems = [f"layer {t.name} missing" for t in tables if t.name not in listed]
    for t in tables:
        if t.name in counts and counts[t.name] != len(t.frame):
            problems.append(
                f"{t.name}: {counts[t.name]} features read back, {len(t.frame)} written"
            )
    return problems
