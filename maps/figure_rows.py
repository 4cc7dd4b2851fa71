"""The figures a popup shows for its feature, read from the Atlas's ``flows`` table: each with
what it is, its value and unit in the page's language, its period and its source.

A lake shows the figures whose ``lake_ids`` name it (what was released to it or from it, its
level change, the share of its inflow a river brings, whether it was full); a river those of
the river and of its crossings (what it brought across the border beside what reached its
lake); a crossing those an analyst's table gives it, beside the published ones its popup
already shows. Nothing here computes a figure; the layers did.
"""

from __future__ import annotations

import pandas as pd
from babel.numbers import format_percent

from maps import i18n
from maps.i18n import N_, _
from maps.words import KIND_SHORT

#: what each quantity of the published table is, in the page's words
QUANTITIES = {
    "transboundary_inflow_volume": N_("Volume received across the border"),
    "transboundary_inflow_mean_discharge": N_("Mean discharge received across the border"),
    "release_to_lake": N_("Released from the reservoir to the lake"),
    "release_to_lake_mean_discharge": N_("Mean discharge released to the lake"),
    "water_level_change": N_("Water level change"),
    "share_of_lake_inflow": N_("Share of the lake's inflow"),
    "filled_to_capacity": N_("Filled to capacity"),
    "share_of_transboundary_inflow_volume": N_("Share of the total received across the border"),
    "inflow_share_of_release_to_lake": N_(
        "Received across the border, against what reached the lake"
    ),
}


def rows_for(
    flows: pd.DataFrame | None,
    *,
    lake: str | None = None,
    river: str | None = None,
    crossing: str | None = None,
    sources: set[str] | None = None,
) -> list[dict]:
    """The figure rows of one feature (see the module docstring); ``sources`` limits them to
    those files (an analyst's tables, for a crossing)."""
    if flows is None or flows.empty:
        return []
    records = _records(flows)
    if lake is not None:
        records = [r for r in records if lake in _text(r.get("lake_ids")).split(", ")]
    if river is not None:
        records = [
            r
            for r in records
            if _text(r.get("subject_kind")) in ("river", "crossing")
            and _is(r.get("river_id"), river)
        ]
    if crossing is not None:
        records = [
            r
            for r in records
            if _is(r.get("subject_kind"), "crossing") and _is(r.get("subject_id"), crossing)
        ]
    if sources is not None:
        records = [r for r in records if r.get("source") in sources]
    order = {q: k for k, q in enumerate(QUANTITIES)}
    records = sorted(records, key=lambda r: order.get(r.get("quantity"), len(order)))
    return [_row(r) for r in records]


#: the records of the last ``flows`` table asked for: every popup of every page and language
#: picks its rows from the same table, which is turned into records once
_LAST: list = [None, []]


def _records(flows: pd.DataFrame) -> list[dict]:
    if _LAST[0] is not flows:
        _LAST[:] = [flows, flows.to_dict("records")]
    return _LAST[1]


def _text(value: object) -> str:
    """A cell as text, a missing one as ``""`` (as ``fillna("").astype(str)``)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _is(value: object, text: str) -> bool:
    """A cell equals ``text`` (a missing or non-text cell never does)."""
    return isinstance(value, str) and value == text


def table_lines(tables: list) -> list[str]:
    """One legend line per analyst table joined (``layers.user_flows.JoinedTable``): its file,
    the column shown and its unit, its period, and how many rows were joined."""
    return [
        _("%(table)s: %(column)s (%(unit)s), %(period)s; %(matched)s of %(rows)s rows joined")
        % {
            "table": t.name,
            "column": t.table.value_column,
            "unit": t.table.unit.label,
            "period": t.table.period.label.replace("/", " – ")
            if t.table.period
            else _("no period"),
            "matched": t.matched,
            "rows": len(t.table.frame),
        }
        for t in tables
    ]


def _row(r: dict) -> dict:
    q = str(r["quantity"])
    label = _(QUANTITIES[q]) if q in QUANTITIES else q
    start, end = str(r.get("period_start") or ""), str(r.get("period_end") or "")
    return {
        "label": label,
        "value": value_text(r.get("value"), str(r.get("unit") or ""), q),
        "none": i18n.missing(r.get("value")),
        "when": f"{start} – {end}" if start and end else "",
        "source": str(r.get("source") or ""),
    }


def value_text(value: object, unit: str, quantity: str = "") -> str:
    """A figure in the page's words: ``8.52 km³``, ``+0.32 m``, ``70 %``, yes/no for a flag."""
    if i18n.missing(value):
        return i18n.no_figure()
    v = float(value)
    if unit == "percent":
        return format_percent(v / 100.0, locale=i18n.current().locale)
    if unit == "flag":
        return _("yes") if v >= 1 else _("no")
    if unit == "m" and quantity == "water_level_change":
        text = i18n.quantity(abs(v), "m", 2)
        return ("+" if v > 0 else "−" if v < 0 else "") + text
    try:
        return i18n.quantity(v, unit, significant_figures=3 if unit == "km3" else 0)
    except i18n.LanguageError:
        return f"{i18n.number(v, 2)} {unit}"


def flow_tips(pieces: pd.DataFrame) -> list[str]:
    """Each piece's discharge for its tooltip: ``294 m³/s (crossing, 2025-01-01/2025-06-30)``."""
    if "discharge_kind" not in pieces:
        return [""] * len(pieces)
    return [
        f"{i18n.quantity(v, 'm3/s')} ({_(KIND_SHORT.get(k, k))}{', ' + p if p else ''})"
        if k
        else ""
        for v, k, p in zip(
            pieces["mean_discharge_m3s"],
            pieces["discharge_kind"].fillna(""),
            pieces["flow_period"].fillna(""),
            strict=True,
        )
    ]
