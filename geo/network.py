"""Directed river networks as arrays: check, trace, mainstem, the reaches worth drawing.

A network is one array ``next_down`` (position of the reach each reach flows into, ``-1`` at an
outlet) plus per-reach attributes; :mod:`geo.network_build` builds it from line geometries or
from a HydroRIVERS-style table. Geometries are either held (a GeoSeries) or left in their file
(:class:`geo.reachfile.ReachFile`) and read for the reaches a step needs. Traversal runs in
scipy.sparse (csgraph for trees) and per-level numpy operations; nothing calls Python once per
reach (only once per reach of one path), so a million reaches take a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse

from geo.crs import local_metric_crs
from geo.errors import NetworkError
from geo.reachfile import ReachFile, boxes_around

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
    table without geometry or a network whose lines stay in their file (``store``, read with
    :meth:`lines` and :meth:`near`). ``source`` names the input for messages; ``reach_source``,
    where known, names per reach the input it was drawn from (see :mod:`geo.headwaters`);
    ``notes`` report what reading changed.
    """

    ids: np.ndarray
    next_down: np.ndarray
    length_m: np.ndarray
    upstream_area_km2: np.ndarray | None = None
    geometry: gpd.GeoSeries | None = None
    #: the source's own columns (all but the geometry), one row per reach in reach order, as
    #: read (names and types kept: HydroRIVERS' ORD_STRA, DIS_AV_CMS, 64-bit HYBAS_L12 …);
    #: None where they stay in the file (``store``: see :mod:`geo.reach_attributes`)
    attributes: pd.DataFrame | None = field(default=None, repr=False)
    source: str = "network"
    check: NetworkCheck | None = field(default=None, repr=False)
    reach_source: np.ndarray | None = field(default=None, repr=False)
    store: ReachFile | None = field(default=None, repr=False)
    #: what reading changed (lengths measured instead of read, areas missing), for the user
    notes: list[str] = field(default_factory=list, repr=False)

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
        """Reaches grouped by hops from their outlet: ``levels[0]`` are the outlets (ascending),
        each next level the reaches flowing into the previous one, in its order. Reaches on a
        cycle are in no level. One numpy gather per level on the upstream CSR arrays."""
        up = self.up_matrix
        indptr, indices = up.indptr, up.indices
        out = []
        frontier = self.outlets
        while frontier.size:
            out.append(frontier)
            starts = indptr[frontier]
            counts = indptr[frontier + 1] - starts
            total = int(counts.sum())
            if total == 0:
                break
            # positions starts[k] .. starts[k] + counts[k] - 1 for every k, in order
            offsets = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts)
            frontier = indices[offsets + np.arange(total)].astype(np.int64)
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
        up = self.up_matrix  # row = a reach, its entries = the reaches flowing into it
        out = np.full(len(self), -1, dtype=np.int64)
        if up.nnz == 0:
            return out
        counts = np.diff(up.indptr)
        rows = np.flatnonzero(counts)
        starts = up.indptr[rows]
        # the largest key wins, then the largest tiebreak, then the last reach in the file
        # (NaN counts as largest, as in a sort)
        is_best = np.ones(up.nnz, dtype=bool)
        for values in (self.mainstem_key, self.mainstem_tiebreak):
            v = values[up.indices]  # one temporary at a time: memory stays low at 10^7 reaches
            np.nan_to_num(v, copy=False, nan=np.inf)
            v[~is_best] = -np.inf
            is_best &= v == np.repeat(np.maximum.reduceat(v, starts), counts[rows])
            del v
        entry = np.arange(up.nnz, dtype=np.int32 if up.nnz < 2**31 else np.int64)
        entry[~is_best] = -1
        out[rows] = up.indices[np.maximum.reduceat(entry, starts)]
        return out

    # -- geometry ---------------------------------------------------------------------------
    @property
    def has_geometry(self) -> bool:
        """True when the reaches have lines (held, or in their file)."""
        return self.geometry is not None or self.store is not None

    def _need_geometry(self) -> None:
        if not self.has_geometry:
            raise NetworkError(f"{self.source}: has no geometry")

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Lon/lat extent of the reaches (west, south, east, north; degrees, EPSG:4326)."""
        self._need_geometry()
        if self.geometry is not None:
            return tuple(float(v) for v in self.geometry.total_bounds)
        return self.store.bounds

    @cached_property
    def metric_crs(self) -> CRS:
        """Azimuthal equidistant CRS (metres) centred on the network, for searches within a
        tolerance in metres (:func:`geo.crs.local_metric_crs`)."""
        return local_metric_crs(self.bounds)

    def lines(self, positions: np.ndarray) -> np.ndarray:
        """The lines (shapely, EPSG:4326) of reach ``positions``, in that order."""
        self._need_geometry()
        positions = np.asarray(positions, dtype=np.int64)
        if self.geometry is not None:
            return np.asarray(self.geometry.values)[positions]
        return self.store.lines(positions)

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(np.asarray(self.geometry.values))

    def in_box(self, box: tuple[float, float, float, float]) -> np.ndarray:
        """Positions (ascending) of the reaches whose bounding boxes meet a lon/lat box
        (degrees): what a file's spatial index answers, the same for lines held or not."""
        self._need_geometry()
        if self.geometry is None:
            return self.store.in_box(box, geometry=False)[0]
        return np.sort(self._tree.query(shapely.box(*box)))

    def near(
        self, lon: np.ndarray, lat: np.ndarray, radius_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Reaches that may lie within ``radius_m`` metres (geodesic) of any of the lon/lat
        points: their positions (ascending) and lines (EPSG:4326). Every reach within the
        radius is among them (boxes around the points, read through the file's spatial index
        when the lines stay in their file); some farther ones may be too."""
        self._need_geometry()
        boxes = boxes_around(lon, lat, radius_m)
        if self.geometry is not None:
            hits = self._tree.query(shapely.box(*boxes.T), predicate="intersects")[1]
            pos = np.unique(hits)
            return pos, np.asarray(self.geometry.values)[pos]
        found = [self.store.in_box(tuple(b)) for b in boxes]
        pos = np.concatenate([f[0] for f in found])
        lines = np.concatenate([f[1] for f in found])
        pos, first = np.unique(pos, return_index=True)
        return pos, lines[first]

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
    outlet in flow order (``next_down`` followed); ``"up"`` returns the whole upstream tree in
    breadth-first order (scipy.sparse.csgraph).
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    _check_position(net, start)
    if direction == "down":
        return _follow(net.next_down, start)
    from scipy.sparse import csgraph  # imported where used: a third of scipy's import time

    return csgraph.breadth_first_order(
        net.up_matrix, start, directed=True, return_predecessors=False
    )


def _follow(pointer: np.ndarray, start: int) -> np.ndarray:
    """``start``, ``pointer[start]``, … until a negative pointer (one path, not a tree)."""
    path = [start]
    nxt = pointer[start]
    while nxt >= 0:
        path.append(int(nxt))
        nxt = pointer[nxt]
    return np.asarray(path, dtype=np.int64)


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
    return _follow(net.main_upstream, start)[::-1].copy()


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
    if sum(lvl.size for lvl in net.levels) == n:
        return
    reached = np.zeros(n, dtype=bool)
    for lvl in net.levels:
        reached[lvl] = True
    from scipy.sparse import csgraph

    ncomp, labels = csgraph.connected_components(net.down_matrix, connection="strong")
    sizes = np.bincount(labels, minlength=ncomp)
    cyc = np.flatnonzero(sizes[labels] > 1)
    members = net.ids[cyc[:6]] if cyc.size else net.ids[~reached][:6]
    shown = ", ".join(str(m) for m in members)
    raise NetworkError(
        f"{net.source}: the network has a cycle (reaches {shown}…); rivers must drain to an "
        "outlet (NEXT_DOWN 0 or a line end that no other line starts from)"
    )


def check_network(net: RiverNetwork) -> NetworkCheck:
    """The network's check report (computed when built from lines; outlets only for tables)."""
    if net.check is not None:
        return net.check
    empty = np.zeros(0, dtype=np.int64)
    return NetworkCheck(outlets=net.outlets, divergences=empty, uphill=empty)


#: the builders live in geo.network_build; importing them from here keeps working
_BUILDERS = (
    "HYDRORIVERS_COLUMNS",
    "from_hydrorivers",
    "from_lines",
    "read_network",
    "read_hydrorivers_topology",
)


def __getattr__(name: str):
    if name in _BUILDERS:
        from geo import network_build

        return getattr(network_build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
