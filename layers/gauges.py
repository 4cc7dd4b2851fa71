"""GRDC gauges: read, snapped to the river network, placed along the traced rivers in flow order.

A gauge snaps to the nearest reach within a tolerance (geodesic distance reported, WGS 84). The
nearest reach of a gauge is not always its river (the Ulba's gauge lies 5 km from the Irtysh:
the generalised network may lack the tributary). A gauge is therefore
only placed on a reach when its catchment fits the river there: the longest flow path of the
network above the snapped point must not exceed :data:`HACK_FACTOR` times Hack's law length for
the gauge's catchment (``L ≈ 1.4 · A^0.6``, km and km²), or, where the network carries upstream
areas (HydroRIVERS ``UPLAND_SKM``), the reach's area must lie within that factor of the gauge's.
Gauges that fail are kept, marked unsnapped, and reported with what was measured (distance,
path length or areas compared); the cause is left open where the data cannot tell it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import FlowTableError
from geo.network import RiverNetwork
from geo.numeric import marker_note
from geo.snap import snap_points
from layers.cells import parse_keys, parse_numbers
from layers.rawtable import RawTable, read_raw_table
from layers.styles import GAUGE_RADIUS, classify

#: a gauge farther than this from every reach is kept but not placed on the network (metres)
SNAP_TOLERANCE_M = 10_000.0
#: distance within which the nearest reach is still reported for an unsnapped gauge (metres)
REPORT_WITHIN_M = 100_000.0
#: how far a catchment may be from the reach's size (Hack's length, or upstream area)
HACK_FACTOR = 3.0

SNAPPED = "snapped"
#: how many unsnapped gauges a note names
NOTE_NAMES = 12

#: GRDC catalogue columns: file column -> (product column, kind); see GAUGE_REQUIRED
GAUGE_COLUMNS: dict[str, tuple[str, str]] = {
    "grdc_no": ("grdc_no", "key"),
    "river": ("river", "text"),
    "station": ("station", "text"),
    "country_code": ("country_code", "text"),
    "lat": ("lat", "number"),
    "lon": ("lon", "number"),
    "area_km2": ("area_km2", "number"),
    "m_start": ("m_start", "year"),
    "m_end": ("m_end", "year"),
    "m_yrs": ("m_yrs", "year"),
    "mean_discharge_m3s": ("mean_discharge_m3s", "figure"),
    "mean_volume_km3_per_year": ("mean_volume_km3_per_year", "figure"),
    "WATERSHED_ID": ("WATERSHED_ID", "text"),
}
#: columns a gauge table must have; the others are filled with "no figure" when absent
GAUGE_REQUIRED = ("grdc_no", "river", "station", "lat", "lon", "mean_discharge_m3s")

CLIMATOLOGY_COLUMNS: dict[str, str] = {
    "grdc_no": "grdc_no",
    "month": "month",
    "LQ": "lq",
    "LQ_year": "lq_year",
    "MQ": "mq",
    "HQ": "hq",
    "HQ_year": "hq_year",
    "std": "std",
    "n_years": "n_years",
}


def _numbers(
    raw: RawTable, column: str, *, required: bool, notes: list[str] | None = None
) -> np.ndarray:
    """A numeric column (:mod:`geo.numeric`: nodata markers such as GRDC's -999 are missing,
    named in ``notes``); not-a-number cells raise, missing cells raise when ``required``."""
    n = parse_numbers(raw.frame[column])
    bad = n.bad if not required else np.flatnonzero(n.status != "figure")
    if bad.size:
        i = int(bad[0])
        need = "; every gauge needs one" if n.status[i] == "missing" else ""
        raise FlowTableError(f"{raw.where(i, column)}: {n.why(i)}{need}")
    note = marker_note(raw.source, column, n, raw.rows, "no figure for those gauges")
    if note and notes is not None:
        notes.append(note)
    return n.values


def _gauge_numbers(raw: RawTable, column: str) -> np.ndarray:
    keys = parse_keys(raw.frame[column], raw, column)
    bad = np.flatnonzero(~pd.Series(keys).str.fullmatch(r"\d+").to_numpy(dtype=bool))
    if bad.size:
        i = int(bad[0])
        raise FlowTableError(f"{raw.where(i, column)}: {keys[i]!r} is not a gauge number")
    return keys.astype(np.int64)


def read_gauges(path: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """The gauge catalogue (``grdc_gauges.csv`` layout): one row per gauge.

    Coordinates are lon/lat degrees (WGS 84); ``area_km2`` the gauge's catchment; years as
    integers; mean discharge (m³/s) and volume (km³/yr) NaN where the catalogue has no figure.
    Only :data:`GAUGE_REQUIRED` columns must exist (an analyst's own gauge table); absent
    optional columns are empty text or NaN / NA. Nodata markers (GRDC's -999) read as missing
    are named in ``notes``.
    """
    raw = read_raw_table(path)
    raw.require({c: c for c in GAUGE_REQUIRED})
    out = pd.DataFrame(index=range(len(raw.frame)))
    for src, (dst, kind) in GAUGE_COLUMNS.items():
        if src not in raw.frame.columns:
            out[dst] = "" if kind == "text" else pd.NA if kind == "year" else np.nan
            out[dst] = out[dst].astype("Int64") if kind == "year" else out[dst]
        elif kind == "key":
            out[dst] = _gauge_numbers(raw, src)
        elif kind == "text":
            out[dst] = raw.frame[src].astype("string").fillna("").str.strip().to_numpy(object)
        else:
            values = _numbers(
                raw,
                src,
                required=kind in ("number", "year") and src in GAUGE_REQUIRED,
                notes=notes,
            )
            out[dst] = pd.array(np.round(values), dtype="Int64") if kind == "year" else values
    for col, lo, hi in (("lon", -180, 180), ("lat", -90, 90)):
        off = np.flatnonzero(~out[col].between(lo, hi).to_numpy())
        if off.size:
            i = int(off[0])
            raise FlowTableError(
                f"{raw.where(i, col)}: {out[col].iloc[i]} is outside {lo}..{hi} degrees"
            )
    dup = np.flatnonzero(out["grdc_no"].duplicated().to_numpy())
    if dup.size:
        i = int(dup[0])
        raise FlowTableError(f"{raw.where(i, 'grdc_no')}: gauge {out['grdc_no'].iloc[i]} repeats")
    return out


def read_gauge_climatology(path: str | Path) -> pd.DataFrame:
    """Long-term monthly low/mean/high discharge (m³/s) per gauge and calendar month.

    Columns ``grdc_no, month, lq, lq_year, mq, hq, hq_year, std, n_years``; NaN where the
    file has no figure.
    """
    raw = read_raw_table(path)
    raw.require({c: c for c in CLIMATOLOGY_COLUMNS})
    out = pd.DataFrame({"grdc_no": parse_keys(raw.frame["grdc_no"], raw, "grdc_no")})
    out["grdc_no"] = out["grdc_no"].astype(np.int64)
    for src, dst in list(CLIMATOLOGY_COLUMNS.items())[1:]:
        out[dst] = _numbers(raw, src, required=src == "month")
    out["month"] = out["month"].astype(np.int64)
    for col in ("lq_year", "hq_year", "n_years"):
        out[col] = pd.array(out[col].round(), dtype="Int64")
    bad = np.flatnonzero(~out["month"].between(1, 12).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise FlowTableError(f"{raw.where(i, 'month')}: {out['month'].iloc[i]} is not 1..12")
    return out


def gauges_layer(
    gauges: pd.DataFrame,
    net: RiverNetwork,
    reach_river: np.ndarray,
    courses: dict,
    crossings: pd.DataFrame,
    *,
    tolerance_m: float = SNAP_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """Gauges as points (EPSG:4326) snapped to the network and placed along the traced rivers.

    ``reach_river``: traced river id per reach position ("" elsewhere); ``courses``: the geo
    Course objects by river id; ``crossings``: each river's crossings (``river_id``,
    ``crossing_id``, ``km_from_source`` on that river: ``TracedRivers.crossing_rivers``). Adds ``snapped_reach_id``,
    ``snap_distance_km`` (geodesic, to the nearest reach within 100 km), ``snap_status``,
    ``river_id``, ``km_from_source``, ``order_downstream`` (1 = farthest upstream on its
    river), ``crossing_upstream``/``km_below_crossing`` and ``radius_class``.
    """
    out = gauges.reset_index(drop=True).copy()
    lon, lat = out["lon"].to_numpy(float), out["lat"].to_numpy(float)
    near = snap_points(net, lon, lat, max_distance_m=REPORT_WITHIN_M)
    status = _snap_status(out, net, near, tolerance_m)
    ok = status == SNAPPED
    reach = np.where(ok, near.reach, -1)
    out["snapped_reach_id"] = pd.array(np.where(ok, net.ids[np.maximum(reach, 0)], 0), "Int64")
    out.loc[~ok, "snapped_reach_id"] = pd.NA
    out["snap_distance_km"] = near.distance_m / 1000.0
    out["snap_status"] = status
    out["river_id"] = np.where(ok, reach_river[np.maximum(reach, 0)], "").astype(object)
    frac = np.divide(
        near.along_m, near.reach_length_m, out=np.zeros(len(out)), where=near.reach_length_m > 0
    )
    out["km_from_source"] = _km_from_source(out["river_id"].to_numpy(), reach, frac, courses)
    out["order_downstream"] = _order(out)
    _below_crossing(out, crossings)
    out["radius_class"] = classify(out["mean_discharge_m3s"], GAUGE_RADIUS)
    return gpd.GeoDataFrame(out, geometry=shapely.points(lon, lat), crs=4326)


#: a gauge whose catchment does not fit the nearest reach: what was measured says why it was
#: not placed there; the cause (a tributary the network lacks, a misplaced gauge or a wrong
#: catchment area) is left open, since the data cannot tell them apart
MISFIT = "catchment does not fit the river at the nearest reach"


def _snap_status(gauges: pd.DataFrame, net: RiverNetwork, near, tolerance_m: float) -> np.ndarray:
    """``snapped``, or why not: too far, or a catchment that does not fit the nearest reach.

    Adds to ``gauges`` what was measured: ``nearest_reach_above_km`` (longest path of the
    network above the snapped point, km) and ``hack_length_km`` (Hack's law length of the
    gauge's catchment, ``1.4 · A^0.6``), or, where the network has upstream areas,
    ``nearest_reach_area_km2``."""
    found = near.reach >= 0
    r = np.maximum(near.reach, 0)
    area = gauges["area_km2"].to_numpy(float)
    gauges["nearest_reach_above_km"] = np.nan
    gauges["hack_length_km"] = np.nan
    gauges["nearest_reach_area_km2"] = np.nan
    if net.upstream_area_km2 is not None:
        reach_area = np.asarray(net.upstream_area_km2, dtype=float)[r]
        fits = (reach_area <= HACK_FACTOR * area) & (reach_area >= area / HACK_FACTOR)
        gauges["nearest_reach_area_km2"] = np.where(found, reach_area, np.nan)
    else:
        frac = np.divide(
            near.along_m, near.reach_length_m, out=np.ones(r.size), where=near.reach_length_m > 0
        )
        above_km = (net.longest_upstream_m[r] - (1.0 - frac) * net.length_m[r]) / 1000.0
        hack_km = 1.4 * np.power(area, 0.6)
        fits = ~(above_km > HACK_FACTOR * hack_km)
        gauges["nearest_reach_above_km"] = np.where(found, above_km, np.nan)
        gauges["hack_length_km"] = hack_km
    close = found & (near.distance_m <= tolerance_m)
    return np.select(
        [close & fits, close],
        [SNAPPED, MISFIT],
        default=f"no reach within {tolerance_m / 1000:g} km",
    ).astype(object)


def measured(g: dict) -> str:
    """What was measured for an unsnapped gauge, in words (for the notes)."""
    d = g["snap_distance_km"]
    parts = [f"{d:.1f} km from the nearest reach" if np.isfinite(d) else "no reach within 100 km"]
    if g["snap_status"] == MISFIT:
        if np.isfinite(g.get("nearest_reach_area_km2", np.nan)):
            parts.append(
                f"the reach drains {g['nearest_reach_area_km2']:,.0f} km² against the gauge's "
                f"{g['area_km2']:,.0f} km² (more than {HACK_FACTOR:g}× apart)"
            )
        else:
            parts.append(
                f"{g['nearest_reach_above_km']:,.0f} km of river above that point against "
                f"~{g['hack_length_km']:,.0f} km for a {g['area_km2']:,.0f} km² catchment "
                f"(Hack's law; {HACK_FACTOR:g}× allowed)"
            )
    return "; ".join(parts)


def _km_from_source(
    river_id: np.ndarray, reach: np.ndarray, frac: np.ndarray, courses: dict
) -> np.ndarray:
    """Geodesic km from the river's source to each gauge's snapped point (NaN off-river)."""
    km = np.full(river_id.size, np.nan)
    for rid, course in courses.items():
        mine = np.flatnonzero(river_id == rid)
        if not mine.size:
            continue
        k = pd.Index(course.reaches).get_indexer(reach[mine])
        ends = np.r_[course.reach_start_m[1:], course.length_m]
        start = course.reach_start_m[k]
        km[mine] = np.minimum(start + frac[mine] * (ends[k] - start), course.length_m) / 1000.0
    return km


def _order(gauges: pd.DataFrame) -> pd.array:
    on = gauges["river_id"].to_numpy() != ""
    rank = gauges["km_from_source"].where(on).groupby(gauges["river_id"]).rank(method="first")
    return pd.array(rank.round(), dtype="Int64")


def _below_crossing(gauges: pd.DataFrame, crossings: pd.DataFrame) -> None:
    """``crossing_upstream``: nearest crossing upstream on the same river; km below it."""
    gauges["crossing_upstream"] = ""
    gauges["km_below_crossing"] = np.nan
    if crossings.empty:
        return
    c = crossings.sort_values("km_from_source").astype({"river_id": object})
    g = gauges.reset_index().sort_values("km_from_source").dropna(subset=["km_from_source"])
    g = g.astype({"river_id": object})
    m = pd.merge_asof(
        g,
        c[["river_id", "km_from_source", "crossing_id"]].rename(columns={"km_from_source": "c_km"}),
        left_on="km_from_source",
        right_on="c_km",
        by="river_id",
        direction="backward",
    )
    has = m["crossing_id"].notna().to_numpy()
    idx = m["index"].to_numpy()[has]
    gauges.loc[idx, "crossing_upstream"] = m["crossing_id"].to_numpy()[has]
    gauges.loc[idx, "km_below_crossing"] = (m["km_from_source"] - m["c_km"]).to_numpy()[has]


def snap_notes(gauges: pd.DataFrame, source: str) -> list[str]:
    """One line on how many gauges snapped and one per reason a gauge did not, naming for
    each gauge what was measured; where the catchment does not fit, the cause is left open."""
    ok = gauges["snap_status"] == SNAPPED
    lines = [f"{source}: {int(ok.sum())} of {len(gauges)} gauges placed on the river network"]
    for why, group in gauges.loc[~ok].groupby("snap_status", sort=False):
        names = [
            f"{g['river']} at {g['station']} ({measured(g)})" for g in group.to_dict("records")
        ]
        more = f" (+{len(names) - NOTE_NAMES} more)" if len(names) > NOTE_NAMES else ""
        listed = "; ".join(names[:NOTE_NAMES]) + more
        open_cause = (
            "; the data cannot tell whether the network lacks the gauge's river or the "
            "gauge's position or catchment is off"
            if why == MISFIT
            else ""
        )
        lines.append(f"{source}: {len(group)} gauge(s) kept unsnapped, {why}: {listed}{open_cause}")
    return lines


def gauges_by_river(gauges: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each traced river's gauges, in downstream order."""
    on = gauges.loc[gauges["river_id"] != ""].sort_values(["river_id", "km_from_source"])
    return {rid: g for rid, g in on.groupby("river_id", sort=False)}
