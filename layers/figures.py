"""The ``flows`` table: one row per figure (subject, quantity, value, unit, period, source).

Every kind of figure (published, water balance, gauges, analysts' tables) becomes rows through
:func:`figures`; subjects named in a table (a river or lake in any language, ``A+B+C`` totals)
are resolved to register ids through :func:`name_index`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from layers.joins import FIGURE, NO_FIGURE
from layers.units import KM3, Period, convert_each, parse_unit

if TYPE_CHECKING:
    from layers.atlas import Atlas

#: the half-year the published figures cover
H1_2025 = Period.parse("2025-01-01", "2025-06-30")
INFLOW = "transboundary_inflow_volume"
RELEASE = "release_to_lake"

FLOW_COLUMNS = (
    "subject",
    "subject_kind",
    "subject_id",
    "river_id",
    "quantity",
    "value",
    "unit",
    "status",
    "period_start",
    "period_end",
    "period_days",
    "source",
    "note",
    "derived",
    "lake_ids",
)


# --------------------------------------------------------------------------- the flows table


def figures(
    *,
    subject,
    subject_kind,
    quantity,
    value,
    unit,
    source,
    subject_id="",
    river_id="",
    note="",
    derived=False,
    start=None,
    end=None,
    lake_ids="",
) -> pd.DataFrame:
    """Rows of the ``flows`` table; each argument a scalar or one value per row.

    ``start``/``end``: dates (or None) of the period each figure covers; the ISO strings and
    ``period_days`` (calendar days, both ends included) follow from them. ``lake_ids``: the
    register lakes a figure is about (its subject or its place: ``"kapchagay, balkhash"`` for
    a release from Kapchagay to Balkhash), joined by ``", "``.
    """
    cols = {
        "subject": subject,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "river_id": river_id,
        "quantity": quantity,
        "value": value,
        "unit": unit,
        "source": source,
        "note": note,
        "derived": derived,
        "lake_ids": lake_ids,
    }
    n = max((len(v) for v in cols.values() if not np.isscalar(v)), default=1)
    out = pd.DataFrame(
        {k: v if np.isscalar(v) else np.asarray(v) for k, v in cols.items()}, index=range(n)
    )
    out["value"] = out["value"].astype(float)
    out["status"] = np.where(np.isfinite(out["value"]), FIGURE, NO_FIGURE)
    s, e = _dates(start, n), _dates(end, n)
    out["period_start"] = s.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    out["period_end"] = e.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    out["period_days"] = pd.array((e - s).dt.days + 1, dtype="Int64")
    return out[list(FLOW_COLUMNS)]


def _dates(value, n: int) -> pd.Series:
    """Per-row dates (datetime64, NaT for none) from one date/None or one per row."""
    many = value is not None and not np.isscalar(value) and not hasattr(value, "isoformat")
    return pd.to_datetime(pd.Series(list(value) if many else [value] * n, dtype=object))


def figures_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(FLOW_COLUMNS))


# --------------------------------------------------------------------------- subjects


def name_index(atlas: Atlas) -> dict[str, tuple[str, str]]:
    """Case-folded names (any language) and ids -> (kind, id) of register rivers and lakes."""
    index: dict[str, tuple[str, str]] = {}
    for lake in atlas.register.lakes:
        for n in (lake.id, lake.ne_name, *lake.names.values()):
            if n:
                index[n.casefold()] = ("lake", lake.id)
    for r in atlas.register.rivers:
        for n in (r.id, *r.names.values()):
            index[n.casefold()] = ("river", r.id)
    return index


def resolve_subject(subject: str, index: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(kind, id) of a subject: a river, a lake, ``total`` for ``A+B+C``, else ``other``."""
    if "+" in subject:
        parts = [index.get(s.strip().casefold(), ("", s.strip()))[1] for s in subject.split("+")]
        return "total", "+".join(parts)
    return index.get(subject.strip().casefold(), ("other", ""))


def subjects(seed: pd.DataFrame, index: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The figures with ``kind``/``sid`` (river, lake, total, other and its id), ``days``
    (period length, NaN without a period) and ``km3`` (volumes only)."""
    resolved = [resolve_subject(s, index) for s in seed["subject"]]
    out = seed.assign(kind=[k for k, _ in resolved], sid=[i for _, i in resolved])
    start = pd.to_datetime(out["period_start"])
    end = pd.to_datetime(out["period_end"])
    out["days"] = ((end - start).dt.days + 1).to_numpy(dtype=float)
    units = out["unit"].map(parse_unit)
    volume = units.map(lambda u: u.kind == "water" and not u.is_rate and not u.depth)
    out["km3"] = np.nan
    if volume.any():
        out.loc[volume, "km3"] = convert_each(
            out.loc[volume, "value"].to_numpy(), out.loc[volume, "unit"].to_numpy(), KM3
        )
    return out


def river_name(index: dict[str, tuple[str, str]], rid: str) -> str:
    """A river's English name from the name index (its id if none)."""
    names = [n for n, (k, i) in index.items() if k == "river" and i == rid and n.isascii()]
    names = [n for n in names if n != rid] or [rid]
    return names[0].title()
