"""Secondary lines as stretches, and the verdict on each: added, or why it is left out.

Part of :mod:`geo.headwaters`: the secondary lines become one vertex graph (metres, in the
merge's search CRS; lon/lat kept beside), the vertices within
:attr:`~geo.headwaters.MergeRules.alongside_m` of a primary reach are "covered", and each
connected set of edges with an uncovered end is a stretch judged against the primary network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.measure import segment_lengths_m
from geo.network import RiverNetwork

if TYPE_CHECKING:
    from geo.headwaters import MergeRules

#: ``elevation(lon, lat) -> metres`` (NaN where unknown), lon/lat in degrees
Elevation = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class SecondaryGraph:
    """The secondary lines as one undirected vertex graph.

    ``node``: node of each vertex (vertices glued at junctions share one); ``xy``/``lonlat``:
    coordinates of each node (metres, degrees); ``edges``: (k, 2) node pairs, one per segment;
    ``edge_row``: the secondary file row of each edge; ``edge_m``: geodesic length of each.
    """

    node: np.ndarray
    xy: np.ndarray
    lonlat: np.ndarray
    edges: np.ndarray
    edge_row: np.ndarray
    edge_m: np.ndarray


def vertex_graph(lonlat: np.ndarray, rows: np.ndarray, to_m: Transformer, junction_m: float):
    ll, line = shapely.get_coordinates(lonlat, return_index=True)
    x, y = to_m.transform(ll[:, 0], ll[:, 1])
    xy = np.column_stack([x, y])
    n = len(ll)
    first = np.r_[0, np.flatnonzero(np.diff(line)) + 1]
    last = np.r_[first[1:] - 1, n - 1]
    ends = np.r_[first, last]
    # glue each line end to the nearest vertex of another line within junction_m
    k = min(24, n)
    dist, near = cKDTree(xy).query(xy[ends], k=k, distance_upper_bound=junction_m)
    dist, near = np.atleast_2d(dist), np.atleast_2d(near)
    other = np.isfinite(dist) & (line[np.minimum(near, n - 1)] != line[ends][:, None])
    pick = np.argmax(other, axis=1)
    has = other[np.arange(len(ends)), pick]
    glue = np.column_stack([ends[has], near[np.arange(len(ends)), pick][has]])
    g = sparse.coo_matrix((np.ones(len(glue)), (glue[:, 0], glue[:, 1])), shape=(n, n))
    _, label = csgraph.connected_components(g, directed=False)
    # each node sits where its first mid-line vertex is (a junction on the main line's path)
    is_end = np.zeros(n, dtype=bool)
    is_end[ends] = True
    order = np.lexsort((np.arange(n), is_end, label))
    rep = order[np.r_[True, label[order][1:] != label[order][:-1]]]
    _, node = np.unique(label, return_inverse=True)
    seg = np.flatnonzero(line[:-1] == line[1:])
    edges = np.column_stack([node[seg], node[seg + 1]])
    seg_m = segment_lengths_m(ll)[seg] if n > 1 else np.zeros(0)
    keep = edges[:, 0] != edges[:, 1]
    return SecondaryGraph(
        node=node,
        xy=xy[rep],
        lonlat=ll[rep],
        edges=edges[keep],
        edge_row=rows[line[seg]][keep],
        edge_m=seg_m[keep],
    )


@dataclass
class Stretches:
    """Connected stretches of secondary edges not alongside the primary network.

    ``covered``: per node, whether it lies within ``alongside_m`` of a primary reach; ``kept``:
    positions of the edges with at least one uncovered end; ``comp``: component of each node
    (-1 for nodes of no kept edge); ``n_comp``: number of components.
    """

    covered: np.ndarray
    kept: np.ndarray
    comp: np.ndarray
    n_comp: int


def find_stretches(graph: SecondaryGraph, prim_m: np.ndarray, alongside_m: float) -> Stretches:
    tree = shapely.STRtree(prim_m)
    pts = shapely.points(graph.xy)
    hit = tree.query(pts, predicate="dwithin", distance=alongside_m)[0]
    covered = np.zeros(len(graph.xy), dtype=bool)
    covered[hit] = True
    e = graph.edges
    kept = np.flatnonzero(~covered[e[:, 0]] | ~covered[e[:, 1]])
    n = len(graph.xy)
    adj = sparse.coo_matrix((np.ones(kept.size), (e[kept, 0], e[kept, 1])), shape=(n, n))
    n_comp, label = csgraph.connected_components(adj, directed=False)
    used = np.zeros(n, dtype=bool)
    used[e[kept].ravel()] = True
    live = np.unique(label[used])
    renum = np.full(n_comp, -1, dtype=np.int64)
    renum[live] = np.arange(live.size)
    comp = np.where(used, renum[label], -1)
    return Stretches(covered=covered, kept=kept, comp=comp, n_comp=int(live.size))


# -- judging each component -----------------------------------------------------------------
@dataclass
class Verdict:
    """Per component of :class:`Stretches`: ``kind`` (``"added"`` or why it is left out);
    ``root``: its node nearest the primary network (where it leaves the primary's
    tolerance); ``reach``: the primary reach it flows into; ``join``: ``"into"`` (at the
    reach's start node) or ``"split"`` (at ``along_m`` metres from the reach's start, in the
    search CRS); ``junction``: that point, lon/lat; ``length_m``: geodesic length;
    ``rows``: the secondary file rows it was drawn from; ``detail``: what a note quotes."""

    kind: np.ndarray
    root: np.ndarray
    reach: np.ndarray
    join: np.ndarray
    along_m: np.ndarray
    junction: np.ndarray
    length_m: np.ndarray
    rows: list[np.ndarray]
    detail: np.ndarray


def judge(
    parts: Stretches,
    graph: SecondaryGraph,
    primary: RiverNetwork,
    prim_m: np.ndarray,
    rules: MergeRules,
    elevation: Elevation | None,
    sinks_m: np.ndarray | None,
    to_ll: Transformer,
) -> Verdict:
    k = parts.n_comp
    e = graph.edges[parts.kept]
    ecomp = parts.comp[e[:, 0]]
    nodes = np.unique(e.ravel())
    n_nodes = np.bincount(parts.comp[nodes], minlength=k)
    n_edges = np.bincount(ecomp, minlength=k)
    length = np.bincount(ecomp, weights=graph.edge_m[parts.kept], minlength=k)
    attach = nodes[parts.covered[nodes]]
    n_attach = np.bincount(parts.comp[attach], minlength=k)
    kind = np.full(k, "added", dtype=object)
    several = n_attach >= 2
    kind[n_attach == 0] = "touches nothing"
    kind[several] = "joins at several places"
    kind[several & (length < rules.divergence_m) & (n_edges == n_nodes - 1)] = "alongside"
    kind[(n_attach == 1) & (n_edges > n_nodes - 1)] = "loop"
    root = np.full(k, -1, dtype=np.int64)
    one = attach[n_attach[parts.comp[attach]] == 1]
    root[parts.comp[one]] = one
    reach, join, along, junction = _junctions(graph, root, kind, primary, prim_m, rules, to_ll)
    kind[join == "outlet"] = "continues an outlet"
    degree = np.bincount(e.ravel(), minlength=len(graph.xy))
    heads = nodes[(degree[nodes] == 1) & ~parts.covered[nodes]]
    detail = np.full(k, "", dtype=object)
    if sinks_m is not None:
        _sink_check(graph, heads, kind, parts.comp, primary, prim_m, sinks_m, rules)
    if elevation is not None:
        _uphill_check(graph, heads, parts.comp, junction, kind, detail, elevation, rules)
    order = np.argsort(ecomp, kind="stable")
    cuts = np.searchsorted(ecomp[order], np.arange(1, k))
    rows = [np.unique(r) for r in np.split(graph.edge_row[parts.kept][order], cuts)]
    return Verdict(kind, root, reach, join, along, junction, length, rows, detail)


def _junctions(
    graph: SecondaryGraph,
    root: np.ndarray,
    kind: np.ndarray,
    primary: RiverNetwork,
    prim_m: np.ndarray,
    rules: MergeRules,
    to_ll: Transformer,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each component still ``"added"`` joins the primary network (see :class:`Verdict`):
    the point of the primary reach nearest its root node, moved to the reach's start or end
    node when within :attr:`MergeRules.node_m` of it; ``join`` is ``"outlet"`` where it would
    continue an outlet reach downstream."""
    k = root.size
    reach = np.full(k, -1, dtype=np.int64)
    join = np.full(k, "", dtype=object)
    along = np.full(k, np.nan)
    junction = np.full((k, 2), np.nan)
    todo = np.flatnonzero((kind == "added") & (root >= 0))
    if not todo.size:
        return reach, join, along, junction
    pts = shapely.points(graph.xy[root[todo]])
    got = shapely.STRtree(prim_m).query_nearest(
        pts, max_distance=rules.alongside_m * 1.001, all_matches=False
    )
    r = np.full(todo.size, -1, dtype=np.int64)
    r[got[0]] = got[1]
    lines = prim_m[r]
    a = shapely.line_locate_point(lines, pts)
    span = shapely.length(lines)
    at_start = a <= np.minimum(rules.node_m, span / 2)
    at_end = ~at_start & (span - a <= rules.node_m)
    nxt = primary.next_down[r]
    how = np.where(at_start | at_end, "into", "split").astype(object)
    how[at_end & (nxt < 0)] = "outlet"
    reach[todo] = np.where(at_end & (nxt >= 0), nxt, r)
    join[todo] = how
    along[todo] = np.where(how == "split", a, 0.0)
    foot = shapely.get_coordinates(
        shapely.line_interpolate_point(lines, np.where(at_start, 0.0, np.where(at_end, span, a)))
    )
    lon, lat = to_ll.transform(foot[:, 0], foot[:, 1])
    junction[todo] = np.column_stack([lon, lat])
    return reach, join, along, junction


def _sink_check(graph, heads, kind, comp, primary, prim_m, sinks_m, rules) -> None:
    """A head in (or at the shore of) a lake a primary outlet ends in is a delta arm or an
    outflow: its water runs into the lake, not towards the junction."""
    outlet_ends = shapely.get_point(prim_m[primary.outlets], -1)
    tree = shapely.STRtree(sinks_m)
    ends_in = np.unique(tree.query(outlet_ends, predicate="dwithin", distance=rules.node_m)[1])
    if not ends_in.size or not heads.size:
        return
    hit = shapely.STRtree(sinks_m[ends_in]).query(
        shapely.points(graph.xy[heads]), predicate="dwithin", distance=rules.alongside_m
    )[0]
    bad = np.unique(comp[heads[hit]])
    kind[bad[kind[bad] == "added"]] = "runs into a lake the network ends in"


def _uphill_check(graph, heads, comp, junction, kind, detail, elevation, rules) -> None:
    """A head lower than its junction by more than the DEM's error: refused, not reversed."""
    hcomp = comp[heads]
    live = kind[hcomp] == "added"
    heads, hcomp = heads[live], hcomp[live]
    if not heads.size:
        return
    ll_h, ll_r = graph.lonlat[heads], junction[hcomp]
    zh = np.asarray(elevation(ll_h[:, 0], ll_h[:, 1]), dtype=float)
    zr = np.asarray(elevation(ll_r[:, 0], ll_r[:, 1]), dtype=float)
    low = np.flatnonzero(zh < zr - rules.dem_tolerance_m)
    first = low[np.unique(hcomp[low], return_index=True)[1]]
    kind[hcomp[first]] = "runs uphill"
    detail[hcomp[first]] = [
        f"head at lon {ll_h[i, 0]:.3f}, lat {ll_h[i, 1]:.3f} lies at {zh[i]:.0f} m, its "
        f"junction at {zr[i]:.0f} m"
        for i in first
    ]
