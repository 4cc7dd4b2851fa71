"""Gauge figures: the GRDC gauges and their monthly climatology read and snapped for the Atlas,
and their long-term means set beside the crossings' figures in ``flows``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from layers.figures import H1_2025, figures, figures_empty
from layers.gauges import gauges_layer, read_gauge_climatology, read_gauges, snap_notes
from layers.joins import FIGURE
from layers.units import KM3, M3S, convert

if TYPE_CHECKING:
    from layers.atlas import Atlas

GRDC = "Global Runoff Data Centre (GRDC), 56068 Koblenz, Germany"
#: days per calendar month in an average year (February 28.25)
MONTH_DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def read_atlas_gauges(atlas: Atlas) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``gauges`` layer (snapped, placed along the traced rivers) and the climatology;
    snapping notes and climatology gauges missing from the catalogue go to ``atlas.notes``."""
    path = atlas.sources.path("gauges")
    catalogue = read_gauges(path, atlas.notes)
    if atlas.region is not None:  # a subset of rivers: the gauges in their basins only
        points = shapely.points(catalogue["lon"].to_numpy(), catalogue["lat"].to_numpy())
        catalogue = catalogue.loc[atlas.region.within(points)].reset_index(drop=True)
    gauges = gauges_layer(
        catalogue,
        atlas.network,
        atlas.traced.owner,
        atlas.traced.course,
        atlas.traced.crossing_rivers,
    )
    atlas.notes.extend(snap_notes(gauges, path.name))
    clim_path = atlas.sources.path("gauge_climatology")
    clim = read_gauge_climatology(clim_path)
    if atlas.region is not None:
        clim = clim.loc[clim["grdc_no"].isin(gauges["grdc_no"])].reset_index(drop=True)
    unknown = sorted(set(clim["grdc_no"]) - set(gauges["grdc_no"]))
    if unknown:
        atlas.notes.append(
            f"{clim_path.name}: gauges not in the catalogue (kept): " + ", ".join(map(str, unknown))
        )
    return gauges, clim


def gauge_figures(
    gauges: pd.DataFrame, clim: pd.DataFrame, crossings: pd.DataFrame
) -> pd.DataFrame:
    """For each crossing with a figure, the first gauge below it (Buran on the Irtysh): its
    long-term mean (m³/s), its long-term January–June mean (day-weighted monthly means) and
    that mean as a volume over H1 2025's 181 days, to set beside the 2025 figure."""
    done = crossings.loc[crossings["flow_status"] == FIGURE, "crossing_id"]
    g = gauges.loc[gauges["crossing_upstream"].isin(done)]
    g = g.sort_values("km_below_crossing").drop_duplicates("crossing_upstream")
    if g.empty:
        return figures_empty()
    name = g["river"].str.title() + " at " + g["station"].str.title()
    name = name + " (GRDC " + g["grdc_no"].astype(str) + ")"
    where = (
        g["km_below_crossing"].round().astype(int).astype(str)
        + " km below crossing "
        + g["crossing_upstream"]
    )
    common = {
        "subject": name,
        "subject_kind": "gauge",
        "subject_id": g["grdc_no"].astype(str),
        "river_id": g["river_id"],
        "source": GRDC,
    }
    start = pd.to_datetime(g["m_start"].astype("string") + "-01-01", errors="coerce")
    end = pd.to_datetime(g["m_end"].astype("string") + "-12-31", errors="coerce")
    record = [f"{n} years of record; " if pd.notna(n) else "" for n in g["m_yrs"]]
    long_term = figures(
        **common,
        quantity="long_term_mean_discharge",
        value=g["mean_discharge_m3s"],
        unit=M3S.name,
        note=record + where + "; an annual mean",
        start=start,
        end=end,
    )
    mq = clim.pivot_table(index="grdc_no", columns="month", values="mq").reindex(
        index=g["grdc_no"], columns=range(1, 7)
    )
    jan_jun = (mq.to_numpy() * MONTH_DAYS[:6]).sum(axis=1) / MONTH_DAYS[:6].sum()
    years = clim.groupby("grdc_no")["n_years"].min().reindex(g["grdc_no"]).to_numpy()
    spring = figures(
        **common,
        quantity="long_term_jan_jun_mean_discharge",
        value=jan_jun,
        unit=M3S.name,
        note=[
            f"day-weighted mean of the January–June monthly means over {n:g} years: the "
            "same months as H1 2025, spring flood included"
            for n in years
        ],
        derived=True,
        start=start,
        end=end,
    )
    volume = figures(
        **common,
        quantity="long_term_jan_jun_volume",
        value=convert(jan_jun, M3S, KM3, period=H1_2025),
        unit=KM3.name,
        note=[
            f"{q:.0f} m³/s (long-term January–June mean) over the {H1_2025.days} days of "
            "H1 2025, to compare with the 2025 figure"
            for q in jan_jun
        ],
        derived=True,
        start=[H1_2025.start] * len(g),
        end=[H1_2025.end] * len(g),
    )
    return pd.concat([long_term, spring, volume], ignore_index=True)
