"""GeoPackage tables written through pyogrio/GDAL: frames made GeoPackage-safe, then written.

Each Atlas layer becomes a :class:`Table` (reprojected, geometry column ``geom``, columns in
types a GeoPackage keeps) and is written as a feature table or an attribute table, with its
title (``gpkg_contents.identifier``), description and GDAL layer metadata (provenance, licence).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geo.errors import CRSError
from layers.fields import Field
from layers.gpkg_columns import export_columns
from layers.sources import Provenance

if TYPE_CHECKING:
    from layers.atlas import Atlas, Layer

GEOMETRY_COLUMN = "geom"
FID_COLUMN = "fid"
#: GeoPackage version written: 1.2 is read by every GDAL >= 2.3 and QGIS 3 without warnings
GPKG_VERSION = "1.2"
STYLES_TABLE = "layer_styles"


@dataclass(frozen=True)
class Table:
    """One layer ready to write: ``frame`` in the output CRS with GeoPackage-safe columns."""

    name: str
    title: str
    description: str
    provenance: tuple[Provenance, ...]
    frame: pd.DataFrame
    geometry_type: str | None
    #: every GeoPackage column (fid, geometry, attributes) with its title and description
    fields: dict[str, Field] = field(default_factory=dict)
    #: Atlas column names that the GeoPackage spells otherwise (``width_class`` → …)
    renames: dict[str, str] = field(default_factory=dict)

    @property
    def spatial(self) -> bool:
        return self.geometry_type is not None


def prepare_table(layer: Layer, out_crs: CRS, *, geometry_type: str | None = None) -> Table:
    """The layer's frame reprojected to ``out_crs`` with columns a GeoPackage round-trips.

    ``geometry_type``: the layer's type before a subset emptied it (default: from the frame).
    """
    frame = layer.frame.reset_index(drop=True)
    if not isinstance(frame, gpd.GeoDataFrame):
        geometry_type = None
    else:
        geometry_type = geometry_type or geometry_type_of(frame)
        frame = _reproject(frame, out_crs, layer.name)
        frame = (
            frame.rename_geometry(GEOMETRY_COLUMN)
            if frame.geometry.name != GEOMETRY_COLUMN
            else frame
        )
    files = tuple(Path(p.file).name for p in layer.provenance[:1])
    frame, fields, renames = export_columns(layer.name, frame, files=files, fid=FID_COLUMN)
    return Table(
        layer.name,
        layer.title,
        layer.description,
        layer.provenance,
        frame,
        geometry_type,
        fields,
        renames,
    )


def geometry_type_of(frame: pd.DataFrame) -> str | None:
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


def write_tables(
    tmp: Path, tables: list[Table], notes: dict[str, str], identifiers: dict[str, str]
) -> None:
    """Every table through pyogrio/GDAL: features or attributes, title (``identifiers``),
    description, and GDAL layer metadata (provenance plus the export ``notes``)."""
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
        use_arrow=True,  # Arrow's date32 is how a DATE column reaches GDAL
        **kwargs,
    )


def unique_identifiers(tables: Sequence) -> dict[str, str]:
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


def export_notes(
    atlas: Atlas, out_crs: CRS, rivers: Sequence[str] | None, created: str
) -> dict[str, str]:
    """What every table's metadata says about the export itself: CRS, rivers, time
    ``created`` (UTC, ``2025-07-01T12:00:00Z``)."""
    ids = list(rivers) if rivers else [r.id for r in atlas.rivers]
    return {
        "EXPORT_CRS": _crs_label(out_crs),
        "EXPORT_RIVERS": ", ".join(ids),
        "EXPORT_CREATED": created,
    }


def gpkg_timestamp() -> str:
    """The current time (UTC) as the GeoPackage writes its timestamps:
    ``2025-07-01T12:00:00.000Z`` (milliseconds)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _crs_label(crs: CRS) -> str:
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]} ({crs.name})" if auth else crs.name
