"""Subsets are subsets: ``--rivers ili`` keeps what lies in the chosen rivers' basins only.

The *region* of a choice of rivers is

- the basins of those rivers: the register's ``basin`` ids where the basins layer has them
  (``SWB_00002``, Ily-Balkhash-Alakol, for the Ili), else every basin polygon holding the
  middle of a reach that drains to one of the rivers' mouths (HydroBASINS levels);
- the network's reaches that drain to those mouths (the rivers' drainage trees).

Gauges, lakes and network reaches are kept when they lie in those basins (or, for reaches and
lakes, on the drainage trees and courses); flow figures when their subject is kept; tables
keyed by basin when the basin is. :func:`subset_layers` applies the same rules to an Atlas
built whole (``api.export(atlas, rivers=...)``); :func:`layers.atlas.build_atlas` applies
them to its inputs, so that no report line speaks of rivers that were not asked for.
Geometries are EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.network import RiverNetwork, trace_upstream
from layers.basins import basin_id_column

if TYPE_CHECKING:
    from layers.atlas import Atlas, Layer
    from layers.register import River
    from layers.rivers import TracedRivers

#: layers whose rows each belong to one traced river (``river_id``)
RIVER_LAYERS = ("rivers", "river_courses", "profiles")


@dataclass
class Region:
    """The chosen rivers (with the rivers holding parts of their courses), their drainage
    trees (a mask over reach positions) and, once the basins are read, the ids and polygons
    of their basins."""

    rivers: frozenset[str]
    drainage: np.ndarray
    basin_ids: frozenset[str] = frozenset()
    basins: np.ndarray | None = None

    def within(self, geoms: np.ndarray) -> np.ndarray:
        """Which geometries (EPSG:4326) meet the region's basins (all, before they are known)."""
        geoms = np.asarray(geoms, dtype=object)
        if self.basins is None:
            return np.ones(len(geoms), dtype=bool)
        hit = np.zeros(len(geoms), dtype=bool)
        if len(self.basins) and len(geoms):
            tree = shapely.STRtree(self.basins)
            hit[np.unique(tree.query(geoms, predicate="intersects")[0])] = True
        return hit


def region_of(net: RiverNetwork, traced: TracedRivers, rivers: set[str] | frozenset[str]) -> Region:
    """The region of ``rivers`` (shown river ids): their drainage trees on ``net``."""
    drainage = np.zeros(len(net), dtype=bool)
    for rid in rivers:
        drainage[trace_upstream(net, int(traced.course[rid].reaches[-1]))] = True
    return Region(frozenset(rivers), drainage)


def choose_basins(
    basins: gpd.GeoDataFrame, region: Region, rivers: tuple[River, ...], net: RiverNetwork
) -> np.ndarray:
    """Mask of the region's basins (see the module docstring); sets ``region.basin_ids`` and
    ``region.basins``."""
    bid = basin_id_column(basins, "basins")
    ids = basins[bid].astype(str)
    named = {r.basin for r in rivers if r.id in region.rivers and r.basin}
    keep = ids.isin(named).to_numpy()
    if not keep.any():
        pos = np.flatnonzero(region.drainage)
        mids = shapely.line_interpolate_point(net.lines(pos), 0.5, normalized=True)
        hit = basins.sindex.query(mids, predicate="within")[1]
        keep = np.zeros(len(basins), dtype=bool)
        keep[np.unique(hit)] = True
    region.basin_ids = frozenset(ids[keep])
    region.basins = basins.geometry.to_numpy()[keep]
    return keep


def network_mask(network: gpd.GeoDataFrame, net: RiverNetwork, region: Region) -> np.ndarray:
    """Reaches of the network layer in the region: on a drainage tree or in its basins."""
    pos = net.position_of(network["reach_id"].to_numpy())
    mids = shapely.line_interpolate_point(network.geometry.to_numpy(), 0.5, normalized=True)
    return region.drainage[pos] | region.within(mids)


def lakes_mask(lakes: gpd.GeoDataFrame, courses: gpd.GeoDataFrame, region: Region) -> np.ndarray:
    """Lakes in the region's basins (their representative point) or on a shown course."""
    inside = region.within(shapely.point_on_surface(lakes.geometry.to_numpy()))
    on = np.zeros(len(lakes), dtype=bool)
    if len(courses):
        on[
            np.unique(lakes.sindex.query(courses.geometry.to_numpy(), predicate="intersects")[1])
        ] = True
    return inside | on


def flows_mask(
    flows: pd.DataFrame, kept: dict[str, set[str]], rivers: frozenset[str]
) -> np.ndarray:
    """Figures whose subject is kept: ``kept`` maps a subject kind (crossing, lake, basin,
    gauge, reach) to the ids kept; rivers by id; a total when it names a kept river."""
    kind = flows["subject_kind"].astype(str).to_numpy()
    sid = flows["subject_id"].astype(str).to_numpy()
    river = flows["river_id"].fillna("").astype(str).to_numpy()
    keep = np.ones(len(flows), dtype=bool)
    for k, ids in kept.items():
        mine = kind == k
        keep[mine] = np.isin(sid[mine], list(ids))
    mine = kind == "river"
    keep[mine] = np.isin(sid[mine], list(rivers))
    mine = kind == "total"
    keep[mine] = [any(p in rivers for p in s.split("+")) for s in sid[mine]]
    tied = (river != "") & ~np.isin(kind, ["total"])
    keep[tied] &= np.isin(river[tied], list(rivers))
    return keep


def subset_layers(atlas: Atlas, ids: list[str]) -> dict[str, Layer]:
    """The Atlas's layers cut to the region of the rivers ``ids`` (an Atlas built whole)."""
    from layers.rivers import shown_rivers

    shown = shown_rivers(set(ids), atlas.traced.course, atlas.traced.owner)
    region = region_of(atlas.network, atlas.traced, shown)
    out = dict(atlas.layers)
    f = {name: layer.frame for name, layer in out.items()}

    def put(name: str, mask) -> None:
        if name in out:
            out[name] = replace(out[name], frame=f[name].loc[np.asarray(mask, dtype=bool)])

    if "basins" in f:
        put("basins", choose_basins(f["basins"], region, atlas.register.rivers, atlas.network))
    for name in RIVER_LAYERS:
        if name in f:
            put(name, f[name]["river_id"].isin(shown).to_numpy())
    if "crossings" in f and len(f["crossings"]):
        listed = f["crossings"].get("rivers", f["crossings"]["river_id"]).astype(str)
        put("crossings", [any(r in shown for r in v.split(", ")) for v in listed])
    if "network" in f:
        put("network", network_mask(f["network"], atlas.network, region))
    if "lakes" in f:
        courses = out["river_courses"].frame if "river_courses" in out else f["lakes"].iloc[:0]
        put("lakes", lakes_mask(f["lakes"], courses, region))
    if "gauges" in f:
        g = f["gauges"]
        put("gauges", region.within(g.geometry.to_numpy()) | g["river_id"].isin(shown).to_numpy())
        kept_gauges = set(out["gauges"].frame["grdc_no"].astype(str))
        if "gauge_climatology" in f:
            put(
                "gauge_climatology", f["gauge_climatology"]["grdc_no"].astype(str).isin(kept_gauges)
            )
    else:
        kept_gauges = set()
    for name in ("water_balance_monthly", "water_balance_yearly", "basin_elevation"):
        if name in f:
            key = next((c for c in ("WATERSHED_ID", "HYBAS_ID", "basin_id") if c in f[name]), None)
            if key:
                put(name, f[name][key].astype(str).isin(region.basin_ids).to_numpy())
    if "flows" in f:
        kept = {
            "crossing": set(_ids(out, "crossings", "crossing_id")),
            "lake": set(_ids(out, "lakes", "lake_id")),
            "basin": set(region.basin_ids),
            "gauge": kept_gauges,
            "reach": set(_ids(out, "network", "reach_id")),
        }
        put("flows", flows_mask(f["flows"], kept, frozenset(shown)))
    return out


def _ids(layers: dict, name: str, column: str) -> list[str]:
    frame = layers[name].frame if name in layers else None
    if frame is None or column not in frame:
        return []
    return frame[column].astype(str).tolist()
