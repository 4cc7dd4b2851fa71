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
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyogrio
import pyogrio.errors
from pyproj import CRS

from geo.atomic import atomic_path
from geo.containers import is_sqlite
from geo.errors import CRSError, OutputError
from geo.io import WGS84, parse_crs
from layers.gpkg_check import validate
from layers.gpkg_project import project_input, warn_crs_area
from layers.gpkg_qgis import (
    name_spatial_ref_sys,
    styles_fields,
    write_project,
    write_qgis_metadata,
    write_styles,
)
from layers.gpkg_rasters import atlas_rasters, write_rasters
from layers.gpkg_schema import write_data_columns
from layers.gpkg_tables import (
    STYLES_TABLE,
    export_notes,
    geometry_type_of,
    prepare_table,
    unique_identifiers,
    write_tables,
)
from layers.gpkg_views import monthly_view, write_views
from layers.relations import mapping_fields, relations_fields, relations_for, write_related_tables
from layers.subset import subset_layers

if TYPE_CHECKING:
    from layers.atlas import Atlas, Layer

__all__ = ["STYLES_TABLE", "export_crs", "write_geopackage"]

_WRITE_ERRORS = (
    OSError,
    sqlite3.Error,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
)


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
        prepare_table(layer, out_crs, geometry_type=geometry_type_of(atlas.layers[name].frame))
        for name, layer in layers.items()
    ]
    warn_crs_area(out_crs, tables)
    views = [v for v in [monthly_view(tables)] if v is not None]
    rasters = atlas_rasters(atlas)
    relations = relations_for({t.name: list(t.frame.columns) for t in tables})
    identifiers = unique_identifiers([*tables, *views, *rasters])
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    layered = [*tables, *views]
    with replacing(target) as tmp, gdal_config(OGR_SQLITE_SYNCHRONOUS="OFF"):
        write_tables(tmp, tables, export_notes(atlas, out_crs, rivers, created), identifiers)
        write_rasters(tmp, rasters, identifiers)
        write_views(tmp, views, identifiers)
        project = project_input(atlas, layered, rasters, relations, out_crs, target.name, created)
        write_styles(tmp, layered, project.styles)
        write_related_tables(tmp, relations)
        write_data_columns(tmp, described(layered, rasters, relations))
        write_qgis_metadata(tmp, [*layered, *rasters], out_crs, project.extents, created)
        name_spatial_ref_sys(tmp, out_crs)
        write_project(tmp, project)
        validate(tmp, layered, target, rasters)
    return target


# --------------------------------------------------------------------------- checks


def described(tables: list, rasters: list, relations: list) -> list[tuple[str, dict]]:
    """``(table, {column: Field})`` for every table of the file (``gpkg_data_columns``)."""
    out = [(t.name, t.fields) for t in [*tables, *rasters]]
    out.append(styles_fields())
    if relations:
        out.append(("gpkgext_relations", relations_fields()))
        out += [(r.mapping_table, mapping_fields(r)) for r in relations]
    return out


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
    if target.exists() and not target.is_file():
        raise OutputError(
            f"{target}: exists and is not a regular file (a device, a pipe or a socket); "
            "not replaced"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: folder {folder} is not writable")
    if target.exists() and target.stat().st_size and not is_sqlite(target):
        raise OutputError(
            f"{target}: exists and is not a GeoPackage; not replaced (remove it or name another file)"
        )


# --------------------------------------------------------------------------- selection


def select_layers(atlas: Atlas, rivers: Sequence[str] | None) -> dict[str, Layer]:
    """The Atlas layers to write; with ``rivers`` what lies in those rivers' basins only
    (:func:`layers.subset.subset_layers`: their traced reaches, crossings, basins, gauges,
    lakes, network reaches, and the figures and tables about them). RegisterError names an
    id that is not in the register."""
    if not rivers:
        return dict(atlas.layers)
    atlas.register.select(list(rivers))
    return subset_layers(atlas, list(rivers))


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
