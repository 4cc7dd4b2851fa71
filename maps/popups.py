"""Popup and tooltip HTML for each kind of feature, rendered (and escaped) by Jinja templates.

The functions take Atlas frames as they are and show their figures; a missing column or value
shows as "no figure". Nothing here measures or derives a domain figure, except the display
aggregation of the monthly water balance in :mod:`maps.tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

from layers.register import LANGS
from layers.styles import COUNTRY_NAMES
from maps.charts import annual_chart, climatology_chart, water_balance_chart
from maps.templating import NO_FIGURE, num, render, sig

LANG_LABELS = {"en": "English", "kk": "Kazakh", "ru": "Russian", "zh": "Chinese"}


def country_name(code: object) -> str:
    text = str(code)
    return COUNTRY_NAMES.get(text.upper(), text)


def tip(*parts: object) -> Markup:
    """A one-line tooltip ``a · b · c`` with every part escaped; empty parts left out."""
    return render("tip.html.j2", parts=[str(p) for p in parts if p not in (None, "")])


def _value(row: dict, column: str) -> object:
    v = row.get(column)
    return None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v


def _per_country(row: dict, prefix: str) -> list[tuple[str, float]]:
    """``[(country name, value)]`` of the non-zero ``<prefix><code>`` columns, largest first."""
    items = [
        (country_name(k[len(prefix) :]), float(v))
        for k, v in row.items()
        if k.startswith(prefix) and k[len(prefix) :] != "other" and _value(row, k) and float(v) > 0
    ]
    other = _value(row, f"{prefix}other")
    if other and float(other) > 0:
        items.append(("other countries", float(other)))
    return sorted(items, key=lambda kv: -kv[1])


def river_popups(courses: pd.DataFrame, register_names: dict[str, str]) -> dict[str, Markup]:
    """River id -> popup: names in en/kk/ru/zh, total and per-country length (km)."""
    out = {}
    for r in courses.drop(columns="geometry", errors="ignore").to_dict("records"):
        countries = [country_name(c) for c in str(r.get("countries") or "").split(" > ") if c]
        out[r["river_id"]] = render(
            "popup_river.html.j2",
            r=r,
            lengths=[{"name": n, "km": v} for n, v in _per_country(r, "length_km_")],
            countries=countries,
            parent=register_names.get(r.get("parent") or "", r.get("parent") or ""),
        )
    return out


def crossing_popup(c: dict, river_names: dict[str, str] | None = None) -> Markup:
    """River, direction, coordinates, H1 2025 volume (km³) and mean discharge (m³/s); the
    other rivers through the same place (``rivers``), named by ``river_names``."""
    volume = sig(_value(c, "h1_2025_volume_km3"))
    discharge = num(_value(c, "h1_2025_mean_m3s"))
    note = _value(c, "flow_note") or ""
    status = _value(c, "flow_status")
    if not note and volume == NO_FIGURE and status:
        note = str(status)
    return render(
        "popup_crossing.html.j2",
        c=c,
        other_names=[c.get(f"name_{lang}") for lang in LANGS[1:] if c.get(f"name_{lang}")],
        from_name=country_name(c["from_country"]),
        to_name=country_name(c["to_country"]),
        volume=volume,
        discharge=discharge,
        note=note,
        also=[
            (river_names or {}).get(r, r)
            for r in str(c.get("rivers") or "").split(", ")
            if r and r != c.get("river_id")
        ],
    )


def gauge_popup(g: dict, climatology: pd.DataFrame | None) -> Markup:
    """Long-term mean discharge, years of record and the monthly low/mean/high chart."""
    start, end = _value(g, "m_start"), _value(g, "m_end")
    period = f"{int(start)}–{int(end)}" if start and end else ""
    years = _value(g, "m_yrs")
    chart = (
        climatology_chart(climatology)
        if climatology is not None
        and len(climatology)
        and np.isfinite(climatology["mq"].to_numpy(dtype=float)).any()
        else None
    )
    return render(
        "popup_gauge.html.j2",
        g={"station": "", "river": "", "grdc_no": "", **g},
        mean=num(_value(g, "mean_discharge_m3s"), 1),
        volume=num(_value(g, "mean_volume_km3_per_year"), 2),
        years=num(years) if years is not None else NO_FIGURE,
        period=period,
        area=num(_value(g, "area_km2")),
        chart=chart,
    )


def basin_popup(
    b: dict,
    id_column: str,
    name_column: str,
    monthly: pd.DataFrame | None,
    annual: pd.DataFrame | None,
    period: str,
) -> Markup:
    """Area in total and per country (km²) and charts of the monthly and yearly balance."""
    return render(
        "popup_basin.html.j2",
        b={
            "id": b.get(id_column, ""),
            "name": b.get(name_column) or b.get(id_column, ""),
            "area": _value(b, "area_km2"),
        },
        areas=[{"name": n, "km2": v} for n, v in _per_country(b, "area_km2_")],
        pet=num(_value(b, "p_minus_et_mm_per_year")),
        period=period,
        monthly=water_balance_chart(monthly) if monthly is not None and len(monthly) else None,
        annual=annual_chart(annual["year"], annual["p_minus_et_mm"])
        if annual is not None and len(annual)
        else None,
    )


def lake_popup(lake: dict) -> Markup:
    return render("popup_lake.html.j2", l=lake, langs=list(LANG_LABELS.items()))
