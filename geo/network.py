"""Directed river networks as arrays: build, check, trace, mainstem.

A network is one array ``next_down`` (position of the reach each reach flows into, ``-1`` at an
outlet) plus per-reach attributes. It is built either from line geometries (end points snapped
within a tolerance in metres, direction taken from digitisation) or from a HydroRIVERS-style
table (``HYRIV_ID`` / ``NEXT_DOWN``). Traversal runs in scipy.sparse.csgraph and per-level numpy
operations; nothing calls Python once per reach, so a million reaches take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.crs import local_metric_crs
from geo.errors import FieldError, GeometryError, NetworkError
from geo.measure import line_lengths_m

Direction = Literal["up", "down"]


@dataclass
class NetworkCheck:
    """What :func:`check_network` found: nothing here stops tracing, all of it is worth a look.

    ``divergences``: nodes where several reaches start (a braid, or a line digitised against
    the flow); ``uphill``: reaches that start where others start and end in a dead end, i.e.
    lines that seem to flow uphill into nothing; ``outlets``: positions of outlet reaches.
    """

    outlets: np.ndarray
    divergences: np.ndarray
    uphill: np.ndarray

    def lines(self, ids: np.ndarray) -> list[str]:
        out = [f"{self.outlets.size} outlet reach(es)"]
        if self.divergences.size:
            out.append(f"{self.divergences.size} node(s) where several reaches start")
        if self.uphill.size:
            shown = ", ".join(str(i) for i in ids[self.uphill][:10])
            out.append(
                f"{self.uphill.size} reach(es) that flow uphill into nothing "
                f"(digitised against the flow?): ids {shown}"
            )
        return out


@dataclass
class RiverNetwork:
    """A directed river network held as arrays (one entry per reach).

    ``ids``: the reaches' stable ids (``HYRIV_ID`` or row numbers); ``next_down``: position of
    the downstream reach, ``-1`` for an outlet; ``length_m``: geodesic length in metres;
    ``upstream_area_km2``: upstream drainage area in km² where the source has it (HydroRIVERS
    ``UPLAND_SKM``), else ``None``; ``geometry``: reach lines in EPSG:4326, or ``None`` for a
    table without geometry. ``source`` names the input for messages; ``reach_source``, where
    known, names per reach the input it was drawn from (see :mod:`geo.headwaters`).
    """

    ids: np.ndarray
    next_down: np.ndarray
    length_m: np.ndarray
    upstream_area_km2: np.ndarray | None = None
    geometry: gpd.GeoSeries | None = None
    source: str = "network"
    check: NetworkCheck | None = field(default=None, repr=False)
    reach_source: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids)
        self.next_down = np.asarray(self.next_down, dtype=np.int64)
        self.length_m = np.asarray(self.length_m, dtype=float)
        _refuse_cycles(self)

    def __len__(self) -> int:
        return int(self.next_down.size)

    # -- graph matrices ---------------------------------------------------------------------
    @cached_property
    def down_matrix(self) -> sparse.csr_matrix:
        """Sparse adjacency: row ``i`` has a 1 at ``next_down[i]``."""
        n = len(self)
        has = self.next_down >= 0
        rows = np.flatnonzero(has)
        return sparse.csr_matrix(
            (np.ones(rows.size, dtype=np.int8), (rows, self.next_down[has])), shape=(n, n)
        )

    @cached_property
    def up_matrix(self) -> sparse.csr_matrix:
        """Sparse adjacency upstream: row ``j`` lists the reaches flowing into ``j``."""
        return self.down_matrix.T.tocsr()

    @cached_property
    def outlets(self) -> np.ndarray:
        """Positions of reaches with no downstream reach."""
        return np.flatnonzero(self.next_down < 0)

    @cached_property
    def levels(self) -> list[np.ndarray]:
        """Reaches grouped by hops from their outlet: ``levels[0]`` are the outlets."""
        out = []
        frontier = self.outlets
        up = self.up_matrix
        while frontier.size:
            out.append(frontier)
            frontier = up[frontier].indices
        return out

    @cached_property
    def longest_upstream_m(self) -> np.ndarray:
        """Length in metres of the longest flow path from any source down to each reach's end."""
        return _accumulate_max(self, self.length_m)

    @cached_property
    def mainstem_key(self) -> np.ndarray:
        """What decides the mainstem at a confluence: upstream area if known, else longest path.

        Reaches without an area (NaN: headwaters added from a source without areas, see
        :mod:`geo.headwaters`) rank below every reach with one; among them the longest path
        decides (:attr:`mainstem_tiebreak`).
        """
        if self.upstream_area_km2 is not None:
            area = np.asarray(self.upstream_area_km2, dtype=float)
            return np.where(np.isnan(area), -1.0, area)
        return self.longest_upstream_m

    @cached_property
    def mainstem_tiebreak(self) -> np.ndarray:
        """Second key at a confluence: the longest upstream flow path (metres)."""
        return self.longest_upstream_m

    @cached_property
    def main_upstream(self) -> np.ndarray:
        """For each reach, the position of its mainstem upstream neighbour (``-1`` at a source)."""
        child = np.flatnonzero(self.next_down >= 0)
        parent = self.next_down[child]
        order = np.lexsort((self.mainstem_tiebreak[child], self.mainstem_key[child], parent))
        child, parent = child[order], parent[order]
        last = np.r_[parent[1:] != parent[:-1], True]
        out = np.full(len(self), -1, dtype=np.int64)
        out[parent[last]] = child[last]
        return out

    @cached_property
    def metric_geometry(self) -> gpd.GeoSeries:
        """The reaches in an azimuthal equidistant CRS (metres) centred on the network, for
        searches within a tolerance in metres; projected once, reused by every snap."""
        if self.geometry is None:
            raise NetworkError(f"{self.source}: has no geometry")
        return self.geometry.to_crs(local_metric_crs(self.geometry.total_bounds)).reset_index(
            drop=True
        )

    # -- tracing ----------------------------------------------------------------------------
    def position_of(self, reach_ids: np.ndarray) -> np.ndarray:
        """Positions of many reaches given their ids (NetworkError naming the first unknown)."""
        order = np.argsort(self.ids, kind="stable")
        want = np.asarray(reach_ids)
        pos = np.clip(np.searchsorted(self.ids, want, sorter=order), 0, max(len(self) - 1, 0))
        found = order[pos]
        bad = np.flatnonzero(self.ids[found] != want)
        if bad.size:
            raise NetworkError(f"{self.source}: no reach with id {want[bad[0]]!r}")
        return found

    def position(self, reach_id: object) -> int:
        """Position of a reach given its id; NetworkError if the id is not in the network."""
        hit = np.flatnonzero(self.ids == reach_id)
        if hit.size == 0:
            raise NetworkError(f"{self.source}: no reach with id {reach_id!r}")
        return int(hit[0])


def trace(net: RiverNetwork, start: int, direction: Direction = "up") -> np.ndarray:
    """Positions of all reaches upstream of (or downstream from) reach position ``start``.

    The start reach is included and comes first. ``"down"`` returns the single path to the
    outlet in flow order; ``"up"`` returns the whole upstream tree in breadth-first order.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    _check_position(net, start)
    matrix = net.up_matrix if direction == "up" else net.down_matrix
    return csgraph.breadth_first_order(matrix, start, directed=True, return_predecessors=False)


def trace_upstream(net: RiverNetwork, start: int) -> np.ndarray:
    """All reaches draining into reach position ``start`` (itself included)."""
    return trace(net, start, "up")


def trace_downstream(net: RiverNetwork, start: int) -> np.ndarray:
    """The flow path from reach position ``start`` to its outlet, in flow order."""
    return trace(net, start, "down")


def mainstem(net: RiverNetwork, start: int) -> np.ndarray:
    """Positions of the mainstem from its source down to reach position ``start`` (flow order).

    At each confluence the upstream reach with the larger :attr:`RiverNetwork.mainstem_key`
    is followed (upstream area where the data has it, else the longest upstream flow path).
    """
    _check_position(net, start)
    path = [start]
    up = net.main_upstream
    nxt = up[start]
    while nxt >= 0:
        path.append(int(nxt))
        nxt = up[nxt]
    return np.asarray(path[::-1], dtype=np.int64)


def _check_position(net: RiverNetwork, pos: int) -> None:
    if not 0 <= pos < len(net):
        raise NetworkError(f"{net.source}: reach position {pos} is outside 0..{len(net) - 1}")


def _accumulate_max(net: RiverNetwork, values: np.ndarray) -> np.ndarray:
    """``values`` summed along the path from the farthest upstream source (one pass per level)."""
    total = np.asarray(values, dtype=float).copy()
    best_child = np.zeros(len(net))
    for lvl in reversed(net.levels):
        total[lvl] = values[lvl] + best_child[lvl]
        down = net.next_down[lvl]
        keep = down >= 0
        np.maximum.at(best_child, down[keep], total[lvl][keep])
    return total


def _refuse_cycles(net: RiverNetwork) -> None:
    """Raise NetworkError naming a reach of the first cycle, if the network has one."""
    n = len(net)
    if n == 0:
        return
    self_loop = np.flatnonzero(net.next_down == np.arange(n))
    if self_loop.size:
        rid = net.ids[self_loop[0]]
        raise NetworkError(f"{net.source}: reach {rid} flows into itself (a cycle of one)")
    reached = np.zeros(n, dtype=bool)
    for lvl in net.levels:
        reached[lvl] = True
    if reached.all():
        return
    ncomp, labels = csgraph.connected_components(net.down_matrix, connection="strong")
    sizes = np.bincount(labels, minlength=ncomp)
    cyc = np.flatnonzero(sizes[labels] > 1)
    members = net.ids[cyc[:6]] if cyc.size else net.ids[~reached][:6]
    shown = ", ".join(str(m) for m in members)
    raise NetworkError(
        f"{net.source}: the network has a cycle (reaches {shown}…); rivers must drain to an "
        "outlet (NEXT_DOWN 0 or a line end that no other line starts from)"
    )


# -- building ---------------------------------------------------------------------------------
def from_hydrorivers(
    table: pd.DataFrame,
    *,
    source: str = "HydroRIVERS table",
    id_column: str = "HYRIV_ID",
    next_column: str = "NEXT_DOWN",
) -> RiverNetwork:
    """Build a network from a HydroRIVERS-style table (``HYRIV_ID``, ``NEXT_DOWN``; 0 = outlet).

    Optional columns: ``LENGTH_KM`` (reach length in km; else measured geodesically from the
    geometry), ``UPLAND_SKM`` (upstream area in km², used for the mainstem). A GeoDataFrame
    keeps its geometry (converted to EPSG:4326).
    """
    for col in (id_column, next_column):
        if col not in table.columns:
            raise FieldError(
                f"{source}: no column {col!r}; columns are {', '.join(map(str, table.columns))}"
            )
    ids = _integer_column(table, id_column, source)
    nxt = _integer_column(table, next_column, source)
    uniq, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        dup = uniq[counts > 1]
        raise FieldError(
            f"{source}: column {id_column!r} has duplicate ids ({', '.join(map(str, dup[:5]))}"
            f"{'…' if dup.size > 5 else ''}); each reach needs its own id"
        )
    order = np.argsort(ids)
    sorted_ids = ids[order]
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
    if "LENGTH_KM" in table.columns:
        length_m = pd.to_numeric(table["LENGTH_KM"], errors="coerce").to_numpy(float) * 1000.0
    elif geometry is not None:
        length_m = line_lengths_m(geometry)
    else:
        raise FieldError(
            f"{source}: no LENGTH_KM column and no geometry to measure reach lengths from"
        )
    area = None
    if "UPLAND_SKM" in table.columns:
        area = pd.to_numeric(table["UPLAND_SKM"], errors="coerce").to_numpy(float)
    return RiverNetwork(
        ids=ids,
        next_down=next_down,
        length_m=length_m,
        upstream_area_km2=area,
        geometry=geometry,
        source=source,
    )


def _integer_column(table: pd.DataFrame, col: str, source: str) -> np.ndarray:
    values = pd.to_numeric(table[col], errors="coerce")
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


def check_network(net: RiverNetwork) -> NetworkCheck:
    """The network's check report (computed when built from lines; outlets only for tables)."""
    if net.check is not None:
        return net.check
    empty = np.zeros(0, dtype=np.int64)
    return NetworkCheck(outlets=net.outlets, divergences=empty, uphill=empty)


HYDRORIVERS_COLUMNS = ("HYRIV_ID", "NEXT_DOWN")


def read_network(
    path: str,
    *,
    layer: str | None = None,
    snap_tolerance_m: float = 50.0,
    fix_geometries: bool = False,
    assume_crs: str | None = None,
) -> tuple[RiverNetwork, list[str]]:
    """Read a river network file: HydroRIVERS-style when it has ``HYRIV_ID``/``NEXT_DOWN``,
    else plain lines digitised downstream. Returns the network and report lines.

    A text column ``source`` (as :func:`geo.headwaters.extend_network`'s output carries) becomes
    :attr:`RiverNetwork.reach_source`.
    """
    from geo.io import LINE_TYPES, read_vector, source_name

    gdf, report = read_vector(
        path,
        layer,
        geom_types=LINE_TYPES,
        fix_geometries=fix_geometries,
        assume_crs=assume_crs,
    )
    name = source_name(path, layer)
    if all(c in gdf.columns for c in HYDRORIVERS_COLUMNS):
        net = from_hydrorivers(gdf, source=name)
    else:
        net = from_lines(gdf, snap_tolerance_m=snap_tolerance_m, source=name)
    if "source" in gdf.columns:
        labels = gdf["source"]
        net.reach_source = labels.where(labels.notna(), name).astype(str).to_numpy(dtype=object)
    checks = check_network(net).lines(net.ids)
    summary = f"{name}: {len(net):,} reaches, {checks[0]}" + "".join(f"; {c}" for c in checks[1:])
    return net, [*report.lines(), summary]
