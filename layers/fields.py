"""What every column of the GeoPackage means: one registry of titles, descriptions and types.

The GeoPackage writer reads it for ``gpkg_data_columns`` (name, title, description), for the
QGIS field aliases in the stored styles and project, and for the columns' real types:

- ``kind="date"``: ISO text (``2025-01-01``) becomes a GeoPackage ``DATE`` column;
- ``kind="period"``: an ISO interval (``2025-01-01/2025-06-30``) becomes two ``DATE`` columns
  ``<name>_start`` and ``<name>_end``;
- ``kind="class"``: a style class number (``-1`` = no figure in the Atlas) becomes NULL where
  there is no figure, and takes the clearer name ``rename``.

The entries live in :mod:`layers.field_registry` (one per column of each Atlas layer; add
yours there); the GeoPackage's own tables are here. Entries are looked up by layer, then among
the columns shared by several layers (:data:`COMMON`), then by pattern (per-country columns, elevation bands). A column the registry
does not know gets a generic description naming the analyst's file it came from
(:func:`describe`); ``tests/test_fields.py`` fails on any column of the default build that is
not described, so a new column arrives with its description.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from layers.field_registry import COMMON
from layers.field_registry import LAYERS as ATLAS_LAYERS
from layers.field_types import Field
from layers.styles import COUNTRY_NAMES

__all__ = ["COMMON", "LAYERS", "PATTERNS", "TILE_FIELDS", "Field", "describe", "known"]

#: the GeoPackage's own tables that rivermap writes beside the layers
GPKG_TABLES: dict[str, dict[str, Field]] = {
    "gpkgext_relations": {
        "id": Field("Relation id", "Row id (primary key)."),
        "base_table_name": Field("Base table", "The layer whose features have related rows."),
        "base_primary_column": Field("Base key", "Its primary key column (fid)."),
        "related_table_name": Field("Related table", "The table holding the related rows."),
        "related_primary_column": Field("Related key", "Its primary key column (fid)."),
        "relation_name": Field("Relation type", "'attributes': the related rows are a table."),
        "mapping_table_name": Field(
            "Mapping table", "Table pairing base fid and related fid (base_id, related_id)."
        ),
    },
    "layer_styles": {
        "id": Field("Style id", "Row id (primary key)."),
        "f_table_catalog": Field("Catalog", "Unused by GeoPackage (empty)."),
        "f_table_schema": Field("Schema", "Unused by GeoPackage (empty)."),
        "f_table_name": Field("Layer", "Table the style belongs to."),
        "f_geometry_column": Field(
            "Geometry column", "Geometry column of that table (empty for a table)."
        ),
        "styleName": Field("Style name", "Name of the style."),
        "styleQML": Field("QGIS style (QML)", "The style as QGIS reads it (QML)."),
        "styleSLD": Field("SLD style", "The same rules as OGC SLD 1.1 (spatial layers)."),
        "useAsDefault": Field("Default?", "True: QGIS applies it when the layer is opened."),
        "description": Field("Description", "What the style shows."),
        "owner": Field("Owner", "Who saved the style (empty)."),
        "ui": Field("Form", "QGIS form definition (none)."),
        "update_time": Field("Saved", "When the style was written (UTC)."),
    },
}
#: columns by layer: the Atlas layers' (layers/field_registry.py) and the GeoPackage's own
LAYERS: dict[str, dict[str, Field]] = ATLAS_LAYERS | GPKG_TABLES


#: the columns of a raster tile table (GeoPackage tiles, GDAL's GPKG raster driver)
TILE_FIELDS: dict[str, Field] = {
    "id": Field("Tile id", "Row id (primary key)."),
    "zoom_level": Field("Zoom level", "Tile matrix level (gpkg_tile_matrix); 0 the coarsest."),
    "tile_column": Field("Tile column", "Column of the tile in its matrix, from the west."),
    "tile_row": Field("Tile row", "Row of the tile in its matrix, from the north."),
    "tile_data": Field("Tile image", "The tile as PNG, JPEG or (elevation) 16-bit PNG."),
}


def _country(code: str) -> str:
    return "other countries" if code == "other" else COUNTRY_NAMES.get(code.upper(), code.upper())


_USER_FIELDS = {
    "value": ("value", "the figure as the table gives it, in {p}_unit; NULL: no figure."),
    "unit": ("unit", "unit of {p}_value (canonical name: km3, m3/s, mm …)."),
    "mean_m3s": (
        "mean discharge (m³/s)",
        "{p}_value as mean discharge (m³/s) over the table's period (or the basin's area); "
        "NULL where it cannot be one.",
    ),
    "status": ("figure?", "'figure' where the table gives this feature a value, else 'no figure'."),
    "period": (
        "period",
        "period the table's figures cover (first and last day); NULL: none given.",
    ),
    "source": ("source", "file name of the analyst's table the figure comes from."),
}


def _user_field(prefix: str, suffix: str) -> Field:
    """A column an analyst's flow table adds (``layers.user_flows``): ``user_…``, ``user_2_…``,
    ``user_<id>_…``."""
    title, text = _USER_FIELDS[suffix]
    which = "analyst table" if prefix == "user" else f"analyst table {prefix.removeprefix('user_')}"
    return Field(
        f"{title[0].upper()}{title[1:]} ({which})",
        f"From an analyst's flow table (columns {prefix}_*): " + text.format(p=prefix),
        kind="period" if suffix == "period" else "",
    )


#: (layer or "*", pattern, field from the match)
PATTERNS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], Field]]] = [
    (
        "*",
        re.compile(r"area_km2_([a-z]{3}|other)"),
        lambda m: Field(
            f"Area in {_country(m[1])} (km²)",
            f"Area inside {_country(m[1])} (km², Albers equal-area, WGS 84).",
        ),
    ),
    (
        "*",
        re.compile(r"length_km_([a-z]{3}|other)"),
        lambda m: Field(
            f"Length in {_country(m[1])} (km)",
            f"Length inside {_country(m[1])} (km, geodesic, WGS 84).",
        ),
    ),
    (
        "*",
        re.compile(r"(user(?:_[a-z0-9_]+?)?)_(value|unit|mean_m3s|status|period|source)"),
        lambda m: _user_field(m[1], m[2]),
    ),
    (
        "basin_elevation",
        re.compile(r"km2_below_(\d+)"),
        lambda m: Field(f"Below {m[1]} m (km²)", f"Area below {m[1]} m (km²)."),
    ),
    (
        "basin_elevation",
        re.compile(r"km2_(\d+)_(\d+)"),
        lambda m: Field(f"{m[1]}–{m[2]} m (km²)", f"Area from {m[1]} to {m[2]} m (km²)."),
    ),
    (
        "basin_elevation",
        re.compile(r"km2_(\d+)_up"),
        lambda m: Field(f"{m[1]} m and above (km²)", f"Area at {m[1]} m and above (km²)."),
    ),
]


def known(layer: str, column: str) -> Field | None:
    """The registry's entry for ``column`` of ``layer`` (None: not described)."""
    if column in LAYERS.get(layer, {}):
        return LAYERS[layer][column]
    if column in COMMON:
        return COMMON[column]
    for scope, pattern, make in PATTERNS:
        m = pattern.fullmatch(column)
        if m and scope in ("*", layer):
            return make(m)
    return None


def describe(layer: str, column: str, files: tuple[str, ...] = ()) -> Field:
    """``column`` of ``layer`` described: the registry's entry, else a generic description
    naming the source ``files`` of the layer (an analyst's own column, kept as supplied)."""
    field = known(layer, column)
    if field is not None:
        return field
    where = ", ".join(files) if files else f"the source of {layer}"
    return Field(
        column,
        f"Column {column} as supplied in {where}; rivermap keeps it unchanged "
        "(see that file's documentation for its meaning and unit).",
        generic=True,
    )
