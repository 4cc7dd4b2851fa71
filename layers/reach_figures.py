"""The candidate discharge figures of an Atlas, gathered for :mod:`layers.discharge`.

Published crossing figures (and an analyst's crossing tables), reservoir releases from the
published table, the snapped GRDC gauges, modelled per-reach values of the analyst's network
(HydroRIVERS ``DIS_AV_CMS``) and an analyst's reach tables: each becomes rows of
:class:`layers.discharge.Figures`. :func:`apply_discharge` cuts the traced pieces at gauges and
lake outlets once and assigns every piece its figure; it runs again after each analyst table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.course import Course, lake_spans
from layers.discharge import (
    POINT_COLUMNS,
    REACH_COLUMNS,
    Figures,
    assign,
    confluences_km,
    cut_pieces,
    empty,
    modelled_reaches,
)
from layers.joins import FIGURE
from layers.units import KM3, M3S, convert

if TYPE_CHECKING:
    from layers.atlas import Atlas

GRDC = "Global Runoff Data Centre (GRDC), 56068 Koblenz, Germany"


def lake_outlets(course: Course, lakes: pd.DataFrame, id_column: str = "lake_id") -> pd.DataFrame:
    """``lake_id, km``: where the course leaves each lake it runs through (the last course
    vertex inside the polygon; km from the source). Lakes in EPSG:4326."""
    rows = [(lake, km_out) for lake, _, km_out in lake_spans(course, lakes, id_column)]
    return pd.DataFrame(rows, columns=["lake_id", "km"])


def crossing_points(atlas: Atlas, crossings: pd.DataFrame) -> pd.DataFrame:
    """The crossings' published H1 2025 means, on every river through each place."""
    per = atlas.traced.crossing_rivers
    have = crossings.loc[crossings["flow_status"] == FIGURE]
    if per is None or have.empty:
        return empty(POINT_COLUMNS)
    m = per.merge(
        have[["crossing_id", "h1_2025_volume_km3", "h1_2025_mean_m3s", "flow_period"]].assign(
            src=have["flow_source"], dirn=have["direction"]
        ),
        on="crossing_id",
    )
    return pd.DataFrame(
        {
            "river_id": m["river_id"],
            "km": m["km_from_source"].astype(float),
            "m3s": m["h1_2025_mean_m3s"].astype(float),
            "kind": "crossing",
            "period": m["flow_period"],
            "source": m["src"],
            "note": [
                f"mean over {p} of {v:g} km³ received at crossing {c} ({d})"
                for p, v, c, d in zip(
                    m["flow_period"],
                    m["h1_2025_volume_km3"],
                    m["crossing_id"],
                    m["dirn"],
                    strict=True,
                )
            ],
            "from_id": m["crossing_id"],
        }
    )[POINT_COLUMNS]


def release_points(atlas: Atlas, seed: pd.DataFrame, outlets: pd.DataFrame) -> pd.DataFrame:
    """Published releases (``release_to_lake`` from lake A to lake B) placed at A's outlet on
    the river's course, as their mean over the period (m³/s)."""
    from layers.figures import RELEASE

    rel = seed.loc[
        (seed["quantity"] == RELEASE) & seed["km3"].notna() & seed["days"].notna()
    ].copy()
    rel["origin"] = rel["lake_ids"].str.split(", ").str[0].fillna("")
    m = rel.merge(outlets, left_on=["sid", "origin"], right_on=["river_id", "lake_id"])
    if m.empty:
        return empty(POINT_COLUMNS)
    rate = convert(m["km3"].to_numpy(), KM3, M3S, period=m["days"].to_numpy())
    period = m["period_start"].astype(str) + "/" + m["period_end"].astype(str)
    return pd.DataFrame(
        {
            "river_id": m["river_id"],
            "km": m["km"].astype(float),
            "m3s": rate,
            "kind": "release",
            "period": period,
            "source": atlas.sources.about("flows").attribution,
            "note": [
                f"mean over {p} of {v:g} km³ released from {o} ({pl})"
                for p, v, o, pl in zip(period, m["value"], m["origin"], m["place"], strict=True)
            ],
            "from_id": m["origin"],
        }
    )[POINT_COLUMNS]


def gauge_points(gauges: pd.DataFrame) -> pd.DataFrame:
    """Snapped gauges on a traced river with their long-term mean (m³/s, GRDC)."""
    g = gauges.loc[(gauges["river_id"] != "") & gauges["mean_discharge_m3s"].notna()]
    years = (
        g["m_start"].astype("string").fillna("?") + "–" + g["m_end"].astype("string").fillna("?")
    )
    period = (
        g["m_start"].astype("string") + "-01-01/" + g["m_end"].astype("string") + "-12-31"
    ).fillna("")
    return pd.DataFrame(
        {
            "river_id": g["river_id"],
            "km": g["km_from_source"].astype(float),
            "m3s": g["mean_discharge_m3s"].astype(float),
            "kind": "gauge",
            "period": period,
            "source": GRDC,
            "note": [
                f"long-term mean {q:.0f} m³/s at GRDC gauge {s.title()} ({r.title()}, {y})"
                for q, s, r, y in zip(
                    g["mean_discharge_m3s"], g["station"], g["river"], years, strict=True
                )
            ],
            "from_id": g["grdc_no"].astype(str),
        }
    )


def collect(atlas: Atlas, crossings: pd.DataFrame, seed: pd.DataFrame) -> tuple[Figures, list[str]]:
    """Every candidate figure of the Atlas (published, gauges, modelled) and notes on
    modelled values that are not discharges."""
    outlets = pd.concat(
        [
            lake_outlets(atlas.traced.course[r.id], atlas["lakes"]).assign(river_id=r.id)
            for r in atlas.rivers
        ],
        ignore_index=True,
    )
    outlets = outlets.loc[outlets["lake_id"] != ""]
    per = atlas.traced.crossing_rivers
    stops = pd.concat(
        [
            per[["river_id", "km_from_source"]].rename(columns={"km_from_source": "km"})
            if per is not None
            else pd.DataFrame(columns=["river_id", "km"]),
            outlets[["river_id", "km"]],
        ],
        ignore_index=True,
    )
    gauges = gauge_points(atlas["gauges"]) if "gauges" in atlas else empty(POINT_COLUMNS)
    modelled, notes = modelled_reaches(atlas["network"], atlas.sources.path("rivers").name)
    points = pd.concat(
        [crossing_points(atlas, crossings), release_points(atlas, seed, outlets)],
        ignore_index=True,
    )
    return Figures(points, gauges, modelled, stops), notes


def apply_discharge(atlas: Atlas, figures: Figures) -> None:
    """Cut the ``rivers`` pieces at gauges and lake outlets (once) and give each its figure."""
    course = atlas.traced.course
    pieces = atlas["rivers"]
    if "discharge_kind" not in pieces:
        cuts: dict[str, list[float]] = {}
        for frame in (figures.gauges, figures.stops):
            for rid, km in zip(frame["river_id"], frame["km"], strict=True):
                cuts.setdefault(str(rid), []).append(float(km))
        pieces = cut_pieces(pieces, course, {k: np.asarray(v) for k, v in cuts.items()})
    confluences = {
        rid: confluences_km(atlas.network, course[rid]) for rid in pieces["river_id"].unique()
    }
    atlas.layers["rivers"].frame = assign(pieces, figures, confluences)
    atlas.discharge = figures


def with_points(figures: Figures, points: pd.DataFrame) -> Figures:
    """``figures`` with more place figures (an analyst's crossing table); later rows win."""
    return replace(figures, points=pd.concat([figures.points, points], ignore_index=True))


def with_reaches(figures: Figures, reaches: pd.DataFrame) -> Figures:
    """``figures`` with more reach figures (an analyst's reach table); later rows win."""
    both = pd.concat([reaches[REACH_COLUMNS], figures.reaches], ignore_index=True)
    return replace(figures, reaches=both)
