"""Grafting the accepted stretches onto the primary network (part of :mod:`geo.headwaters`).

The primary reaches a tributary joins are cut at the junction (lon/lat, via their metric
twins in the merge's search CRS); the stretches are oriented towards their junction and cut
into reaches between heads, confluences and junctions; the merged arrays follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph

from geo.headwater_stretches import SecondaryGraph, Stretches, Verdict
from geo.measure import line_lengths_m
from geo.network import RiverNetwork


@dataclass
class Cuts:
    """The primary reaches split at junctions, and where each added component flows in.

    ``upper``: reach position -> its upper part (lon/lat line) and that part's share of the
    reach's length; ``lower``: the new reaches below each cut, in order (parent position,
    line, length share); ``target``/``junction``: per component, the merged position it flows
    into and the lon/lat point where it joins.
    """

    upper: dict[int, tuple[shapely.LineString, float]]
    lower: list[tuple[int, shapely.LineString, float]]
    target: np.ndarray
    junction: np.ndarray


def cut_primary(
    primary: RiverNetwork, prim_m: np.ndarray, verdict: Verdict, to_ll: Transformer
) -> Cuts:
    ok = np.flatnonzero(verdict.kind == "added")
    k = verdict.kind.size
    target = np.full(k, -1, dtype=np.int64)
    junction = np.full((k, 2), np.nan)
    into = ok[verdict.join[ok] == "into"]
    target[into] = verdict.reach[into]
    starts = shapely.get_point(primary.geometry.values[verdict.reach[into]], 0)
    junction[into] = shapely.get_coordinates(starts)
    split = ok[verdict.join[ok] == "split"]
    upper: dict[int, tuple[shapely.LineString, float]] = {}
    lower: list[tuple[int, shapely.LineString, float]] = []
    position = len(primary)
    for r in np.unique(verdict.reach[split]):  # one pass per split reach (a few dozen)
        here = split[verdict.reach[split] == r]
        along = np.round(verdict.along_m[here], 1)
        cuts, which = np.unique(along, return_inverse=True)
        lines, shares, points = _cut_line(primary.geometry.values[r], prim_m[r], cuts, to_ll)
        upper[int(r)] = (lines[0], shares[0])
        for line, share in zip(lines[1:], shares[1:], strict=True):
            lower.append((int(r), line, share))
        target[here] = position + which
        junction[here] = points[which]
        position += cuts.size
    return Cuts(upper, lower, target, junction)


def _cut_line(
    line_ll: shapely.LineString, line_m: shapely.LineString, cuts_m: np.ndarray, to_ll
) -> tuple[list[shapely.LineString], list[float], np.ndarray]:
    """Cut a lon/lat line at distances along its metric twin; the pieces share the cut points
    (lon/lat, rounded to 1e-7°, a centimetre) and keep every vertex."""
    ll = shapely.get_coordinates(line_ll)
    xy = shapely.get_coordinates(line_m)
    cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
    seg = np.clip(np.searchsorted(cum, cuts_m, side="right") - 1, 0, len(xy) - 2)
    t = (cuts_m - cum[seg]) / np.maximum(cum[seg + 1] - cum[seg], 1e-9)
    pm = xy[seg] + t[:, None] * (xy[seg + 1] - xy[seg])
    lon, lat = to_ll.transform(pm[:, 0], pm[:, 1])
    points = np.round(np.column_stack([lon, lat]), 7)
    bounds = np.r_[0, seg + 1, len(ll)]
    lines, shares = [], []
    total = cum[-1]
    marks = np.r_[0.0, cuts_m, total]
    for i in range(cuts_m.size + 1):
        head = [] if i == 0 else [points[i - 1]]
        tail = [] if i == cuts_m.size else [points[i]]
        body = ll[bounds[i] : bounds[i + 1]]
        lines.append(shapely.LineString(np.vstack([*head, body, *tail])))
        shares.append((marks[i + 1] - marks[i]) / total if total > 0 else 0.0)
    return lines, shares, points


@dataclass
class Added:
    """The added reaches: lines in flow order (lon/lat), the merged position each flows into,
    and the secondary file row each was drawn from."""

    lines: np.ndarray
    next_down: np.ndarray
    row: np.ndarray


def added_reaches(
    graph: SecondaryGraph, parts: Stretches, verdict: Verdict, cuts: Cuts, first: int
) -> Added:
    """Orient the accepted stretches towards their junctions and cut them into reaches
    between heads, confluences and junctions; ``first`` is the position of the first one."""
    ok = verdict.kind == "added"
    e = graph.edges[parts.kept]
    erow = graph.edge_row[parts.kept]
    keep = ok[parts.comp[e[:, 0]]]
    e, erow = e[keep], erow[keep]
    empty = np.zeros(0, dtype=np.int64)
    if not e.size:
        return Added(np.zeros(0, dtype=object), empty, empty)
    n = len(graph.xy)
    v = n  # a virtual node linked to every junction node: one BFS orients all stretches
    roots = verdict.root[ok]
    a, b = np.r_[e[:, 0], np.full(roots.size, v)], np.r_[e[:, 1], roots]
    adj = sparse.coo_matrix((np.ones(a.size), (a, b)), shape=(n + 1, n + 1)).tocsr()
    order, pred = csgraph.breadth_first_order(adj, v, directed=False, return_predecessors=True)
    depth = csgraph.shortest_path(adj, directed=False, unweighted=True, indices=v)
    member = order[1:]
    down = pred[member]
    inflow = np.bincount(down, minlength=n + 1)
    # a reach starts at a head or a confluence (other than one inflow) and runs down to the
    # next such node or to its junction; pointer jumping finds each node's reach start
    start = np.arange(n + 1)
    single = inflow[down] == 1
    start[down[single]] = member[single]
    start[inflow != 1] = np.flatnonzero(inflow != 1)
    while not np.array_equal(start[start], start):
        start = start[start]
    srt = np.lexsort((-depth[member], start[member]))
    nodes = member[srt]
    head_of = start[nodes]
    first_of = np.r_[0, np.flatnonzero(head_of[1:] != head_of[:-1]) + 1]
    heads = head_of[first_of]
    lowest = nodes[np.r_[first_of[1:] - 1, nodes.size - 1]]
    below = pred[lowest]
    at_junction = below == v
    reach_at = np.full(n + 1, -1, dtype=np.int64)
    reach_at[heads] = first + np.arange(heads.size)
    comp = parts.comp[lowest]
    end_xy = np.where(
        at_junction[:, None], cuts.junction[comp], graph.lonlat[np.minimum(below, n - 1)]
    )
    next_down = np.where(at_junction, cuts.target[comp], reach_at[np.minimum(below, n)])
    index = np.repeat(np.arange(heads.size), np.diff(np.r_[first_of, nodes.size]))
    coords = np.vstack([graph.lonlat[nodes], end_xy])
    index = np.r_[index, np.arange(heads.size)]
    o = np.argsort(index, kind="stable")
    lines = shapely.linestrings(coords[o], indices=index[o])
    up_end = np.where(pred[e[:, 0]] == e[:, 1], e[:, 0], e[:, 1])
    out_row = np.full(n + 1, -1, dtype=np.int64)
    out_row[up_end] = erow
    row = out_row[heads]
    row[row < 0] = out_row[nodes[first_of]][row < 0]
    return Added(lines, next_down, row)


def graft(
    primary: RiverNetwork, cuts: Cuts, added: Added, labels: tuple[str, str]
) -> tuple[RiverNetwork, np.ndarray, np.ndarray]:
    """The merged network: the primary's reaches (split ones cut), their lower parts, the added
    reaches; with, per reach, the primary position it was cut from and the secondary row it was
    drawn from (-1 where none)."""
    n = len(primary)
    parent = np.array([p for p, _, _ in cuts.lower], dtype=np.int64)
    geoms = primary.geometry.values.copy()
    share = np.ones(n)
    for r, (line, s) in cuts.upper.items():
        geoms[r], share[r] = line, s
    next_down = primary.next_down.copy()
    low_next = np.full(parent.size, -1, dtype=np.int64)
    # chain each split reach: upper part -> its lower parts in order -> the old next reach
    first = np.r_[True, parent[1:] != parent[:-1]] if parent.size else np.zeros(0, bool)
    same_next = np.r_[~first[1:], False] if parent.size else np.zeros(0, bool)
    low_next[:] = np.where(same_next, n + np.arange(parent.size) + 1, primary.next_down[parent])
    next_down[parent[first]] = n + np.flatnonzero(first)
    low_share = np.array([s for _, _, s in cuts.lower], dtype=float)
    low_geom = np.array([g for _, g, _ in cuts.lower], dtype=object)
    length = np.r_[
        primary.length_m * share,
        primary.length_m[parent] * low_share,
        line_lengths_m(added.lines),
    ]
    area = None
    if primary.upstream_area_km2 is not None:
        pa = np.asarray(primary.upstream_area_km2, dtype=float)
        area = np.r_[pa, pa[parent], np.full(added.lines.size, np.nan)]
    src = (
        np.asarray(primary.reach_source, dtype=object)
        if primary.reach_source is not None
        else np.full(n, labels[0], dtype=object)
    )
    m = parent.size + added.lines.size
    network = RiverNetwork(
        ids=_new_ids(primary.ids, m),
        next_down=np.r_[next_down, low_next, added.next_down],
        length_m=length,
        upstream_area_km2=area,
        geometry=gpd.GeoSeries(np.r_[geoms, low_geom, added.lines], crs=4326),
        source=primary.source,
        reach_source=np.r_[src, src[parent], np.full(added.lines.size, labels[1], dtype=object)],
    )
    primary_row = np.r_[np.arange(n), parent, np.full(added.lines.size, -1)].astype(np.int64)
    secondary_row = np.r_[np.full(n + parent.size, -1), added.row].astype(np.int64)
    return network, primary_row, secondary_row


def _new_ids(ids: np.ndarray, count: int) -> np.ndarray:
    """The primary's ids followed by ``count`` new ones (after the largest numeric id)."""
    if np.issubdtype(ids.dtype, np.integer):
        start = int(ids.max()) + 1 if ids.size else 0
        return np.r_[ids, np.arange(start, start + count, dtype=ids.dtype)]
    return np.r_[ids.astype(object), [f"added-{i + 1}" for i in range(count)]]
