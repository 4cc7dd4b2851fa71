"""Lakes and reservoirs carry their figures: what was released to them or from them, their
level change, the share of their inflow a river brings and whether they were full.

The figures come from the ``flows`` table (rows whose ``lake_ids`` name the lake: the subject
of the figure, or a place "A to B"); each column says what it is, and ``figures_period``,
``figures_source`` and ``figures_note`` say over which period, from whom and in which words.
A lake no figure is about keeps NULLs ("no figure").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: quantities of the published table a lake column is made of
RELEASE = "release_to_lake"
LEVEL = "water_level_change"
SHARE = "share_of_lake_inflow"
FULL = "filled_to_capacity"

LAKE_COLUMNS = (
    "received_release_km3",
    "received_release_from",
    "released_km3",
    "level_change_m",
    "inflow_share_percent",
    "inflow_share_river",
    "filled_to_capacity",
    "figures_period",
    "figures_source",
    "figures_note",
)


def lake_figures(lakes: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """``lakes`` with the columns of :data:`LAKE_COLUMNS` (volumes in km³, level in m, share in
    percent; ``filled_to_capacity`` 1 where a figure says so)."""
    out = lakes.copy()
    rows = flows.loc[~flows["derived"].astype(bool) & (flows["lake_ids"].fillna("") != "")]
    rows = rows.loc[rows["status"] == "figure"]
    ids = out["lake_id"].fillna("").astype(str)
    for col in LAKE_COLUMNS:
        out[col] = np.nan if col.endswith(("_km3", "_m", "_percent")) else ""
    out["filled_to_capacity"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for r in rows.to_dict("records"):
        lakes_named = str(r["lake_ids"]).split(", ")
        q = r["quantity"]
        if q == RELEASE and len(lakes_named) >= 2:
            _put(out, ids == lakes_named[1], "received_release_km3", r["value"])
            _put(out, ids == lakes_named[1], "received_release_from", lakes_named[0])
            _put(out, ids == lakes_named[0], "released_km3", r["value"])
            hit = ids.isin(lakes_named[:2])
        elif q == LEVEL:
            hit = ids == lakes_named[0]
            _put(out, hit, "level_change_m", r["value"])
        elif q == SHARE:
            hit = ids == lakes_named[-1]
            _put(out, hit, "inflow_share_percent", r["value"])
            _put(out, hit, "inflow_share_river", r["river_id"])
        elif q == FULL:
            hit = ids == lakes_named[0]
            out.loc[hit.to_numpy(), "filled_to_capacity"] = int(r["value"] >= 1)
        else:
            continue
        period = f"{r['period_start']}/{r['period_end']}" if r["period_start"] else ""
        _add(out, hit, "figures_period", period)
        _add(out, hit, "figures_source", str(r["source"]))
        _add(out, hit, "figures_note", f"{q}: {r['note']}")
    return out


def _put(frame: pd.DataFrame, mask: pd.Series, column: str, value: object) -> None:
    frame.loc[np.asarray(mask, dtype=bool), column] = value


def _add(frame: pd.DataFrame, mask: pd.Series, column: str, text: str) -> None:
    """Append ``text`` to a "; "-joined text column where it is not there yet."""
    if not text:
        return
    for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
        have = [t for t in str(frame.iat[i, frame.columns.get_loc(column)]).split("; ") if t]
        if text not in have:
            frame.iat[i, frame.columns.get_loc(column)] = "; ".join([*have, text])
