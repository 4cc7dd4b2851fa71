"""Tables shaped for display: the basin water balance by calendar month and by year.

These reshape the Atlas's ``water_balance_monthly`` table (mm per month, keyed by the basin id)
into means per calendar month for a popup chart, and the ``water_balance_yearly`` table
(P − ET per complete year, computed in ``layers.balance``) into classes for the year selector.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.styles import BASIN_FILL, classify

WB_P, WB_ET = "precipitation_mm", "evapotranspiration_mm"


def monthly_means(wb: pd.DataFrame, basin_id: str) -> pd.DataFrame:
    """``basin_id, month, precipitation_mm, evapotranspiration_mm``: mean per calendar month."""
    return wb.groupby([basin_id, "month"], as_index=False)[[WB_P, WB_ET]].mean()


def period_label(wb: pd.DataFrame) -> str:
    """``2000–2023``: the first and last year of the table."""
    years = pd.to_numeric(wb["year"], errors="coerce").dropna()
    return f"{int(years.min())}–{int(years.max())}" if len(years) else ""


def year_classes(yearly: pd.DataFrame, basin_id: str, basins: pd.DataFrame) -> dict:
    """For the year selector: fill class of each basin in each year (``BASIN_FILL``), and of
    the whole period (the basins' ``fill_class`` where the flows step set it)."""
    years = np.sort(yearly["year"].dropna().unique().astype(int))
    wide = yearly.pivot_table(index=basin_id, columns="year", values="p_minus_et_mm", dropna=False)
    wide = wide.reindex(columns=years)
    codes = classify(wide.to_numpy().ravel(), BASIN_FILL).reshape(wide.shape)
    if "fill_class" in basins.columns:
        mean = dict(zip(basins[basin_id], basins["fill_class"].fillna(-1).astype(int), strict=True))
    else:
        mean = dict(
            zip(
                wide.index, classify(wide.mean(axis=1).to_numpy(), BASIN_FILL).tolist(), strict=True
            )
        )
    return {
        "years": years.tolist(),
        "classes": {str(k): v for k, v in zip(wide.index, codes.tolist(), strict=True)},
        "mean": {str(k): int(v) for k, v in mean.items()},
        "colours": list(BASIN_FILL.values),
        "missing": BASIN_FILL.missing,
    }
