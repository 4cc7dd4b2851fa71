"""A figure applies where it was measured: which figure gives each traced reach its discharge.

A traced river's course is cut at *stops*: confluences (a reach that more than one reach flows
into), border crossings, gauges with a figure and the outlets of lakes on the course. Then, for
each piece of river, the first rule that has a figure wins:

1. ``reach``: a figure an analyst's table gives for that reach (keyed by ``HYRIV_ID``);
2. ``crossing`` / ``release``: a volume over a period measured at a crossing (received from
   the country upstream) or at a reservoir's outlet (released downstream), as its mean over
   the period's real length, from that place down to the next stop;
3. ``gauge``: the long-term mean of the gauge on the same river between the same two
   confluences (the nearest one where there are several);
4. ``modelled``: a modelled mean per reach carried by the analyst's network (HydroRIVERS
   ``DIS_AV_CMS``), labelled as modelled;

else "no figure". So the border figure of the Irtysh (4.6 km³ in H1 2025) stays between the
crossing and the Buran gauge, and the Irtysh below Zaysan takes its own gauges' figures. Line
widths (``width_class``) follow the same figure and ``discharge_kind`` says which rule drew it.
Distances are km from the river's source along its course (geodesic, WGS 84).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.course import Course, split_course
from geo.network import RiverNetwork
from layers.joins import FIGURE, NO_FIGURE
from layers.styles import FLOW_WIDTH, classify

#: rules in order of precedence: code -> what the figure is (legend and notes)
KINDS: dict[str, str] = {
    "reach": "an analyst's figure for the reach",
    "crossing": "volume received at the border crossing, as its mean over the period",
    "release": "volume released from the reservoir, as its mean over the period",
    "gauge": "long-term mean at the gauge between the same confluences",
    "modelled": "modelled mean per reach, from the river network's attributes",
}
#: network columns holding a modelled mean discharge per reach (m³/s) -> what they are
MODELLED_COLUMNS: dict[str, str] = {
    "DIS_AV_CMS": "HydroRIVERS modelled natural long-term average discharge at the reach's "
    "outlet (DIS_AV_CMS)",
}
#: values that mean "no data" in HydroRIVERS-style attribute tables
NODATA_MARKERS = (-999.0, -9999.0)

#: columns every piece gets
DISCHARGE_COLUMNS = (
    "mean_discharge_m3s",
    "discharge_kind",
    "discharge_from",
    "flow_status",
    "flow_period",
    "flow_source",
    "flow_note",
    "width_class",
)


@dataclass(frozen=True)
class Figures:
    """The candidate figures of one Atlas.

    ``points``: figures at a place on a course (``river_id, km, m3s, kind, period, source,
    note, from_id``; kind ``crossing`` or ``release``); ``gauges``: ``river_id, km, m3s, period,
    source, note, from_id``; ``reaches``: per reach id (``reach_id, m3s, kind, period, source,
    note``; kind ``reach`` or ``modelled``); ``stops``: ``river_id, km`` of the crossings and
    lake outlets (confluences and gauges are stops too).
    """

    points: pd.DataFrame
    gauges: pd.DataFrame
    reaches: pd.DataFrame
    stops: pd.DataFrame


POINT_COLUMNS = ["river_id", "km", "m3s", "kind", "period", "source", "note", "from_id"]
REACH_COLUMNS = ["reach_id", "m3s", "kind", "period", "source", "note", "from_id"]


def empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in ("km", "m3s") else object) for c in columns}
    )


def confluences_km(net: RiverNetwork, course: Course) -> np.ndarray:
    """Km from the source where a reach of the course begins that more than one reach flows
    into (a confluence), in flow order."""
    inflows = np.diff(net.up_matrix.indptr)
    k = np.flatnonzero(inflows[course.reaches] > 1)
    return course.reach_start_m[k[k > 0]] / 1000.0


def cut_pieces(
    pieces: gpd.GeoDataFrame, course: dict[str, Course], cuts: dict[str, np.ndarray]
) -> gpd.GeoDataFrame:
    """``pieces`` (the ``rivers`` layer) cut again at ``cuts`` (km from the source, per river
    id): each new piece keeps its piece's attributes, with its own km and length (km,
    geodesic). Used to cut at gauges, whose figure changes there."""
    frames = []
    for rid, own in pieces.groupby("river_id", sort=False):
        extra = np.asarray(cuts.get(rid, []), dtype=float)
        a = own["km_from_source_start"].to_numpy()
        b = own["km_from_source_end"].to_numpy()
        inside = extra[((extra[:, None] > a + 1e-3) & (extra[:, None] < b - 1e-3)).any(axis=1)]
        if not inside.size:
            frames.append(own)
            continue
        parts = split_course(course[rid], np.concatenate([a, b, inside]) * 1000.0)
        start = np.array([p[0] for p in parts]) / 1000.0
        end = np.array([p[1] for p in parts]) / 1000.0
        mid = (start + end) / 2
        owner = np.searchsorted(a, mid, side="right") - 1
        keep = (owner >= 0) & (mid < b[np.clip(owner, 0, None)])
        rows = own.iloc[owner[keep]].copy()
        rows["km_from_source_start"] = start[keep]
        rows["km_from_source_end"] = end[keep]
        rows["length_km"] = end[keep] - start[keep]
        rows = rows.set_geometry(
            gpd.GeoSeries([p[2] for p, k in zip(parts, keep, strict=True) if k], crs=4326).values
        )
        frames.append(rows)
    if not frames:
        return pieces
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=pieces.geometry.name, crs=pieces.crs)


def assign(
    pieces: gpd.GeoDataFrame,
    figures: Figures,
    confluences: dict[str, np.ndarray],
) -> gpd.GeoDataFrame:
    """``pieces`` with the columns of :data:`DISCHARGE_COLUMNS` from the first rule with a
    figure (see the module docstring). ``confluences``: km of each river's confluences."""
    out = pieces.reset_index(drop=True).copy()
    mid = ((out["km_from_source_start"] + out["km_from_source_end"]) / 2).to_numpy(float)
    rid = out["river_id"].astype(str).to_numpy()
    chosen = _blank(len(out))
    candidates = [
        _by_reach(out, figures.reaches, "reach"),
        _at_points(rid, mid, figures, confluences),
        _at_gauges(rid, mid, figures.gauges, confluences),
        _by_reach(out, figures.reaches, "modelled"),
    ]
    for cand in candidates:
        free = np.isnan(chosen["m3s"].to_numpy()) & np.isfinite(cand["m3s"].to_numpy(float))
        chosen.loc[free] = cand.loc[free, chosen.columns].to_numpy()
    m3s = chosen["m3s"].to_numpy(float)
    has = np.isfinite(m3s)
    out["mean_discharge_m3s"] = m3s
    out["discharge_kind"] = chosen["kind"].to_numpy(object)
    out["discharge_from"] = chosen["from_id"].astype(str).to_numpy(object)
    out["flow_status"] = np.where(has, FIGURE, NO_FIGURE)
    out["flow_period"] = chosen["period"].astype(str).to_numpy(object)
    out["flow_source"] = chosen["source"].astype(str).to_numpy(object)
    out["flow_note"] = np.where(
        has, chosen["note"].astype(str), "no figure applies to this stretch"
    ).astype(object)
    out["width_class"] = classify(out["mean_discharge_m3s"], FLOW_WIDTH)
    return out


def _blank(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "m3s": np.full(n, np.nan),
            "kind": "",
            "from_id": "",
            "period": "",
            "source": "",
            "note": "",
        }
    )


def _by_reach(pieces: pd.DataFrame, reaches: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The reach figures of ``kind`` for each piece, by its reach id."""
    r = reaches.loc[reaches["kind"] == kind]
    if r.empty:
        return _blank(len(pieces))
    r = r.assign(key=r["reach_id"].astype(str)).drop_duplicates("key").set_index("key")
    keys = pieces["reach_id"].astype(str)
    cols = ["m3s", "kind", "from_id", "period", "source", "note"]
    got = r.reindex(keys.to_numpy())[cols].reset_index(drop=True)
    got["m3s"] = got["m3s"].astype(float)
    return got.fillna({c: "" for c in cols if c != "m3s"})


def _stops(rid: str, figures: Figures, confluences: dict[str, np.ndarray]) -> np.ndarray:
    s = figures.stops.loc[figures.stops["river_id"] == rid, "km"].to_numpy(float)
    g = figures.gauges.loc[figures.gauges["river_id"] == rid, "km"].to_numpy(float)
    return np.unique(np.concatenate([confluences.get(rid, np.zeros(0)), s, g]))


def _at_points(
    rid: np.ndarray, mid: np.ndarray, figures: Figures, confluences: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Crossing and release figures on the pieces between their place and the next stop."""
    out = _blank(len(rid))
    for river, pts in figures.points.groupby("river_id", sort=False):
        stops = _stops(str(river), figures, confluences)
        mine = np.flatnonzero(rid == river)
        for p in pts.sort_values("km", kind="stable").itertuples(index=False):
            if not np.isfinite(p.m3s):
                continue
            after = stops[stops > p.km + 1e-6]
            end = after[0] if after.size else np.inf
            hit = mine[(mid[mine] > p.km) & (mid[mine] < end)]
            out.loc[hit, ["m3s", "kind", "from_id", "period", "source"]] = [
                p.m3s,
                p.kind,
                p.from_id,
                p.period,
                p.source,
            ]
            reach = "the next confluence" if np.isfinite(end) else "the river's end"
            if np.isfinite(end) and end in set(
                figures.gauges["km"][figures.gauges["river_id"] == river]
            ):
                reach = "the next gauge"
            out.loc[hit, "note"] = f"{p.note}; applies from km {p.km:.0f} down to {reach}" + (
                f" (km {end:.0f})" if np.isfinite(end) else ""
            )
    return out


def _at_gauges(
    rid: np.ndarray, mid: np.ndarray, gauges: pd.DataFrame, confluences: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Each piece's nearest gauge with a figure between the same two confluences."""
    out = _blank(len(rid))
    g = gauges.loc[np.isfinite(gauges["m3s"].to_numpy(float))]
    for river, mine_g in g.groupby("river_id", sort=False):
        conf = np.sort(confluences.get(str(river), np.zeros(0)))
        mine = np.flatnonzero(rid == river)
        stretch = np.searchsorted(conf, mid[mine], side="right")
        g_stretch = np.searchsorted(conf, mine_g["km"].to_numpy(float), side="right")
        dist = np.abs(mid[mine][:, None] - mine_g["km"].to_numpy(float)[None, :])
        dist[stretch[:, None] != g_stretch[None, :]] = np.inf
        best = np.argmin(dist, axis=1)
        ok = np.isfinite(dist[np.arange(mine.size), best])
        rows = mine_g.iloc[best[ok]]
        hit = mine[ok]
        for col in ("m3s", "period", "source", "from_id"):
            out.loc[hit, col] = rows[col].to_numpy()
        out.loc[hit, "kind"] = "gauge"
        out.loc[hit, "note"] = [
            f"{n}; the gauge lies {abs(k - m):.0f} km {'down' if k > m else 'up'}stream, "
            "between the same confluences"
            for n, k, m in zip(rows["note"], rows["km"], mid[hit], strict=True)
        ]
    return out


def modelled_reaches(network: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Reach figures from the network's modelled discharge columns (:data:`MODELLED_COLUMNS`),
    and notes on values that are negative, NaN or a nodata marker (shown as "no figure")."""
    frames, notes = [], []
    for col, what in MODELLED_COLUMNS.items():
        if col not in network.columns:
            continue
        v = pd.to_numeric(network[col], errors="coerce").to_numpy(float)
        marker = np.isin(v, NODATA_MARKERS)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            ids = network["reach_id"].to_numpy()[bad]
            shown = ", ".join(map(str, ids[:8])) + (
                f" (+{ids.size - 8} more)" if ids.size > 8 else ""
            )
            notes.append(
                f"{source}: column {col!r}: {int(bad.sum())} reach(es) with a value that is not a "
                f"discharge ({int(marker.sum())} nodata marker(s) {', '.join(f'{m:g}' for m in NODATA_MARKERS)}, "
                f"{int((~np.isfinite(v)).sum())} empty, {int((bad & ~marker & np.isfinite(v)).sum())} "
                f"other negative), shown as no figure: reaches {shown}"
            )
        ok = ~bad
        frames.append(
            pd.DataFrame(
                {
                    "reach_id": network["reach_id"].to_numpy()[ok],
                    "m3s": v[ok],
                    "kind": "modelled",
                    "period": "",
                    "source": source,
                    "note": f"modelled: {what}",
                    "from_id": network["reach_id"].astype(str).to_numpy()[ok],
                }
            )
        )
    if not frames:
        return empty(REACH_COLUMNS), notes
    return pd.concat(frames, ignore_index=True), notes
