"""Building river networks: from lines digitised downstream, from HydroRIVERS-style tables,
and from files (read whole, or only their attribute columns when they are large).

Line networks join end points within a tolerance in metres (direction from digitisation);
HydroRIVERS-style tables join ``NEXT_DOWN`` to ``HYRIV_ID``. A HydroRIVERS-style file of
:data:`WHOLE_READ_LIMIT` reaches or more is never read whole: its attribute columns are read
(Arrow, no geometry) and the lines stay in the file (:class:`geo.reachfile.ReachFile`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.attributes import reach_lengths_m, upstream_areas_km2
from geo.crs import local_metric_crs
from geo.errors import FieldError, GeometryError, NetworkError
from geo.measure import line_lengths_m
from geo.network import NetworkCheck, RiverNetwork, check_network
from geo.reachfile import ReachFile


def from_hydrorivers(
    table: pd.DataFrame,
    *,
    source: str = "HydroRIVERS table",
    id_column: str = "HYRIV_ID",
    next_column: str = "NEXT_DOWN",
    store: ReachFile | None = None,
    bad_values: str = "error",
) -> RiverNetwork:
    """Build a network from a HydroRIVERS-style table (``HYRIV_ID``, ``NEXT_DOWN``; 0 = outlet).

    Optional columns: ``LENGTH_KM`` (reach length in km; else measured geodesically from the
    geometry), ``UPLAND_SKM`` (upstream area in km², used for the mainstem), read by the rule
    of :mod:`geo.attributes` (nodata markers are missing, a missing length is measured from the
    line and reported in :attr:`RiverNetwork.notes`; ``bad_values`` decides whether a bad value
    raises or is read as missing). A GeoDataFrame keeps its geometry (converted to EPSG:4326);
    ``store`` gives the lines of a table read without them (one per row, in row order).
    """
    for col in (id_column, next_column):
        if col not in table.columns:
            raise FieldError(
                f"{source}: no column {col!r}; columns are {', '.join(map(str, table.columns))}"
            )
    ids = _integer_column(table, id_column, source)
    nxt = _integer_column(table, next_column, source)
    # HydroRIVERS files come sorted by HYRIV_ID: then no sort is needed
    ascending = bool(np.all(ids[1:] > ids[:-1]))
    order = np.arange(ids.size) if ascending else np.argsort(ids, kind="stable")
    sorted_ids = ids if ascending else ids[order]
    repeated = sorted_ids[1:] == sorted_ids[:-1]
    if repeated.any():
        dup = np.unique(sorted_ids[1:][repeated])
        raise FieldError(
            f"{source}: column {id_column!r} has duplicate ids ({', '.join(map(str, dup[:5]))}"
            f"{'…' if dup.size > 5 else ''}); each reach needs its own id"
        )
    pos = np.searchsorted(sorted_ids, nxt)
    pos = np.clip(pos, 0, len(ids) - 1)
    found = sorted_ids[pos] == nxt
    outlet = nxt == 0
    missing = ~found & ~outlet
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise NetworkError(
            f"{source}: {next_column} {int(nxt[row])} (row {row}, {id_column} {int(ids[row])}) "
            f"points to no {id_column} in the table ({int(missing.sum())} such rows); accepted: "
            "0 for an outlet or an id present in the extract (was it cut at the wrong place?)"
        )
    next_down = np.where(outlet, -1, order[pos])
    geometry = None
    if isinstance(table, gpd.GeoDataFrame) and table.geometry is not None:
        geometry = table.geometry.to_crs(4326).reset_index(drop=True)
    if store is not None:
        store.ids = ids
    length_m, notes = reach_lengths_m(
        table, _measure(geometry, store), source=source, ids=ids, bad_values=bad_values
    )
    area, area_notes = upstream_areas_km2(table, source=source, ids=ids, bad_values=bad_values)
    return RiverNetwork(
        ids=ids,
        next_down=next_down,
        length_m=length_m,
        upstream_area_km2=area,
        geometry=geometry,
        source=source,
        store=store,
        notes=[*notes, *area_notes],
    )


def _measure(geometry: gpd.GeoSeries | None, store: ReachFile | None):
    """Geodesic lengths (m, WGS 84) of reach positions, from the lines in hand or in the file."""
    if geometry is not None:
        return lambda pos: line_lengths_m(np.asarray(geometry.values)[pos])
    if store is not None:
        return lambda pos: line_lengths_m(store.lines(pos))
    return None


def _integer_column(table: pd.DataFrame, col: str, source: str) -> np.ndarray:
    column = table[col]
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        return column.to_numpy(np.int64)
    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise FieldError(
            f"{source}: column {col!r} row {row} holds {table[col].iloc[row]!r}; "
            "accepted: whole numbers"
        )
    return values.to_numpy().astype(np.int64)


def from_lines(
    lines: gpd.GeoDataFrame,
    *,
    snap_tolerance_m: float = 50.0,
    source: str = "river lines",
    id_column: str | None = None,
) -> RiverNetwork:
    """Build a network from lines digitised in flow direction (first vertex upstream).

    End points closer than ``snap_tolerance_m`` metres (measured in an azimuthal equidistant
    projection centred on the data) are one node. A reach flows into the reach that starts at
    its end node; where several start there (a braid), the first in file order is taken and
    the node is reported in :attr:`RiverNetwork.check`. Lines must be in EPSG:4326.
    """
    geoms = _single_lines(lines, source)
    lengths = line_lengths_m(geoms)
    zero = np.flatnonzero(lengths <= 0)
    if zero.size:
        raise GeometryError(
            f"{source}: {zero.size} line(s) of zero length (rows "
            f"{', '.join(map(str, zero[:5]))}); a river reach needs two distinct vertices"
        )
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(geoms, 0)),
            shapely.get_coordinates(shapely.get_point(geoms, -1)),
        ]
    )
    node = _snap_nodes(ends, snap_tolerance_m)
    n = len(geoms)
    start_node, end_node = node[:n], node[n:]
    # the reach that starts at each node (first in file order), -1 where none starts
    first_start = np.full(node.max() + 1, -1, dtype=np.int64)
    first_start[start_node[::-1]] = np.arange(n)[::-1]
    next_down = first_start[end_node]
    next_down[next_down == np.arange(n)] = -1  # a closed ring flows nowhere, not into itself
    ids = lines[id_column].to_numpy() if id_column else np.arange(n, dtype=np.int64)
    net = RiverNetwork(
        ids=ids,
        next_down=next_down,
        length_m=lengths,
        geometry=gpd.GeoSeries(geoms, crs=4326),
        source=source,
    )
    net.check = _check_lines(start_node, end_node, next_down)
    return net


def _single_lines(lines: gpd.GeoDataFrame, source: str) -> np.ndarray:
    geoms = lines.geometry.values
    types = shapely.get_type_id(geoms)
    multi = np.flatnonzero(types == 5)
    if multi.size:
        merged = shapely.line_merge(geoms[multi])
        still = np.flatnonzero(shapely.get_type_id(merged) != 1)
        if still.size:
            raise GeometryError(
                f"{source}: multi-part line(s) that do not join into one line (rows "
                f"{', '.join(map(str, multi[still][:5]))}); split them into single reaches"
            )
        geoms = geoms.copy()
        geoms[multi] = merged
    bad = np.flatnonzero(shapely.get_type_id(geoms) != 1)
    if bad.size:
        raise GeometryError(
            f"{source}: rows {', '.join(map(str, bad[:5]))} are not lines "
            f"({shapely.get_type_id(geoms[bad[0]])!r}); accepted: LineString, MultiLineString"
        )
    return np.asarray(geoms)


def _snap_nodes(lonlat: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Node number of each end point: points within ``tolerance_m`` metres share a node."""
    from scipy import sparse
    from scipy.sparse import csgraph
    from scipy.spatial import cKDTree  # only line networks need these: imported here

    crs = local_metric_crs(
        (lonlat[:, 0].min(), lonlat[:, 1].min(), lonlat[:, 0].max(), lonlat[:, 1].max())
    )
    xy = shapely.get_coordinates(gpd.GeoSeries(shapely.points(lonlat), crs=4326).to_crs(crs))
    pairs = cKDTree(xy).query_pairs(r=max(tolerance_m, 0.0), output_type="ndarray")
    n = len(xy)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=False)
    return labels


def _check_lines(start_node: np.ndarray, end_node: np.ndarray, next_down: np.ndarray):
    starts_here = np.bincount(start_node, minlength=max(start_node.max(), end_node.max()) + 1)
    ends_here = np.bincount(end_node, minlength=starts_here.size)
    divergences = np.flatnonzero(starts_here > 1)
    outlet = next_down < 0
    # a line that begins at a node shared with another start and ends where nothing else is:
    dead_end = (starts_here[end_node] == 0) & (ends_here[end_node] == 1)
    uphill = np.flatnonzero(outlet & dead_end & (starts_here[start_node] > 1))
    return NetworkCheck(outlets=np.flatnonzero(outlet), divergences=divergences, uphill=uphill)


HYDRORIVERS_COLUMNS = ("HYRIV_ID", "NEXT_DOWN")
#: HydroRIVERS-style files with at least this many reaches are not read whole (see module doc)
WHOLE_READ_LIMIT = 50_000


def read_network(
    path: str,
    *,
    layer: str | None = None,
    snap_tolerance_m: float = 50.0,
    fix_geometries: bool = False,
    assume_crs: str | None = None,
    whole_read_limit: int | None = None,
    bad_values: str = "error",
) -> tuple[RiverNetwork, list[str]]:
    """Read a river network file: HydroRIVERS-style when it has ``HYRIV_ID``/``NEXT_DOWN``,
    else plain lines digitised downstream. Returns the network and report lines.

    A HydroRIVERS-style layer with ``LENGTH_KM`` and at least ``whole_read_limit`` features
    (default :data:`WHOLE_READ_LIMIT`) is read without its lines
    (:func:`read_hydrorivers_topology`); its lines are checked as they are read. A text column
    ``source`` (as :func:`geo.headwaters.extend_network`'s output carries) becomes
    :attr:`RiverNetwork.reach_source`. ``bad_values``: what a bad ``LENGTH_KM``/``UPLAND_SKM``
    value does (see :func:`from_hydrorivers`).
    """
    import pyogrio

    from geo.containers import gdal_path
    from geo.io import LINE_TYPES, read_vector, resolve_layer

    name = resolve_layer(path, layer)
    info = pyogrio.read_info(gdal_path(path), layer=layer)
    fields = set(info["fields"])
    limit = WHOLE_READ_LIMIT if whole_read_limit is None else whole_read_limit
    if fields.issuperset((*HYDRORIVERS_COLUMNS, "LENGTH_KM")) and info["features"] >= max(limit, 1):
        net = read_hydrorivers_topology(
            path, layer, info, name=name, assume_crs=assume_crs, bad_values=bad_values
        )
        report = [f"{name}: attribute columns read, lines read only where needed"]
    else:
        gdf, rep = read_vector(
            path,
            layer,
            geom_types=LINE_TYPES,
            fix_geometries=fix_geometries,
            assume_crs=assume_crs,
        )
        report = rep.lines()
        if all(c in gdf.columns for c in HYDRORIVERS_COLUMNS):
            net = from_hydrorivers(gdf, source=name, bad_values=bad_values)
        else:
            net = from_lines(gdf, snap_tolerance_m=snap_tolerance_m, source=name)
        if "source" in gdf.columns:
            net.reach_source = _labels(gdf["source"], name)
        net.attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    checks = check_network(net).lines(net.ids)
    summary = f"{name}: {len(net):,} reaches, {checks[0]}" + "".join(f"; {c}" for c in checks[1:])
    return net, [*report, summary, *net.notes]


def read_hydrorivers_topology(
    path: str | Path,
    layer: str | None,
    info: dict,
    *,
    name: str,
    assume_crs: str | None = None,
    bad_values: str = "error",
) -> RiverNetwork:
    """A HydroRIVERS-style network from the layer's attribute columns alone (Arrow, no
    geometry), its lines left in the file. ``info`` is ``pyogrio.read_info`` of the layer.

    Checked up front: the layer's CRS, geometry type and extent (EPSG:4326, the product's
    region); the ids as in :func:`from_hydrorivers`.
    """
    import pyogrio
    import pyogrio.raw
    from pyproj import Transformer

    from geo.containers import gdal_path
    from geo.io import LINE_TYPES, check_bounds, layer_crs

    crs = layer_crs(info["crs"], name, assume_crs)
    kind = str(info["geometry_type"]).removesuffix(" Z").removesuffix(" M")
    if kind not in (*LINE_TYPES, "Unknown"):
        raise GeometryError(
            f"{name}: layer of {info['geometry_type']} features; accepted geometry types: "
            f"{', '.join(LINE_TYPES)}"
        )
    gdal = gdal_path(path)
    bounds = info["total_bounds"]
    if bounds is None:
        bounds = pyogrio.read_info(gdal, layer=layer, force_total_bounds=True)["total_bounds"]
    bounds = Transformer.from_crs(crs, 4326, always_xy=True).transform_bounds(
        *bounds, densify_pts=21
    )
    check_bounds(bounds, name)
    wanted = (*HYDRORIVERS_COLUMNS, "LENGTH_KM", "UPLAND_SKM", "source")
    columns = [c for c in wanted if c in info["fields"]]
    fids, frame = _read_columns(gdal, layer, columns, int(info["features"]))
    store = ReachFile(
        path=gdal,
        layer=layer,
        fids=fids,
        crs=crs,
        bounds=tuple(float(v) for v in bounds),
        source=name,
        ids=np.empty(0),
    )
    net = from_hydrorivers(frame, source=name, store=store, bad_values=bad_values)
    store.ids = net.ids
    if "source" in frame.columns:
        net.reach_source = _labels(frame["source"], name)
    return net


def _read_columns(
    path: str, layer: str | None, columns: list[str], count: int
) -> tuple[np.ndarray, pd.DataFrame]:
    """Feature ids and attribute columns of a layer, without geometry, streamed in Arrow
    batches into numpy arrays of the layer's feature count (no whole Arrow table held):
    numbers as int64/float64 (float64 with NaN where an integer column has nulls), text as
    pandas objects."""
    import pyarrow.types as pt
    import pyogrio.raw

    numbers: dict[str, np.ndarray] = {}
    texts: dict[str, list] = {}
    fids = np.empty(max(count, 0), dtype=np.int64)
    done = 0
    with pyogrio.raw.open_arrow(
        path, layer=layer, columns=columns, read_geometry=False, return_fids=True, use_pyarrow=True
    ) as (_, reader):
        names = reader.schema.names
        for name, kind in zip(names[1:], reader.schema.types[1:], strict=True):
            if pt.is_integer(kind) or pt.is_floating(kind):
                numbers[name] = np.empty(fids.size, np.int64 if pt.is_integer(kind) else float)
            else:
                texts[name] = []
        for batch in reader:
            end = done + batch.num_rows
            if end > fids.size:  # a count that was an estimate: grow
                grow = max(end, 2 * fids.size) - fids.size
                fids = np.r_[fids, np.empty(grow, np.int64)]
                numbers = {k: np.r_[v, np.empty(grow, v.dtype)] for k, v in numbers.items()}
            fids[done:end] = batch.column(0).to_numpy()
            for name, col in zip(names[1:], batch.columns[1:], strict=True):
                if name in texts:
                    texts[name].append(col.to_pandas())
                    continue
                if col.null_count and numbers[name].dtype != float:
                    numbers[name] = numbers[name].astype(float)
                numbers[name][done:end] = col.to_numpy(zero_copy_only=False)
            done = end
    columns_out = {k: v[:done] for k, v in numbers.items()}
    for name, parts in texts.items():
        columns_out[name] = (
            pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
        )
    frame = pd.DataFrame({c: columns_out[c] for c in names[1:]}, copy=False)
    return fids[:done], frame


def _labels(labels: pd.Series, name: str) -> np.ndarray:
    """Per-reach source labels; a missing label is the file's name."""
    return labels.where(labels.notna(), name).astype(str).to_numpy(dtype=object)
