"""Reading vector sources with up-front checks and one-line errors.

Every reader returns data in EPSG:4326 (WGS 84 longitude/latitude, degrees) unless told
otherwise; checks run before any computation so that a bad file fails early with a message
naming the file, the layer, the offending value and what would be accepted.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
import shapely
import shapely.errors
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from geo import containers
from geo.errors import CRSError, DataSourceError, GeometryError, LayerError

WGS84 = CRS.from_epsg(4326)

LINE_TYPES = ("LineString", "MultiLineString")
POLYGON_TYPES = ("Polygon", "MultiPolygon")
POINT_TYPES = ("Point", "MultiPoint")


@dataclass(frozen=True)
class Region:
    """A lon/lat box (degrees, EPSG:4326) that data must overlap to be plausible."""

    west: float
    south: float
    east: float
    north: float

    def overlaps(self, bounds: Iterable[float]) -> bool:
        """True when a (minx, miny, maxx, maxy) box in degrees overlaps this one."""
        minx, miny, maxx, maxy = bounds
        return not (maxx < self.west or minx > self.east or maxy < self.south or miny > self.north)

    def __str__(self) -> str:
        return f"lon {self.west:g}..{self.east:g}, lat {self.south:g}..{self.north:g}"


#: the product's region: the Irtysh, Ili and Emel basins with their neighbours
REGION = Region(66.0, 40.0, 92.0, 58.5)


@dataclass
class ReadReport:
    """What a reader changed on the way in (repairs, reprojection), for the user to see."""

    source: str
    repaired: list[int] = field(default_factory=list)
    reprojected_from: str | None = None
    assumed_crs: str | None = None

    def lines(self) -> list[str]:
        out = []
        if self.assumed_crs:
            out.append(f"{self.source}: declares no CRS; read as {self.assumed_crs} (--assume-crs)")
        if self.reprojected_from:
            out.append(f"{self.source}: reprojected from {self.reprojected_from} to EPSG:4326")
        if self.repaired:
            ids = ", ".join(map(str, self.repaired[:10]))
            more = "" if len(self.repaired) <= 10 else f" (+{len(self.repaired) - 10} more)"
            out.append(
                f"{self.source}: repaired {len(self.repaired)} invalid geometries "
                f"(rows {ids}{more}) with shapely.make_valid"
            )
        return out


def parse_crs(value: str | int | CRS, *, what: str = "--crs") -> CRS:
    """Turn a user's CRS text (``EPSG:3857``, a PROJ string, a number) into a CRS."""
    try:
        return CRS.from_user_input(value)
    except (ProjCRSError, TypeError, ValueError) as exc:
        raise CRSError(
            f"{what}: {value!r} is not a CRS pyproj knows "
            "(accepted: 'EPSG:4326', 'ESRI:102025', a PROJ string or WKT)"
        ) from exc


def source_name(path: str | Path, layer: str | None = None) -> str:
    """How a source is named in messages: ``file`` or ``file (layer L)``."""
    return f"{path}" + (f" (layer {layer!r})" if layer else "")


def _check_path(path: str | Path) -> None:
    loc = containers.check_file(path, folder_ok=True)
    if loc.prefix or loc.suffix != ".zip":
        return
    with zipfile.ZipFile(loc.disk) as zf:
        names = zf.namelist()
    if not any(n.lower().endswith(containers.VECTOR_SUFFIXES) for n in names):
        listed = ", ".join(names[:5]) or "nothing"
        raise DataSourceError(
            f"{path}: zip holds no vector data ({listed}); "
            "expected a shapefile (.shp with .shx, .dbf, .prj) or a GeoPackage inside"
        )


def _as_path(path: str | Path) -> str | Path:
    """A plain path as Path; a GDAL virtual path (``/vsizip/…``) kept as text."""
    return str(path) if containers.is_virtual(path) else Path(path)


#: layer names by (GDAL path, size, mtime) of the file on disk: a build asks for each of its
#: inputs several times (each opening costs GDAL ~20 ms); a changed file is listed again
_LAYERS: dict[tuple, list[str]] = {}


def list_layers(path: str | Path) -> list[str]:
    """Names of the vector layers in a file; raises DataSourceError when it cannot be read."""
    p = _as_path(path)
    _check_path(p)
    try:
        gdal = containers.gdal_path(p)
        stat = containers.locate(p).disk.stat()
        key = (gdal, stat.st_size, stat.st_mtime_ns)
        if key not in _LAYERS:
            _LAYERS[key] = [str(n) for n in pyogrio.list_layers(gdal)[:, 0]]
        return list(_LAYERS[key])
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataSourceError(
            f"{p}: cannot be opened as vector data ({_first_line(exc)}); "
            "accepted: GeoPackage, GeoJSON, shapefile (or a zip of one), FlatGeobuf"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def resolve_layer(path: str | Path, layer: str | None) -> str:
    """Check that ``path`` opens and ``layer`` is in it (or the file holds one layer);
    returns the source's name for messages."""
    layers = list_layers(path)
    if layer is not None and layer not in layers:
        raise LayerError(
            f"{path}: no layer {layer!r}; layers in this file: {', '.join(layers) or 'none'}"
        )
    if layer is None and len(layers) > 1:
        raise LayerError(
            f"{path}: holds {len(layers)} layers ({', '.join(layers[:8])}); name one as PATH::LAYER"
        )
    return source_name(path, layer if layer or len(layers) > 1 else None)


def read_vector(
    path: str | Path,
    layer: str | None = None,
    *,
    geom_types: tuple[str, ...] | None = None,
    region: Region | None = REGION,
    fix_geometries: bool = False,
    assume_crs: str | None = None,
    allow_empty: bool = False,
) -> tuple[gpd.GeoDataFrame, ReadReport]:
    """Read a vector layer, check it, and return it in EPSG:4326 with a report.

    Checks, in order: the file exists and opens; the layer exists; it has features; it has a
    CRS (or ``assume_crs`` is given); geometries are of ``geom_types``, not empty, valid (or
    repaired when ``fix_geometries``); longitudes and latitudes are plausible and overlap
    ``region`` (degrees). Raises a :class:`geo.errors.RivermapError` subclass on failure.
    """
    p = _as_path(path)
    name = resolve_layer(p, layer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(containers.gdal_path(p), layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataSourceError(f"{name}: cannot be read ({_first_line(exc)})") from exc
    report = ReadReport(source=name)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all() and len(gdf):
        raise LayerError(f"{name}: has no geometry column (a table, not a vector layer)")
    if len(gdf) == 0:
        if allow_empty:
            return gdf.set_crs(WGS84, allow_override=True), report
        raise LayerError(f"{name}: layer has no features")
    _check_finite(gdf, name)
    gdf = _ensure_crs(gdf, name, assume_crs, report)
    check_geometries(gdf, name, geom_types=geom_types)
    gdf = _validity(gdf, name, fix_geometries, report)
    check_lonlat(gdf, name, region=region)
    return gdf, report


def _ensure_crs(
    gdf: gpd.GeoDataFrame, name: str, assume_crs: str | None, report: ReadReport
) -> gpd.GeoDataFrame:
    crs = layer_crs(gdf.crs, name, assume_crs)
    if gdf.crs is None:
        gdf = gdf.set_crs(crs)
        report.assumed_crs = str(assume_crs)
    if crs.equals(WGS84, ignore_axis_order=True):
        return gdf
    report.reprojected_from = crs.to_string()
    out = gdf.to_crs(WGS84)
    lost = non_finite_rows(np.asarray(out.geometry.values))
    if lost.size:
        raise CRSError(
            f"{name}: {lost.size} feature(s) cannot be converted from {crs.to_string()} to "
            f"EPSG:4326 (rows {_rows(lost)}); is the declared CRS the one the coordinates are in?"
        )
    return out


def _check_finite(gdf: gpd.GeoDataFrame, name: str) -> None:
    geoms = np.asarray(gdf.geometry.values)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bad = non_finite_rows(np.where(present, geoms, None))
    if bad.size:
        raise GeometryError(
            f"{name}: {bad.size} feature(s) with non-finite coordinates (NaN or infinite; "
            f"rows {_rows(bad)}); every vertex needs finite x and y (fix or drop these "
            "features; --fix-geometries cannot repair them)"
        )


#: geometries whose coordinates are checked per pass (bounded memory on a million reaches)
_CHUNK = 100_000


def non_finite_rows(geoms: np.ndarray) -> np.ndarray:
    """Positions of geometries with a NaN or infinite x or y (checked in chunks)."""
    found = []
    for start in range(0, len(geoms), _CHUNK):
        coords, idx = shapely.get_coordinates(geoms[start : start + _CHUNK], return_index=True)
        bad = ~np.isfinite(coords).all(axis=1)
        if bad.any():
            found.append(np.unique(idx[bad]) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def layer_crs(crs: object, name: str, assume_crs: str | None = None) -> CRS:
    """The CRS a layer declares (``assume_crs`` when it declares none); CRSError when it has
    none or it is neither geographic nor projected."""
    if crs is None:
        if assume_crs is None:
            raise CRSError(
                f"{name}: no CRS (a shapefile without its .prj?); add the .prj or pass "
                "--assume-crs, e.g. 'EPSG:4326'"
            )
        return parse_crs(assume_crs, what="--assume-crs")
    out = CRS.from_user_input(crs)
    if not (out.is_geographic or out.is_projected):
        raise CRSError(f"{name}: CRS {out.name!r} is neither geographic nor projected")
    return out


def check_geometries(
    gdf: gpd.GeoDataFrame, name: str, *, geom_types: tuple[str, ...] | None
) -> None:
    """Refuse missing/empty geometries and types outside ``geom_types`` (all rows at once)."""
    geoms = gdf.geometry.values
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise GeometryError(
            f"{name}: {missing.size} feature(s) with empty or missing geometry "
            f"(rows {_rows(missing)}); every feature needs a geometry"
        )
    lines = np.isin(shapely.get_type_id(geoms), (1, 5))
    zero = np.flatnonzero(lines & (shapely.length(geoms) == 0))
    if zero.size:
        raise GeometryError(
            f"{name}: {zero.size} line(s) of zero length (rows {_rows(zero)}); "
            "a river reach needs two distinct vertices"
        )
    if geom_types is not None:
        types = gdf.geom_type.to_numpy()
        bad = ~np.isin(types, geom_types)
        if bad.any():
            found = dict(zip(*np.unique(types[bad], return_counts=True), strict=True))
            kinds = ", ".join(f"{n} {t}" for t, n in found.items())
            raise GeometryError(
                f"{name}: {kinds} among the features (rows {_rows(np.flatnonzero(bad))}); "
                f"accepted geometry types: {', '.join(geom_types)}"
            )


def _validity(gdf: gpd.GeoDataFrame, name: str, fix: bool, report: ReadReport) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.values
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if not invalid.size:
        return gdf
    if not fix:
        reason = shapely.is_valid_reason(geoms[invalid[0]])
        raise GeometryError(
            f"{name}: {invalid.size} invalid geometr{'y' if invalid.size == 1 else 'ies'} "
            f"(rows {_rows(invalid)}; first: {reason}); repair with --fix-geometries"
        )
    gdf = gdf.copy()
    try:
        fixed = shapely.make_valid(geoms[invalid])
    except shapely.errors.GEOSException as exc:
        raise GeometryError(
            f"{name}: --fix-geometries could not repair the invalid geometries (rows "
            f"{_rows(invalid)}; GEOS: {_first_line(exc)}); fix them in a GIS first"
        ) from exc
    gdf.loc[gdf.index[invalid], gdf.geometry.name] = fixed
    report.repaired = invalid.tolist()
    return gdf


def check_lonlat(gdf: gpd.GeoDataFrame, name: str, *, region: Region | None = REGION) -> None:
    """Check that EPSG:4326 coordinates are plausible and overlap ``region``.

    Latitudes beyond ±90 usually mean longitude and latitude were swapped; data outside the
    region usually means a wrong CRS (degrees labelled as feet or metres, or the reverse).
    """
    check_bounds(gdf.total_bounds, name, region=region)


def check_bounds(bounds: Iterable[float], name: str, *, region: Region | None = REGION) -> None:
    """:func:`check_lonlat` on a (minx, miny, maxx, maxy) box in degrees (EPSG:4326)."""
    minx, miny, maxx, maxy = bounds
    if miny < -90 or maxy > 90 or minx < -180 or maxx > 180:
        hint = (
            " (are longitude and latitude swapped?)"
            if -90 <= minx and maxx <= 90
            else " (is the CRS right?)"
        )
        raise CRSError(
            f"{name}: coordinates outside lon -180..180 / lat -90..90 after reading "
            f"(x {minx:.6g}..{maxx:.6g}, y {miny:.6g}..{maxy:.6g}){hint}"
        )
    if region is not None and not region.overlaps((minx, miny, maxx, maxy)):
        swapped = region.overlaps((miny, minx, maxy, maxx))
        hint = (
            "are longitude and latitude swapped?"
            if swapped
            else "is the declared CRS the one the coordinates are in?"
        )
        raise CRSError(
            f"{name}: data lies at lon {minx:.4g}..{maxx:.4g}, lat {miny:.4g}..{maxy:.4g}, "
            f"outside the product's region ({region}); {hint}"
        )


def _rows(idx: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    return shown + (f", … {idx.size - limit} more" if idx.size > limit else "")
