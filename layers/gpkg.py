"""Write the Atlas to one GeoPackage: every layer and table, QGIS styles, provenance metadata.

``write_geopackage(atlas, path)`` is a short pipeline:

1. check the request: the CRS (:func:`geo.io.parse_crs`), the river ids (the register), the
   output folder — all before anything is written;
2. select the layers (a subset of rivers limits the river-related ones) and prepare their
   frames: reprojected (EPSG:4326 unless asked), columns in types a GeoPackage keeps;
3. write them with pyogrio into a temporary ``.gpkg`` beside the target: spatial layers as
   feature tables (geometry column ``geom``), DataFrames as attribute tables; each with its
   title (``gpkg_contents.identifier``), description and GDAL metadata (provenance, licence);
4. add with sqlite3 what GDAL does not write: ``layer_styles`` exactly as QGIS writes it (QML +
   SLD, the default style of every spatial layer) and QGIS layer metadata in ``gpkg_metadata``;
5. validate the temporary file (SQLite integrity, every layer re-opened and counted, styles
   parse) and ``os.replace`` it onto the target. On any failure the temporary file is removed
   and an existing target is untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from geo.atomic import atomic_path
from geo.errors import CRSError, OutputError
from geo.io import WGS84, parse_crs
from layers.qml import qgis_metadata_document, qml_document, sld_document, style_for
from layers.sources import Provenance

if TYPE_CHECKING:
    from layers.atlas import Atlas, Layer

GEOMETRY_COLUMN = "geom"
FID_COLUMN = "fid"
#: GeoPackage version written: 1.2 is read by every GDAL >= 2.3 and QGIS 3 without warnings
GPKG_VERSION = "1.2"
STYLES_TABLE = "layer_styles"
#: the table exactly as QGIS 3.22 creates it when saving a style into a GeoPackage
LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
QGIS_METADATA_URI = "http://mrcc.com/qgis.dtd"
#: layers whose rows belong to one river each: a subset keeps only the rows of its rivers
RIVER_LAYERS = ("rivers", "river_courses", "crossings", "gauges", "profiles")
#: layers never cut by a subset (``network.river_id`` only tags reaches)
WHOLE_LAYERS = ("network",)
_WRITE_ERRORS = (
    OSError,
    sqlite3.Error,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
)


@dataclass(frozen=True)
class Table:
    """One layer ready to write: ``frame`` in the output CRS with GeoPackage-safe columns."""

    name: str
    title: str
    description: str
    provenance: tuple[Provenance, ...]
    frame: pd.DataFrame
    geometry_type: str | None

    @property
    def spatial(self) -> bool:
        return self.geometry_type is not None


def write_geopackage(
    atlas: Atlas,
    path: str | Path,
    *,
    crs: str | int | CRS | None = None,
    rivers: Sequence[str] | None = None,
) -> Path:
    """Write every layer and table of ``atlas`` into the GeoPackage ``path``, atomically.

    ``crs``: any CRS pyproj parses (``"EPSG:32644"``, ``"ESRI:102025"``, a PROJ string);
    EPSG:4326 (lon/lat degrees) by default; every spatial layer is reprojected to it.
    ``rivers``: register ids; the river-related layers keep only these rivers' rows.
    Raises CRSError (unknown CRS, or features it cannot hold), RegisterError (unknown river),
    OutputError (folder missing or not writable, write or check failed); in every case
    nothing is left behind and an existing ``path`` is untouched. Returns ``path``.
    """
    target = Path(path)
    out_crs = export_crs(crs)
    layers = select_layers(atlas, rivers)
    check_target(target)
    tables = [
        prepare_table(layer, out_crs, geometry_type=_geometry_type(atlas.layers[name].frame))
        for name, layer in layers.items()
    ]
    with replacing(target) as tmp, gdal_config(OGR_SQLITE_SYNCHRONOUS="OFF"):
        write_tables(tmp, tables, export_notes(atlas, out_crs, rivers))
        write_styles(tmp, tables)
        write_qgis_metadata(tmp, tables, out_crs)
        validate(tmp, tables, target)
    return target


# --------------------------------------------------------------------------- checks


def export_crs(crs: str | int | CRS | None) -> CRS:
    """The output CRS (EPSG:4326 when None); CRSError unless geographic or projected 2D."""
    if crs is None:
        return WGS84
    out = parse_crs(crs, what="--crs")
    if not (out.is_geographic or out.is_projected) or len(out.axis_info) != 2:
        raise CRSError(
            f"--crs {crs!r}: {out.name!r} is not a 2D geographic or projected CRS "
            "(accepted: e.g. 'EPSG:4326', 'EPSG:32644', 'ESRI:102025')"
        )
    return out


def check_target(target: Path) -> None:
    """OutputError unless ``target`` can be (re)placed: folder exists, is writable, and an
    existing file there is a GeoPackage (SQLite) — another kind of file is never replaced."""
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"{target}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{target}: {folder} is not a folder")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name such as rivermap.gpkg")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: folder {folder} is not writable")
    if target.exists() and target.stat().st_size and not _is_sqlite(target):
        raise OutputError(
            f"{target}: exists and is not a GeoPackage; not replaced (remove it or name another file)"
        )


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


# --------------------------------------------------------------------------- selection


def select_layers(atlas: Atlas, rivers: Sequence[str] | None) -> dict[str, Layer]:
    """The Atlas layers to write; with ``rivers`` the river-related rows of those rivers only.

    ``RIVER_LAYERS`` keep rows whose ``river_id`` is listed; other tables with a ``river_id``
    (``flows``) also keep rows tied to no river (basins, lakes, totals); ``gauge_climatology``
    follows the gauges kept; ``network`` and the rest stay whole. RegisterError names an id
    that is not in the register.
    """
    if not rivers:
        return dict(atlas.layers)
    atlas.register.select(list(rivers))
    ids = set(rivers)
    out = {name: _subset(layer, ids) for name, layer in atlas.layers.items()}
    if "gauges" in out and "gauge_climatology" in out:
        clim = out["gauge_climatology"]
        kept = clim.frame["grdc_no"].isin(out["gauges"].frame["grdc_no"])
        out["gauge_climatology"] = _with_frame(clim, clim.frame[kept.to_numpy()])
    return out


def _subset(layer: Layer, ids: set[str]) -> Layer:
    frame = layer.frame
    if layer.name in WHOLE_LAYERS or "river_id" not in frame.columns:
        return layer
    river = frame["river_id"]
    keep = river.isin(ids)
    if layer.name not in RIVER_LAYERS:
        keep |= river.isna() | (river.astype(str).str.strip() == "")
    return _with_frame(layer, frame[keep.to_numpy()])


def _with_frame(layer: Layer, frame: pd.DataFrame) -> Layer:
    return replace(layer, frame=frame)


# --------------------------------------------------------------------------- preparation


def prepare_table(layer: Layer, out_crs: CRS, *, geometry_type: str | None = None) -> Table:
    """The layer's frame reprojected to ``out_crs`` with columns a GeoPackage round-trips.

    ``geometry_type``: the layer's type before a subset emptied it (default: from the frame).
    """
    frame = layer.frame.reset_index(drop=True)
    if not isinstance(frame, gpd.GeoDataFrame):
        geometry_type = None
    else:
        geometry_type = geometry_type or _geometry_type(frame)
        frame = _reproject(frame, out_crs, layer.name)
        frame = (
            frame.rename_geometry(GEOMETRY_COLUMN)
            if frame.geometry.name != GEOMETRY_COLUMN
            else frame
        )
    frame = _plain_columns(frame)
    return Table(layer.name, layer.title, layer.description, layer.provenance, frame, geometry_type)


def _geometry_type(frame: pd.DataFrame) -> str | None:
    """The GeoPackage geometry type: the one type, its Multi form when mixed, else Unknown;
    None for a table without geometry."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    types = set(frame.geom_type.dropna())
    singles = {t.removeprefix("Multi") for t in types}
    if len(singles) != 1:
        return "Unknown"
    single = singles.pop()
    return single if types == {single} else f"Multi{single}"


def _reproject(frame: gpd.GeoDataFrame, out_crs: CRS, name: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise CRSError(f"layer {name!r}: no CRS (Atlas layers are EPSG:4326)")
    if CRS.from_user_input(frame.crs).equals(out_crs):
        return frame.set_crs(out_crs, allow_override=True)
    out = frame.to_crs(out_crs)
    coords = shapely.get_coordinates(out.geometry.values)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        raise CRSError(
            f"layer {name!r}: {int(bad.sum())} coordinates cannot be expressed in "
            f"{out_crs.name!r} (outside its area of use); choose a CRS covering lon 66–92 E"
        )
    return out


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding dates or containers become text (ISO dates, JSON)."""
    out = frame.copy()
    geom = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geom or out[col].dtype != object:
            continue
        kinds = set(out[col].dropna().map(type))
        if kinds <= {str}:
            continue
        out[col] = out[col].map(_as_text, na_action="ignore")
    return out


def _as_text(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, list | tuple | dict | set):
        return json.dumps(list(value) if isinstance(value, set) else value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------- writing


def replacing(target: Path):
    """Yield a temporary ``.gpkg`` path beside ``target``; on success rename it onto
    ``target`` (``os.replace``), on any failure remove it and leave ``target`` as it was.
    Write errors (OSError, SQLite, GDAL) become OutputError naming ``target``."""
    return atomic_path(target, what="the GeoPackage", errors=_WRITE_ERRORS)


@contextmanager
def gdal_config(**options: str) -> Iterator[None]:
    """GDAL configuration options for the duration of a block, restored afterwards.

    ``OGR_SQLITE_SYNCHRONOUS=OFF`` skips SQLite's fsync after every GDAL commit while the
    temporary file is written: a crash then only loses that file, and :func:`replacing`
    syncs it once before the rename.
    """
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def write_tables(tmp: Path, tables: list[Table], notes: dict[str, str]) -> None:
    """Every table through pyogrio/GDAL: features or attributes, title, description, and GDAL
    layer metadata (provenance plus the export ``notes``)."""
    identifiers = _unique_identifiers(tables)
    for i, table in enumerate(tables):
        write_table(tmp, table, identifiers[table.name], notes, create=i == 0)


def write_table(
    tmp: Path, table: Table, identifier: str, notes: dict[str, str], *, create: bool = False
) -> None:
    """One table into the GeoPackage ``tmp`` (``create``: the first one, which makes the file).

    No dataset-level GDAL metadata: GDAL opening such a file read-only leaves a ``.aux.xml``
    beside it, so everything is stored per table.
    """
    options = {"IDENTIFIER": identifier, "DESCRIPTION": table.description, "FID": FID_COLUMN}
    kwargs: dict = {}
    if table.spatial:
        options |= {"GEOMETRY_NAME": GEOMETRY_COLUMN, "SPATIAL_INDEX": "YES"}
        kwargs = {
            "geometry_type": table.geometry_type,
            "promote_to_multi": table.geometry_type.startswith("Multi"),
        }
    pyogrio.write_dataframe(
        table.frame,
        tmp,
        layer=table.name,
        driver="GPKG",
        layer_options=options,
        dataset_options={"VERSION": GPKG_VERSION} if create else None,
        layer_metadata=layer_metadata(table) | notes,
        **kwargs,
    )


def _unique_identifiers(tables: list[Table]) -> dict[str, str]:
    """``gpkg_contents.identifier`` is UNIQUE: a repeated title gets its table name added."""
    counts = pd.Series([t.title for t in tables]).value_counts()
    return {
        t.name: t.title
        if counts[t.title] == 1 and t.title != STYLES_TABLE
        else f"{t.title} ({t.name})"
        for t in tables
    }


def layer_metadata(table: Table) -> dict[str, str]:
    """GDAL layer metadata (``gpkg_metadata``, GDAL's format): title, licence, attribution and
    every source, numbered (``SOURCE_1_TITLE``, ``SOURCE_1_LICENCE`` …)."""
    md = {
        "TITLE": table.title,
        "LICENCE": "; ".join(dict.fromkeys(p.licence for p in table.provenance)),
        "ATTRIBUTION": "; ".join(dict.fromkeys(p.attribution for p in table.provenance)),
        "SOURCES": str(len(table.provenance)),
    }
    for i, p in enumerate(table.provenance, start=1):
        md |= {
            f"SOURCE_{i}_TITLE": p.title,
            f"SOURCE_{i}_SOURCE": p.source,
            f"SOURCE_{i}_LICENCE": p.licence,
            f"SOURCE_{i}_ATTRIBUTION": p.attribution,
            f"SOURCE_{i}_FILE": p.file,
        }
        if p.url:
            md[f"SOURCE_{i}_URL"] = p.url
    return md


def export_notes(atlas: Atlas, out_crs: CRS, rivers: Sequence[str] | None) -> dict[str, str]:
    """What every table's metadata says about the export itself: CRS, rivers, time (UTC)."""
    ids = list(rivers) if rivers else [r.id for r in atlas.rivers]
    return {
        "EXPORT_CRS": _crs_label(out_crs),
        "EXPORT_RIVERS": ", ".join(ids),
        "EXPORT_CREATED": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _crs_label(crs: CRS) -> str:
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]} ({crs.name})" if auth else crs.name


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_styles(tmp: Path, tables: list[Table]) -> None:
    """``layer_styles`` as QGIS writes it, registered in ``gpkg_contents`` as attributes, with
    one default style (QML + SLD) per spatial layer."""
    now = _now()
    rows = [
        (
            "",
            "",
            t.name,
            GEOMETRY_COLUMN,
            t.name[:30],
            qml_document(t.name, t.frame, t.title),
            sld_document(t.name, t.frame, t.title),
            1,
            style_for(t.name, t.frame, t.title).title,
            "",
            None,
            now,
        )
        for t in tables
        if t.spatial
    ]
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


# --------------------------------------------------------------------------- validation


def validate(tmp: Path, tables: list[Table], target: Path) -> None:
    """OutputError unless ``tmp`` passes SQLite's integrity check, lists every table, holds
    as many features/rows as were written and a parseable default style per spatial layer."""
    problems = _sqlite_problems(tmp, tables) + _layer_problems(tmp, tables)
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
    listed = {str(n) for n in pyogrio.list_layers(tmp)[:, 0]}
    problems = [f"layer {t.name} missing" for t in tables if t.name not in listed]
    for t in tables:
        if t.name in listed:
            n = pyogrio.read_info(tmp, layer=t.name, force_feature_count=True)["features"]
            if n != len(t.frame):
                problems.append(f"{t.name}: {n} features read back, {len(t.frame)} written")
    return problems
