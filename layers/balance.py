"""The basin water balance: the portal's monthly tables side by side, yearly sums, mean annual
P − ET per basin (mm/yr and km³/yr over the equal-area basin area) and its rows in ``flows``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from layers.basins import basin_id_column
from layers.figures import figures, figures_empty
from layers.flowtables import read_precipitation, read_water_balance
from layers.joins import FIGURE, join_values
from layers.styles import BASIN_FILL, classify
from layers.units import KM3_PER_YEAR, MM_PER_YEAR, convert

if TYPE_CHECKING:
    from layers.atlas import Atlas


def water_balance_monthly(atlas: Atlas) -> pd.DataFrame:
    """The two monthly basin tables side by side, one row per watershed and month.

    Columns ``WATERSHED_ID, date (ISO), year, month, precipitation_mm,
    evapotranspiration_mm, delta_s_mm, precipitation_mswep_mm``; a month in only one table
    has NaN (no figure) in the other's columns and is reported in ``atlas.notes``.
    """
    wb = read_water_balance(atlas.sources.path("water_balance"), atlas.notes)
    pr = read_precipitation(atlas.sources.path("precipitation"), atlas.notes)
    if atlas.region is not None:  # a subset of rivers: their basins only
        ids = atlas.region.basin_ids
        wb = wb.loc[wb["WATERSHED_ID"].astype(str).isin(ids)]
        pr = pr.loc[pr["WATERSHED_ID"].astype(str).isin(ids)]
    keys = ["WATERSHED_ID", "date", "year", "month"]
    m = wb.drop(columns="row").merge(
        pr.drop(columns="row"), on=keys, how="outer", indicator=True, sort=True
    )
    for side, missing_from in (("left_only", "precipitation"), ("right_only", "water_balance")):
        n = int((m["_merge"] == side).sum())
        if n:
            atlas.notes.append(
                f"{atlas.sources.path(missing_from).name}: no row for {n} watershed-month(s) "
                "of the other monthly table (no figure there)"
            )
    m["date"] = pd.to_datetime(m["date"]).dt.strftime("%Y-%m-%d")
    return m.drop(columns="_merge").reset_index(drop=True)


def water_balance_yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """P, ET and P − ET (mm/yr) per watershed and calendar year, summed over the months.

    Columns ``WATERSHED_ID, year, precipitation_mm, evapotranspiration_mm, p_minus_et_mm,
    months``; a year without all twelve months of both P and ET has NaN (no figure) sums.
    """
    m = monthly.dropna(subset=["precipitation_mm", "evapotranspiration_mm"])
    per_year = m.groupby(["WATERSHED_ID", "year"], as_index=False).agg(
        precipitation_mm=("precipitation_mm", "sum"),
        evapotranspiration_mm=("evapotranspiration_mm", "sum"),
        months=("month", "nunique"),
    )
    partial = per_year["months"] < 12
    per_year.loc[partial, ["precipitation_mm", "evapotranspiration_mm"]] = np.nan
    per_year["p_minus_et_mm"] = per_year["precipitation_mm"] - per_year["evapotranspiration_mm"]
    return per_year[
        [
            "WATERSHED_ID",
            "year",
            "precipitation_mm",
            "evapotranspiration_mm",
            "p_minus_et_mm",
            "months",
        ]
    ]


def basin_balance(yearly: pd.DataFrame) -> pd.DataFrame:
    """Mean annual P, ET and P − ET (mm/yr) per watershed over its complete years.

    A year counts when all twelve months have both P and ET; ``balance_years`` says how many
    did and ``balance_period`` (ISO interval) spans them.
    """
    full = yearly.loc[yearly["months"] == 12]
    out = full.groupby("WATERSHED_ID").agg(
        p_mm_per_year=("precipitation_mm", "mean"),
        et_mm_per_year=("evapotranspiration_mm", "mean"),
        balance_years=("year", "size"),
        first=("year", "min"),
        last=("year", "max"),
    )
    out["p_minus_et_mm_per_year"] = out["p_mm_per_year"] - out["et_mm_per_year"]
    out["balance_period"] = (
        out["first"].astype(str) + "-01-01/" + out["last"].astype(str) + "-12-31"
    )
    return out.drop(columns=["first", "last"]).reset_index()


def basin_columns(atlas: Atlas, balance: pd.DataFrame) -> pd.DataFrame:
    """Basins with mean annual P, ET, P − ET (mm/yr) and P − ET in km³/yr.

    The volume uses the basin's ``area_km2`` (Albers equal-area); ``balance_status`` is
    ``"no figure"`` for a basin the water balance table does not have. The table's
    ``WATERSHED_ID`` is matched against the basins' own id column (HydroBASINS' ``HYBAS_ID``
    matches nothing there: reported, and every basin shows "no figure").
    """
    basins = atlas["basins"]
    joined, report = join_values(
        basins,
        basin_id_column(basins, str(atlas.sources.path("basins"))),
        balance,
        "WATERSHED_ID",
        "p_minus_et_mm_per_year",
        status_col="balance_status",
        what=f"{atlas.sources.path('water_balance').name} -> basins",
        carry=("p_mm_per_year", "et_mm_per_year", "balance_years", "balance_period"),
        negative="allow",
    )
    atlas.notes.extend(report.lines())
    joined["p_minus_et_km3_per_year"] = convert(
        joined["p_minus_et_mm_per_year"], MM_PER_YEAR, KM3_PER_YEAR, area_km2=joined["area_km2"]
    )
    joined["balance_period"] = joined["balance_period"].fillna("").astype(str)
    joined["fill_class"] = classify(joined["p_minus_et_mm_per_year"], BASIN_FILL)
    return joined


def basin_figures(basins: pd.DataFrame, attribution: str) -> pd.DataFrame:
    """Mean annual P − ET per basin in km³/yr (from mm/yr over the equal-area area)."""
    b = basins.loc[basins["balance_status"] == FIGURE]
    if b.empty:
        return figures_empty()
    period = b["balance_period"].str.split("/", expand=True)
    bid = basin_id_column(b, "basins")
    name = b["WATERSHED_NAME"] if "WATERSHED_NAME" in b else b[bid]
    return figures(
        subject=name,
        subject_kind="basin",
        subject_id=b[bid].astype(str),
        quantity="p_minus_et",
        value=b["p_minus_et_km3_per_year"],
        unit=KM3_PER_YEAR.name,
        source=attribution,
        note=[
            f"mean annual precipitation minus evapotranspiration, {mm:.1f} mm/yr over "
            f"{a:,.0f} km² (equal-area), {int(n)} complete years"
            for mm, a, n in zip(
                b["p_minus_et_mm_per_year"], b["area_km2"], b["balance_years"], strict=True
            )
        ],
        derived=True,
        start=period[0],
        end=period[1],
    )
