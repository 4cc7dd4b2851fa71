"""Atlas columns as the GeoPackage stores them: real types, NULL for missing, clear names.

:func:`export_columns` turns one layer's frame into what the GeoPackage holds, driven by the
field registry (:mod:`layers.fields`):

- text: an empty or blank string is NULL (so ``IS NULL`` finds every missing value);
- dates (``kind="date"``, or Python dates in the frame): a ``DATE`` column;
- periods (``kind="period"``, ISO ``start/end``): two ``DATE`` columns ``<name>_start`` and
  ``<name>_end``;
- style classes (``kind="class"``): NULL instead of ``-1`` (no figure), under their
  registry name (``width_class`` → ``discharge_class``);
- lists, sets and dicts: JSON text; other objects: their text.

It returns the frame and every GeoPackage column's :class:`~layers.fields.Field` (title and
description), in column order, the feature id and geometry included.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from layers.fields import Field, describe

DATE = pd.ArrowDtype(pa.date32())
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def export_columns(
    name: str,
    frame: pd.DataFrame,
    *,
    files: tuple[str, ...] = (),
    fid: str = "fid",
) -> tuple[pd.DataFrame, dict[str, Field], dict[str, str]]:
    """``frame`` with GeoPackage types and names; ``(frame, fields, renames)``.

    ``fields`` maps every GeoPackage column (``fid`` first, then the geometry, then the
    attributes) to its description; ``renames`` maps Atlas names to GeoPackage names where
    they differ. ``files``: the layer's source files, named in the description of a column
    the registry does not know.
    """
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    fields: dict[str, Field] = {fid: describe(name, fid)}
    if geom is not None:
        fields[geom] = describe(name, "geom")
    columns: dict[str, pd.Series] = {}
    renames: dict[str, str] = {}
    for col in frame.columns:
        if col == geom:
            continue
        field = describe(name, col, files)
        for out_name, values, out_field in _convert(col, frame[col], field):
            columns[out_name] = values
            fields[out_name] = out_field
            if out_name != col and field.kind == "class":
                renames[col] = out_name
    out = pd.DataFrame(columns, index=frame.index)
    if geom is not None:
        out = gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)
        out = out.rename_geometry(geom) if geom != "geometry" else out
        out = out[[geom, *columns]]
    return out, fields, renames


def _convert(col: str, values: pd.Series, field: Field) -> list[tuple[str, pd.Series, Field]]:
    if field.kind == "class":
        codes = pd.to_numeric(values, errors="coerce").astype("Int64")
        return [(field.rename or col, codes.where(codes >= 0), field)]
    if field.kind == "period":
        text = _blank_to_null(values.astype("object"))
        parts = text.str.split("/", n=1, expand=True).reindex(columns=[0, 1])
        start, end = _as_dates(parts[0]), _as_dates(parts[1])
        if start is not None and end is not None:
            return [
                (f"{col}_start", start, _part(field, "first")),
                (f"{col}_end", end, _part(field, "last")),
            ]
        return [(col, text, field)]
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        text = _blank_to_null(values if inferred in ("string", "empty") else _plain(values))
        dates = None
        if field.kind == "date" or inferred in ("date", "datetime", "datetime64"):
            dates = _as_dates(text)
        return [(col, dates if dates is not None else text, field)]
    return [(col, values, field)]


def _part(field: Field, which: str) -> Field:
    return replace(
        field,
        title=f"{field.title} ({'start' if which == 'first' else 'end'})",
        description=f"{which.capitalize()} day of: {field.description[0].lower()}"
        f"{field.description[1:]}",
        kind="date",
    )


def _plain(values: pd.Series) -> pd.Series:
    """Mixed objects as text: dates as ISO text (parsed again by the caller), containers as
    JSON, the rest by ``str``."""
    return values.astype("object").map(_as_text, na_action="ignore")


def _blank_to_null(values: pd.Series) -> pd.Series:
    """Object text with None wherever the value is missing, empty or only blanks."""
    text = values.astype("string")
    keep = text.str.strip().ne("").fillna(False).to_numpy(dtype=bool)
    out = np.full(len(text), None, dtype=object)
    out[keep] = text.to_numpy(dtype=object)[keep]
    return pd.Series(out, index=values.index, dtype=object)


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat() if _midnight(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict | set):
        return json.dumps(list(value) if isinstance(value, set) else value, ensure_ascii=False)
    return str(value)


def _midnight(value: dt.datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def _as_dates(text: pd.Series) -> pd.Series | None:
    """ISO dates as a DATE column; None when a value is not an ISO date (kept as text)."""
    have = text.notna().to_numpy()
    if not have.any():
        return pd.Series(pd.array([None] * len(text), dtype=DATE), index=text.index)
    given = text[have].astype(str)
    if not given.str.fullmatch(_ISO_DATE).all():
        return None
    parsed = pd.to_datetime(given, format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        return None
    out = np.full(len(text), None, dtype=object)
    out[have] = [d.date() for d in parsed]
    return pd.Series(pd.array(list(out), dtype=DATE), index=text.index)
