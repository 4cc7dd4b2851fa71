"""The collections: every spatial layer of the Atlas, prepared once at start-up for serving.

Per collection the features are serialised once (properties as JSON text, geometry in CRS84)
and indexed (``sindex`` for bbox, typed column arrays for equality filters, period arrays for
``datetime``). Requests then only do index arithmetic: masks, ``sindex.query`` and slices.
Feature ids are the 1-based row numbers, the same as the GeoPackage's ``fid``. Nothing here
changes the Atlas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.atlas import Atlas, Layer

#: collections in the order the landing page and /collections list them
ORDER = ("rivers", "river_courses", "crossings", "gauges", "basins", "lakes", "borders", "network")
#: query parameters of /items; a column with one of these names is not a queryable
RESERVED = frozenset({"limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f", "lang"})
#: columns holding a period as ``START/END`` text (ISO dates), per layer
PERIOD_COLUMNS = {
    "rivers": "flow_period",
    "river_courses": "flow_period",
    "crossings": "flow_period",
    "basins": "balance_period",
}
#: columns holding the first and last year of a record, per layer
YEAR_COLUMNS = {"gauges": ("m_start", "m_end")}


@dataclass(frozen=True)
class Queryable:
    """A property clients may filter on with ``name=value`` (equality)."""

    name: str
    kind: str  # "string", "integer", "number" or "boolean" (JSON Schema types)
    values: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class Collection:
    """One layer ready to serve. Arrays are aligned with the layer's rows."""

    id: str
    title: str
    description: str
    layer: Layer
    frame: gpd.GeoDataFrame = field(repr=False)
    properties: np.ndarray = field(repr=False)  # JSON text per feature
    geometry_json: np.ndarray = field(repr=False)  # GeoJSON geometry text per feature, CRS84
    queryables: dict[str, Queryable] = field(repr=False)
    #: datetime64[s] start and end of each feature's period (NaT where it has none), or None
    period: tuple[np.ndarray, np.ndarray] | None = field(repr=False)
    bbox: tuple[float, float, float, float]

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def interval(self) -> list[str | None] | None:
        """The temporal extent ``[start, end]`` (ISO dates) or None without time."""
        if self.period is None:
            return None
        start, end = self.period
        if np.isnat(start).all():
            return None
        return [
            str(np.nanmin(start).astype("datetime64[D]")) + "T00:00:00Z",
            str(np.nanmax(end).astype("datetime64[D]")) + "T23:59:59Z",
        ]


def _json_kind(series: pd.Series) -> str | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "string"
    return None


def _queryables(frame: pd.DataFrame) -> dict[str, Queryable]:
    out = {}
    for name in frame.columns:
        if name == frame.geometry.name or name in RESERVED:
            continue
        kind = _json_kind(frame[name])
        if kind is None:
            continue
        col = frame[name]
        if kind == "string":
            values = col.astype(object).where(col.notna(), None).to_numpy(dtype=object)
        elif kind in ("integer", "number"):
            values = col.astype("float64").to_numpy(na_value=np.nan)
        else:
            values = col.to_numpy(dtype=object)
        out[name] = Queryable(name, kind, values)
    return out


def _properties_json(frame: gpd.GeoDataFrame) -> np.ndarray:
    """One JSON object per row (NaN and NA as null), without a Python loop over rows."""
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if plain.empty and len(plain.columns) == 0:
        return np.full(len(frame), "{}", dtype=object)
    if len(frame) == 0:
        return np.empty(0, dtype=object)
    text = plain.to_json(orient="records", lines=True, force_ascii=False, double_precision=10)
    # pandas escapes "/" as "\/" (valid JSON, but "2025-01-01\/2025-06-30" reads badly); every
    # literal backslash is doubled, so each "\/" left is that escape
    text = text.replace("\\/", "/")
    return np.array(text.rstrip("\n").split("\n"), dtype=object)


def _period(layer_id: str, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    if layer_id in PERIOD_COLUMNS and PERIOD_COLUMNS[layer_id] in frame:
        parts = (
            frame[PERIOD_COLUMNS[layer_id]]
            .astype(object)
            .fillna("")
            .astype(str)
            .str.split("/", n=1, expand=True)
        )
        parts = parts.reindex(columns=[0, 1])
        start = pd.to_datetime(parts[0], errors="coerce", format="%Y-%m-%d")
        end = pd.to_datetime(parts[1], errors="coerce", format="%Y-%m-%d") + pd.Timedelta(
            seconds=86399
        )
        return start.to_numpy("datetime64[s]"), end.to_numpy("datetime64[s]")
    if layer_id in YEAR_COLUMNS and set(YEAR_COLUMNS[layer_id]) <= set(frame.columns):
        first, last = (frame[c].astype("Float64") for c in YEAR_COLUMNS[layer_id])
        start = pd.to_datetime(
            first.astype("Int64").astype(str) + "-01-01", errors="coerce", format="%Y-%m-%d"
        )
        end = pd.to_datetime(
            last.astype("Int64").astype(str) + "-12-31", errors="coerce", format="%Y-%m-%d"
        )
        end = end + pd.Timedelta(seconds=86399)
        return start.to_numpy("datetime64[s]"), end.to_numpy("datetime64[s]")
    return None


def collection(layer: Layer) -> Collection:
    """Prepare one spatial layer (EPSG:4326 lon/lat, served as CRS84) for serving."""
    frame = layer.frame
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    frame = frame.reset_index(drop=True)
    geoms = frame.geometry.to_numpy()
    frame.sindex  # noqa: B018 - build the spatial index now, not on the first request
    bounds = frame.total_bounds if len(frame) else np.array([-180.0, -90.0, 180.0, 90.0])
    return Collection(
        id=layer.name,
        title=layer.title,
        description=layer.description,
        layer=layer,
        frame=frame,
        properties=_properties_json(frame),
        geometry_json=np.asarray(shapely.to_geojson(geoms), dtype=object),
        queryables=_queryables(frame),
        period=_period(layer.name, frame),
        bbox=tuple(float(v) for v in bounds),
    )


def catalog(atlas: Atlas) -> dict[str, Collection]:
    """Every spatial layer of the Atlas as a collection, in :data:`ORDER` then the rest."""
    names = [n for n in ORDER if n in atlas.layers] + sorted(
        n for n, layer in atlas.layers.items() if layer.spatial and n not in ORDER
    )
    return {n: collection(atlas.layers[n]) for n in names if atlas.layers[n].spatial}


def describe_sources(layer: Layer) -> str:
    """Provenance of a layer as one line per source (for the collection's description)."""
    return " ".join(p.one_line() for p in layer.provenance)


def json_dumps(value: object) -> str:
    """Compact JSON keeping non-ASCII names (Kazakh, Russian, Chinese) readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
