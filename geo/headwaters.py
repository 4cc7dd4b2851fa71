"""Extend a primary river network with the headwaters a secondary, coarser source holds.

The primary network (lines digitised downstream, or a HydroRIVERS-style table with geometry)
is trusted where it exists. The secondary lines (World Data Bank II, say: unnamed and without
flow direction) are added only where the primary stops:

- a secondary stretch that runs **alongside** a primary reach (every vertex within
  :attr:`MergeRules.alongside_m`) duplicates it and is left out;
- the rest is cut into stretches; a connected set of stretches that touches the primary network
  at **one** place continues a primary headwater or joins a primary reach as a tributary (the
  reach is split at the junction); water flows towards that junction;
- a set that touches nothing, touches the primary network at several places (it would make a
  cycle), continues an outlet downstream, runs into a lake a primary outlet ends in (a delta
  arm), or whose head lies lower than its junction by more than the DEM's error, is left out
  with a note.

Searches run in one azimuthal equidistant CRS (metres) centred on both inputs; geometry in and
out is lon/lat (EPSG:4326); lengths are geodesic (WGS 84). Nothing here loops over vertices or
reaches in Python: the secondary lines become one vertex graph handled with numpy and
scipy.sparse.csgraph. The same inputs give the same output, reach for reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.crs import local_metric_crs
from geo.errors import CRSError, GeometryError, NetworkError
from geo.measure import line_lengths_m, segment_lengths_m
from geo.network import RiverNetwork

#: ``elevation(lon, lat) -> metres`` (NaN where unknown), lon/lat in degrees
Elevation = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class MergeRules:
    """Tolerances of the merge, in metres.

    ``alongside_m`` 2.5 km: a secondary vertex this close to a primary reach duplicates it.
    Measured on the embedded data, 95 % of WDBII's vertices on the Irtysh main stem lie within
    1.6 km of the portal's line, 97 % within 2.5 km: a 1:1–3M line is accurate to 0.5–1.5 km
    (0.5 mm at scale) and the portal's 15″ lines follow cell centres (±0.25 km); two channels
    of a river in one valley are rarely closer. ``junction_m`` 1 km: a secondary line ending
    this close to another secondary vertex joins it there (twice WDBII's vertex spacing of
    ~0.57 km; 95 % of WDBII's own junctions are within 0.5 km). ``node_m`` 1 km: a junction
    this close to a reach's end joins at that node instead of splitting the reach into a stub.
    ``divergence_m`` 15 km: a stretch shorter than this that leaves a primary reach and comes
    back to it is the same river drawn differently (meanders), not a second channel.
    ``dem_tolerance_m`` 50 m: a head lower than its junction by more than this runs uphill
    (the 5′ DEM's step is 28 m; heads sit hundreds of metres above their junctions).
    """

    alongside_m: float = 2_500.0
    junction_m: float = 1_000.0
    node_m: float = 1_000.0
    divergence_m: float = 15_000.0
    dem_tolerance_m: float = 50.0


@dataclass
class Merged:
    """The merged network and where each of its reaches came from.

    ``network``: the primary's reaches (split where a tributary joins) then the added ones,
    ``network.reach_source`` naming the input of each; ``primary_row``: per reach, the position
    of the primary reach it was cut from (-1 for an added reach); ``secondary_row``: per reach,
    the row of the secondary file an added reach was drawn from (-1 otherwise); ``notes``: one
    line per kind of secondary line left out, and a summary of what was added.
    """

    network: RiverNetwork
    primary_row: np.ndarray
    secondary_row: np.ndarray
    notes: list[str]


def extend_network(
    primary: RiverNetwork,
    secondary: gpd.GeoDataFrame,
    *,
    secondary_name: str = "secondary lines",
    labels: tuple[str, str] = ("primary", "secondary"),
    rules: MergeRules = MergeRules(),  # noqa: B008 - frozen, never mutated
    elevation: Elevation | None = None,
    sinks: gpd.GeoSeries | None = None,
) -> Merged:
    """Add the secondary lines that extend ``primary`` upstream (see the module docstring).

    ``secondary``: lines in any CRS (reprojected to EPSG:4326; NetworkError without a CRS);
    ``labels``: the ``reach_source`` of primary and added reaches; ``elevation``: samples a DEM
    for the uphill check (skipped when ``None``); ``sinks``: lake polygons (EPSG:4326), of which
    those a primary outlet ends in stop delta arms from being taken for headwaters.
    """
    lonlat, rows = _secondary_lines(secondary, secondary_name)
    if primary.geometry is None:
        raise NetworkError(f"{primary.source}: has no geometry to extend")
    crs = local_metric_crs(_union_bounds(primary.geometry.total_bounds, lonlat))
    to_m = Transformer.from_crs(4326, crs, always_xy=True)
    to_ll = Transformer.from_crs(crs, 4326, always_xy=True)
    prim_m = shapely.transform(primary.geometry.values, to_m.transform, interleaved=False)
    sinks_m = None
    if sinks is not None and len(sinks):
        sinks_m = shapely.transform(np.asarray(sinks.values), to_m.transform, interleaved=False)
    graph = _vertex_graph(lonlat, rows, to_m, rules.junction_m)
    parts = _stretches(graph, prim_m, rules.alongside_m)
    verdict = _judge(parts, graph, primary, prim_m, rules, elevation, sinks_m, to_ll)
    cuts = _cut_primary(primary, prim_m, verdict, to_ll)
    added = _added_reaches(graph, parts, verdict, cuts, len(primary) + len(cuts.lower))
    merged = _merged(primary, cuts, added, labels)
    notes = _notes(verdict, secondary_name, rules)
    new = merged.secondary_row >= 0
    notes.insert(
        0,
        f"{secondary_name}: {int(new.sum())} reach(es), "
        f"{merged.network.length_m[new].sum() / 1000:,.0f} km added upstream of "
        f"{primary.source}",
    )
    return Merged(merged.network, merged.primary_row, merged.secondary_row, notes)


# -- inputs -------------------------------------------------------------------------------
def _secondary_lines(gdf: gpd.GeoDataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Single lon/lat lines of the secondary file and the file row of each."""
    if gdf.crs is None:
        raise CRSError(f"{name}: no CRS; the secondary lines need one (e.g. EPSG:4326)")
    geoms = gdf.geometry.to_crs(4326).values if not CRS(gdf.crs).equals(CRS(4326)) else None
    geoms = gdf.geometry.values if geoms is None else geoms
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, (1, 5)) | shapely.is_empty(geoms))
    if bad.size:
        raise GeometryError(
            f"{name}: row {int(bad[0])} is not a line ({shapely.get_type_id(geoms[bad[0]])}); "
            "accepted: LineString, MultiLineString"
        )
    parts, rows = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_num_coordinates(parts) >= 2
    return parts[keep], rows[keep]


def _union_bounds(bounds: np.ndarray, lines: np.ndarray) -> tuple[float, float, float, float]:
    b = np.vstack([bounds, shapely.total_bounds(lines)])
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


@dataclass
class _Graph:
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


def _vertex_graph(lonlat: np.ndarray, rows: np.ndarray, to_m: Transformer, junction_m: float):
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
    return _Graph(
        node=node,
        xy=xy[rep],
        lonlat=ll[rep],
        edges=edges[keep],
        edge_row=rows[line[seg]][keep],
        edge_m=seg_m[keep],
    )


@dataclass
class _Parts:
    """Connected stretches of secondary edges not alongside the primary network.

    ``covered``: per node, whether it lies within ``alongside_m`` of a primary reach; ``kept``:
    positions of the edges with at least one uncovered end; ``comp``: component of each node
    (-1 for nodes of no kept edge); ``n_comp``: number of components.
    """

    covered: np.ndarray
    kept: np.ndarray
    comp: np.ndarray
    n_comp: int


def _stretches(graph: _Graph, prim_m: np.ndarray, alongside_m: float) -> _Parts:
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
    return _Parts(covered=covered, kept=kept, comp=comp, n_comp=int(live.size))


# -- judging each component -----------------------------------------------------------------
@dataclass
class _Verdict:
    """Per component of :class:`_Parts`: ``kind`` (``"added"`` or why it is left out);
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


def _judge(
    parts: _Parts,
    graph: _Graph,
    primary: RiverNetwork,
    prim_m: np.ndarray,
    rules: MergeRules,
    elevation: Elevation | None,
    sinks_m: np.ndarray | None,
    to_ll: Transformer,
) -> _Verdict:
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
    return _Verdict(kind, root, reach, join, along, junction, length, rows, detail)


def _junctions(
    graph: _Graph,
    root: np.ndarray,
    kind: np.ndarray,
    primary: RiverNetwork,
    prim_m: np.ndarray,
    rules: MergeRules,
    to_ll: Transformer,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each component still ``"added"`` joins the primary network (see :class:`_Verdict`):
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


_WHY = {
    "touches nothing": "they touch no primary reach",
    "joins at several places": "each joins the primary network at several places (adding it "
    "would make a cycle)",
    "loop": "they form a loop among themselves (adding them would make a cycle)",
    "continues an outlet": "they continue an outlet downstream (the merge adds upstream only)",
    "runs into a lake the network ends in": "they run into a lake the network ends in (delta "
    "arms or outflows, not headwaters)",
    "runs uphill": "their head lies lower than their junction",
}


def _notes(verdict: _Verdict, name: str, rules: MergeRules) -> list[str]:
    """One line per reason a stretch was left out (rows of the secondary file quoted)."""
    out = []
    for kind, text in _WHY.items():
        sel = np.flatnonzero(verdict.kind == kind)
        if not sel.size:
            continue
        rows = np.unique(np.concatenate([verdict.rows[c] for c in sel]))
        shown = ", ".join(str(int(r)) for r in rows[:8]) + (" …" if rows.size > 8 else "")
        extra = "; ".join(d for d in verdict.detail[sel] if d)
        if kind == "runs uphill":
            text += f" by more than {rules.dem_tolerance_m:g} m (DEM)"
        out.append(
            f"{name}: left out {sel.size} stretch(es), {verdict.length_m[sel].sum() / 1000:,.0f}"
            f" km (rows {shown}): {text}" + (f"; {extra}" if extra else "")
        )
    return out


# -- assembling the merged network --------------------------------------------------------
@dataclass
class _Cuts:
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


def _cut_primary(
    primary: RiverNetwork, prim_m: np.ndarray, verdict: _Verdict, to_ll: Transformer
) -> _Cuts:
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
    return _Cuts(upper, lower, target, junction)


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
class _Added:
    """The added reaches: lines in flow order (lon/lat), the merged position each flows into,
    and the secondary file row each was drawn from."""

    lines: np.ndarray
    next_down: np.ndarray
    row: np.ndarray


def _added_reaches(
    graph: _Graph, parts: _Parts, verdict: _Verdict, cuts: _Cuts, first: int
) -> _Added:
    """Orient the accepted stretches towards their junctions and cut them into reaches
    between heads, confluences and junctions; ``first`` is the position of the first one."""
    ok = verdict.kind == "added"
    e = graph.edges[parts.kept]
    erow = graph.edge_row[parts.kept]
    keep = ok[parts.comp[e[:, 0]]]
    e, erow = e[keep], erow[keep]
    empty = np.zeros(0, dtype=np.int64)
    if not e.size:
        return _Added(np.zeros(0, dtype=object), empty, empty)
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
    return _Added(lines, next_down, row)


def _merged(primary: RiverNetwork, cuts: _Cuts, added: _Added, labels: tuple[str, str]) -> Merged:
    n = len(primary)
    parent = np.array([p for p, _, _ in cuts.lower], dtype=np.int64)
    geoms = primary.geometry.values.copy()
    share = np.ones(n)
    for r, (line, s) in cuts.upper.items():
        geoms[r], share[r] = line, s
    next_down = primary.next_down.copy()
    low_next = np.full(parent.size, -1, dtype=np.int64)
    for i, p in enumerate(parent):  # chain each split reach: upper -> lower parts -> old next
        nxt_same = i + 1 < parent.size and parent[i + 1] == p
        low_next[i] = n + i + 1 if nxt_same else primary.next_down[p]
        if i == 0 or parent[i - 1] != p:
            next_down[p] = n + i
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
    return Merged(
        network=network,
        primary_row=np.r_[np.arange(n), parent, np.full(added.lines.size, -1)].astype(np.int64),
        secondary_row=np.r_[np.full(n + parent.size, -1), added.row].astype(np.int64),
        notes=[],
    )


def _new_ids(ids: np.ndarray, count: int) -> np.ndarray:
    """The primary's ids followed by ``count`` new ones (after the largest numeric id)."""
    if np.issubdtype(ids.dtype, np.integer):
        start = int(ids.max()) + 1 if ids.size else 0
        return np.r_[ids, np.arange(start, start + count, dtype=ids.dtype)]
    return np.r_[ids.astype(object), [f"added-{i + 1}" for i in range(count)]]
