"""Popup and tooltip HTML for each kind of feature, rendered (and escaped) by Jinja templates in
the page's language.

The functions take Atlas frames as they are and show their figures; a missing column or value
shows as "no figure". Nothing here measures or derives a domain figure, except the display
aggregation of the monthly water balance in :mod:`maps.tables`. Charts are data
(:mod:`maps.charts`) drawn by the page into the popup's ``.rm-chart`` slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from markupsafe import Markup

from layers.register import LANGS
from maps import figure_rows, i18n
from maps.charts import annual_chart, climatology_chart, water_balance_chart
from maps.i18n import _
from maps.templating import render


@dataclass(frozen=True)
class Popup:
    """A popup's escaped HTML and the data of the charts in its ``data-chart`` slots."""

    html: Markup
    charts: list[dict] = field(default_factory=list)


def country_name(code: object) -> str:
    """A country's name in the page's language from its ISO alpha-3 code."""
    return i18n.country(code)


def language_name(code: str) -> str:
    """A language's name in the page's language (CLDR), capitalised: Kazakh, Казахский, 哈萨克语."""
    name = i18n.current().locale.languages.get(code, code)
    return name[:1].upper() + name[1:]


def local_name(row: dict, fallback: str = "") -> str:
    """The name of a register feature in the page's language (its English name without one)."""
    lang = i18n.current().code
    return str(row.get(f"name_{lang}") or row.get("name_en") or fallback)


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
        items.append((_("other countries"), float(other)))
    return sorted(items, key=lambda kv: -kv[1])


# ---------- place names ----------

_ON_COURSE = re.compile(r"^(?P<name>.+?) \(km (?P<km>[\d.,]+)\)$")


def place(text: object, lakes: dict[str, dict]) -> str:
    """A water body named in English by the data (``ends_in``): the register lake's name in the
    page's language when it is one, else the text as the catalog translates it."""
    s = str(text or "")
    if s in lakes:
        return local_name(lakes[s], s)
    return _(s)


def lakes_on_course(text: object, lakes: dict[str, dict]) -> str:
    """``Lake Zaysan (km 615); ...`` (as ``layers.rivers`` writes it) in the page's words."""
    items = []
    for part in str(text or "").split("; "):
        m = _ON_COURSE.match(part.strip())
        if not m:
            items.append(place(part.strip(), lakes))
            continue
        km = float(m["km"].replace(",", ""))
        items.append(
            _("%(name)s (km %(km)s)") % {"name": place(m["name"], lakes), "km": i18n.number(km)}
        )
    return "; ".join(i for i in items if i)


def lake_index(lakes: pd.DataFrame) -> dict[str, dict]:
    """Register lakes by every English name the data may use for them (NE name, display name)."""
    out: dict[str, dict] = {}
    if "lake_id" not in lakes:
        return out
    named = lakes.loc[lakes["lake_id"].fillna("") != ""].drop(columns="geometry")
    for r in named.to_dict("records"):
        for key in ("name_en", "display_name", "ne_name", "name"):
            if r.get(key):
                out.setdefault(str(r[key]), r)
    return out


# ---------- popups ----------


def river_popups(
    courses: pd.DataFrame,
    parents: dict[str, dict],
    lakes: dict[str, dict],
    flows: pd.DataFrame | None = None,
) -> dict[str, Markup]:
    """River id -> popup: names in en/kk/ru/zh, total and per-country length (km), and the
    figures of the river and its crossings from ``flows`` (:mod:`maps.figure_rows`)."""
    out = {}
    for r in courses.drop(columns="geometry", errors="ignore").to_dict("records"):
        countries = [country_name(c) for c in str(r.get("countries") or "").split(" > ") if c]
        parent = parents.get(r.get("parent") or "")
        out[r["river_id"]] = render(
            "popup_river.html.j2",
            r=r,
            title=local_name(r),
            names=[(language_name(lang), lang, r.get(f"name_{lang}")) for lang in LANGS],
            lengths=[{"name": n, "km": v} for n, v in _per_country(r, "length_km_")],
            countries=countries,
            ends_in=place(r.get("ends_in"), lakes),
            on_course=lakes_on_course(r.get("lakes_on_course"), lakes),
            parent=local_name(parent, str(r.get("parent") or "")) if parent else "",
            note=_(str(r.get("note") or "")),
            drawn_from=drawn_from(r.get("drawn_from")),
            figures=figure_rows.rows_for(flows, river=r["river_id"]),
        )
    return out


_STRETCH = re.compile(r"^km (?P<start>[\d.,]+)–(?P<end>[\d.,]+) (?P<source>.+)$")


def drawn_from(text: object) -> list[Markup]:
    """Where each stretch of a river comes from (``layers`` writes ``km 0–82 World Data Bank
    II (1:1–3M); km 82–3,253 ...``): the stretch in the page's words, the source's own name
    as it is (marked ``translate="no"``)."""
    out = []
    for part in str(text or "").split("; "):
        m = _STRETCH.match(part.strip())
        if not m:
            if part.strip():
                out.append(Markup('<span translate="no">{}</span>').format(part.strip()))
            continue
        start, end = (float(m[k].replace(",", "")) for k in ("start", "end"))
        stretch = _("km %(start)s–%(end)s") % {"start": i18n.number(start), "end": i18n.number(end)}
        out.append(Markup('{}: <span translate="no">{}</span>').format(stretch, m["source"]))
    return out


#: the note ``layers.published`` writes for a river a published total names without a figure
_ABSENT = re.compile(
    r"^(?P<sums>[\d.]+(?: \+ [\d.]+)*) (?:already make (?P<total>[\d.]+)|make (?P<part>[\d.]+) "
    r"of the (?P<of>[\d.]+) total); the (?P<word>article|table) gives no (?P<river>.+) figure$"
)


def _absent_note(note: str, c: dict) -> str | None:
    """A "the article gives no X figure" note in the page's words (numbers in its format, the
    river by its name in the page's language), or None for another note."""
    m = _ABSENT.match(note)
    if not m:
        return None

    def num(text: str) -> str:
        digits = len(text.partition(".")[2])
        return i18n.number(float(text), digits)

    sums = " + ".join(num(v) for v in m["sums"].split(" + "))
    if m["total"]:
        made = _("%(sums)s already make %(total)s") % {"sums": sums, "total": num(m["total"])}
    else:
        made = _("%(sums)s make %(part)s of the %(total)s total") % {
            "sums": sums,
            "part": num(m["part"]),
            "total": num(m["of"]),
        }
    river = local_name(c, m["river"])
    if m["word"] == "article":
        absent = _("the article gives no %(river)s figure") % {"river": river}
    else:
        absent = _("the table gives no %(river)s figure") % {"river": river}
    return f"{made}; {absent}"


def crossing_note(c: dict) -> str:
    """The crossing's flow note: the data's own words where the catalog knows them (the
    "no figure in a published total" note with its numbers and river in the page's words),
    else in the page's words from the figure's status (an analyst's note stays as written)."""
    note = str(_value(c, "flow_note") or "")
    translated = _(note)
    if translated != note or i18n.current().code == "en":
        return translated
    absent = _absent_note(note, c)
    if absent is not None:
        return absent
    if _value(c, "h1_2025_volume_km3") is None:
        return _("No published figure for this crossing in H1 2025.")
    return note


def crossing_popup(
    c: dict, river_names: dict[str, dict] | None = None, figures: list[dict] | None = None
) -> Markup:
    """River, direction, coordinates, H1 2025 volume (km³) and mean discharge (m³/s); the
    other rivers through the same place (``rivers``), named by ``river_names`` (river id ->
    names by language, from the register); ``figures``: an analyst's figures for it
    (:func:`maps.figure_rows.rows_for`), shown beside the published ones."""
    volume = i18n.quantity(_value(c, "h1_2025_volume_km3"), "km3", significant_figures=3)
    discharge = i18n.quantity(_value(c, "h1_2025_mean_m3s"), "m3/s")
    lang = i18n.current().code
    return render(
        "popup_crossing.html.j2",
        c=c,
        title=local_name(c),
        other_names=[c.get(f"name_{k}") for k in LANGS if k != lang and c.get(f"name_{k}")],
        from_name=country_name(c["from_country"]),
        to_name=country_name(c["to_country"]),
        volume=volume,
        discharge=discharge,
        note=crossing_note(c),
        also=[
            local_name({f"name_{k}": v for k, v in (river_names or {}).get(r, {}).items()}, r)
            for r in str(c.get("rivers") or "").split(", ")
            if r and r != c.get("river_id")
        ],
        figures=figures or [],
    )


def gauge_chart(climatology: pd.DataFrame | None) -> dict | None:
    """The data of a gauge's monthly low/mean/high chart (the same in every language), or
    None without a monthly mean to draw."""
    has_chart = (
        climatology is not None
        and len(climatology) > 0
        and bool(np.isfinite(climatology["mq"].to_numpy(dtype=float)).any())
    )
    return climatology_chart(climatology) if has_chart else None


def gauge_popup(g: dict, chart: dict | None) -> Popup:
    """Long-term mean discharge, years of record and the monthly low/mean/high chart
    (``chart``: :func:`gauge_chart` of the gauge's climatology)."""
    start, end = _value(g, "m_start"), _value(g, "m_end")
    period = f"{int(start)}–{int(end)}" if start and end else ""
    has_chart = chart is not None
    html = render(
        "popup_gauge.html.j2",
        g={"station": "", "river": "", "grdc_no": "", **g},
        mean=i18n.quantity(_value(g, "mean_discharge_m3s"), "m3/s", 1),
        volume=i18n.quantity(_value(g, "mean_volume_km3_per_year"), "km3/yr", 2),
        years=i18n.number(_value(g, "m_yrs")),
        period=period,
        area=i18n.quantity(_value(g, "area_km2"), "km2"),
        chart=has_chart,
    )
    return Popup(html, [chart] if has_chart else [])


def basin_popup(
    b: dict, id_column: str, name_column: str, charts: list[dict], period: str
) -> Popup:
    """Area in total and per country (km²) and charts of the monthly and yearly balance
    (``charts``: :func:`basin_charts`, the same in every language)."""
    kinds = [c["kind"] for c in charts]
    html = render(
        "popup_basin.html.j2",
        b={
            "id": b.get(id_column, ""),
            "name": b.get(name_column) or b.get(id_column, ""),
            "area": i18n.quantity(_value(b, "area_km2"), "km2"),
        },
        areas=[
            {"name": n, "km2": i18n.quantity(v, "km2")} for n, v in _per_country(b, "area_km2_")
        ],
        pet=_value(b, "p_minus_et_mm_per_year"),
        period=period,
        monthly=kinds.index("balance") if "balance" in kinds else None,
        annual=kinds.index("annual") if "annual" in kinds else None,
    )
    return Popup(html, charts)


def basin_charts(monthly: pd.DataFrame | None, annual: pd.DataFrame | None) -> list[dict]:
    """The data of a basin's monthly and yearly water balance charts (the same in every
    language): those it has figures for, monthly first."""
    charts = []
    if monthly is not None and len(monthly):
        charts.append(water_balance_chart(monthly))
    if annual is not None and len(annual):
        charts.append(annual_chart(annual["year"], annual["p_minus_et_mm"]))
    return charts


def lake_popup(lake: dict, figures: list[dict] | None = None) -> Markup:
    """Names in every language and the figures that apply to the lake (release received,
    level change, share of inflow, fill state: :func:`maps.figure_rows.rows_for`)."""
    return render(
        "popup_lake.html.j2",
        title=local_name(lake, str(lake.get("display_name", ""))),
        names=[(language_name(k), k, lake.get(f"name_{k}")) for k in LANGS],
        figures=figures or [],
    )
