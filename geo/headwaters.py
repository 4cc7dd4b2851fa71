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
out is lon/lat (EPSG:4326); lengths are geodesic (WGS 84). The secondary lines become one vertex
graph handled with numpy and scipy.sparse.csgraph; the only Python loop is one pass per
primary reach that a tributary splits (a few dozen). The same inputs give the same output,
reach for reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.crs import local_metric_crs
from geo.errors import CRSError, GeometryError, NetworkError
from geo.headwater_graft import added_reaches, cut_primary, graft
from geo.headwater_stretches import Elevation, Verdict, find_stretches, judge, vertex_graph
from geo.network import RiverNetwork


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
    graph = vertex_graph(lonlat, rows, to_m, rules.junction_m)
    parts = find_stretches(graph, prim_m, rules.alongside_m)
    verdict = judge(parts, graph, primary, prim_m, rules, elevation, sinks_m, to_ll)
    cuts = cut_primary(primary, prim_m, verdict, to_ll)
    added = added_reaches(graph, parts, verdict, cuts, len(primary) + len(cuts.lower))
    network, primary_row, secondary_row = graft(primary, cuts, added, labels)
    notes = _notes(verdict, secondary_name, rules)
    new = secondary_row >= 0
    notes.insert(
        0,
        f"{secondary_name}: {int(new.sum())} reach(es), "
        f"{network.length_m[new].sum() / 1000:,.0f} km added upstream of {primary.source}",
    )
    return Merged(network, primary_row, secondary_row, notes)


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


def _notes(verdict: Verdict, name: str, rules: MergeRules) -> list[str]:
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
