"""Figures from the published table (``seed_flows.csv``: the 2025 article's figures, or an
analyst's table of the same layout): on the crossings, the rivers below them, and in ``flows``
with the figures derived from them (mean m³/s over the period's real length, each river's share
of a total, a river's inflow against what reached its lake).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import FlowTableError
from layers.figures import H1_2025, INFLOW, RELEASE, figures, figures_empty, name_index, river_name
from layers.flowtables import SEED_COLUMNS, read_seed_flows
from layers.joins import FIGURE, NO_FIGURE, join_values
from layers.rawtable import read_raw_table
from layers.styles import COUNTRY_NAMES, FLOW_WIDTH, classify
from layers.units import KM3, M3S, Period, convert, parse_unit

if TYPE_CHECKING:
    from layers.atlas import Atlas


def read_published(atlas: Atlas) -> pd.DataFrame:
    """The published figures table of the ``flows`` role (checked to have its layout when the
    analyst gave their own); an empty source falls back to the role's title."""
    path = atlas.sources.path("flows")
    if "flows" in atlas.sources.user_roles:
        cols = set(map(str, read_raw_table(path).frame.columns))
        if not set(SEED_COLUMNS) <= cols:
            raise FlowTableError(
                f"{path}: not a figures table (columns {', '.join(SEED_COLUMNS)}); for a table "
                "keyed by river, crossing, basin or reach, name its key, value and unit "
                "columns with the flow-table options instead"
            )
    seed = read_seed_flows(path)
    seed["source"] = seed["source"].where(seed["source"] != "", atlas.sources.about("flows").title)
    return seed


def _border_codes(place: str) -> tuple[str, str] | None:
    """``"China to Kazakhstan border"`` -> ``("CHN", "KAZ")``; None for other places."""
    m = re.match(r"^\s*(.+?)\s+to\s+(.+?)\s+border\s*$", str(place), flags=re.IGNORECASE)
    if not m:
        return None
    codes = {v.casefold(): k for k, v in COUNTRY_NAMES.items()}
    a, b = codes.get(m.group(1).casefold()), codes.get(m.group(2).casefold())
    return (a, b) if a and b else None


def _in_period(frame: pd.DataFrame, period: Period) -> np.ndarray:
    return (frame["period_start"] == period.start).to_numpy() & (
        frame["period_end"] == period.end
    ).to_numpy()


# --------------------------------------------------------------------------- crossings, rivers


#: crossings columns the flows step reads
CROSSING_COLUMNS = {
    "crossing_id": object,
    "river_id": object,
    "rivers": object,
    "from_country": object,
    "to_country": object,
    "direction": object,
    "km_from_source": float,
}


def crossing_keys(atlas: Atlas) -> pd.Series:
    """``"<river>:<FROM>><TO>"`` -> crossing id, for every river through every crossing place
    (the Tekes' and the Ili's ``KAZ>CHN`` both name ``tekes-1``); the place nearest the
    source wins where a river crosses twice in the same direction."""
    per = atlas.traced.crossing_rivers
    if per is None or per.empty:
        return pd.Series(dtype=object)
    keys = per["river_id"] + ":" + per["from_country"] + ">" + per["to_country"]
    lookup = pd.Series(per["crossing_id"].to_numpy(), index=keys.to_numpy())
    return lookup[~lookup.index.duplicated()]


def crossing_keys_of(crossings: pd.DataFrame) -> dict[str, str]:
    """``"<river>:<FROM>><TO>"`` -> crossing id from the crossings layer's ``rivers`` lists."""
    out: dict[str, str] = {}
    listed = crossings["rivers"] if "rivers" in crossings else crossings["river_id"]
    for cid, rivers, a, b in zip(
        crossings["crossing_id"],
        listed,
        crossings["from_country"],
        crossings["to_country"],
        strict=True,
    ):
        for r in str(rivers).split(", "):
            out.setdefault(f"{r}:{a}>{b}", cid)
    return out


def seed_places(seed: pd.DataFrame, atlas: Atlas) -> pd.DataFrame:
    """The figures with where they were measured: ``flow_key`` (``"ili:CHN>KAZ"`` for a river
    figure at a border, else ""), ``crossing_id`` (the crossing place it names, else "") and
    ``lake_ids`` (the register lakes the subject or the place names, ``"kapchagay, balkhash"``
    for a release from Kapchagay to Balkhash)."""
    out = seed.copy()
    borders = out["place"].map(_border_codes)
    key = out["sid"] + ":" + borders.map(lambda b: f"{b[0]}>{b[1]}" if b else "")
    out["flow_key"] = np.where(borders.notna() & (out["kind"] == "river"), key, "")
    out["crossing_id"] = out["flow_key"].map(crossing_keys(atlas)).fillna("").astype(str)
    index = name_index(atlas)
    out["lake_ids"] = [
        ", ".join(dict.fromkeys(_lakes_named(k, i, p, index)))
        for k, i, p in zip(out["kind"], out["sid"], out["place"], strict=True)
    ]
    return out


def _lakes_named(kind: str, sid: str, place: str, index: dict) -> list[str]:
    """Lake ids of a figure: its subject if a lake, then the lakes its place names
    (``"A to B"``: A then B)."""
    found = [sid] if kind == "lake" else []
    parts = re.split(r"\s+to\s+", str(place).strip(), flags=re.IGNORECASE) if place else []
    return found + [
        index[p.casefold()][1]
        for p in parts
        if p.casefold() in index and index[p.casefold()][0] == "lake"
    ]


def crossing_flows(atlas: Atlas, seed: pd.DataFrame) -> pd.DataFrame:
    """The crossings with the H1 2025 inflow figures, joined by river and direction.

    Columns added: ``h1_2025_volume_km3``, ``h1_2025_mean_m3s`` (over the period's real 181
    days), ``flow_period``, ``flow_status``, ``flow_source``, ``flow_note``. A crossing with no
    published figure gets NaN and ``"no figure"`` with a note saying why. Figures for register
    rivers that were not traced (not asked for) are left out of the join and its report.
    """
    crossings = atlas["crossings"].copy()
    for col, dtype in CROSSING_COLUMNS.items():  # a selection of rivers may cross no border
        if col not in crossings:
            crossings[col] = pd.Series(dtype=dtype)
    rows = seed.loc[(seed["quantity"] == INFLOW) & _in_period(seed, H1_2025)]
    shown = {r.id for r in atlas.rivers}
    rows = rows.loc[(rows["kind"] == "river") & rows["sid"].isin(shown)].copy()
    rows = rows.loc[rows["flow_key"] != ""]
    rows["crossing_id"] = rows["crossing_id"].where(rows["crossing_id"] != "", rows["flow_key"])
    joined, report = join_values(
        crossings,
        "crossing_id",
        rows,
        "crossing_id",
        "km3",
        out_col="h1_2025_volume_km3",
        what=f"{atlas.sources.path('flows').name} -> crossings (H1 2025 inflow)",
        carry=("note",),
    )
    atlas.notes.extend(report.lines())
    joined["h1_2025_mean_m3s"] = convert(joined["h1_2025_volume_km3"], KM3, M3S, period=H1_2025)
    have = (joined["flow_status"] == FIGURE).to_numpy()
    absent = absent_notes(seed, atlas_index=name_index(atlas))
    why = _first_listed(joined, absent)
    told = why.notna().to_numpy()
    attribution = atlas.sources.about("flows").attribution
    joined["flow_period"] = np.where(have | told, H1_2025.label, "")
    joined["flow_source"] = np.where(have | told, attribution, "")
    fallback = "no published figure for " + joined["direction"] + " in H1 2025"
    joined["flow_note"] = np.where(
        have, joined["note"].fillna("").astype(str), why.fillna(fallback).astype(str)
    )
    return joined.drop(columns=["note"])


def _first_listed(crossings: pd.DataFrame, texts: dict[str, str]) -> pd.Series:
    """Per crossing, the text of the first river it lists (``rivers``) that ``texts`` has."""
    listed = crossings["rivers"] if "rivers" in crossings else crossings["river_id"]
    found = [
        next((texts[r] for r in str(v).split(", ") if r in texts), None) for v in listed.fillna("")
    ]
    return pd.Series(found, index=crossings.index, dtype=object)


def course_flows(atlas: Atlas, crossings: pd.DataFrame) -> None:
    """Each river course's inflow from abroad: ``mean_discharge_m3s`` of its first crossing
    with a figure (mean over the period), with ``flow_status``, ``flow_period``,
    ``flow_source``, ``flow_note`` (built from that figure, or why there is none) and
    ``width_class``. The reaches get theirs from :mod:`layers.discharge`."""
    courses = atlas["river_courses"].copy()
    per = atlas.traced.crossing_rivers
    fig = crossings.loc[crossings["flow_status"] == FIGURE]
    fig = per.merge(fig.drop(columns=["river_id", "km_from_source"]), on="crossing_id")
    fig = fig.sort_values("km_from_source").drop_duplicates("river_id").set_index("river_id")
    courses["mean_discharge_m3s"] = courses["river_id"].map(fig["h1_2025_mean_m3s"]).astype(float)
    has = courses["mean_discharge_m3s"].notna().to_numpy()
    courses["flow_status"] = np.where(has, FIGURE, NO_FIGURE)
    for col in ("flow_period", "flow_source"):
        text = courses["river_id"].map(fig[col].astype(object)).astype(object)
        courses[col] = text.where(text.notna(), "").astype(str)
    courses["width_class"] = classify(courses["mean_discharge_m3s"], FLOW_WIDTH)
    fig_note = pd.Series(
        [
            f"mean over {p} of {v:g} km³ received at the {d} crossing {c} (km {k:.0f})"
            for p, v, d, c, k in zip(
                fig["flow_period"],
                fig["h1_2025_volume_km3"],
                fig["direction"],
                fig["crossing_id"],
                fig["km_from_source"],
                strict=True,
            )
        ],
        index=fig.index,
        dtype=object,
    )
    none = crossings.loc[crossings["flow_status"] == NO_FIGURE]
    none = per.merge(none[["crossing_id", "flow_note"]], on="crossing_id")
    why_none = none.drop_duplicates("river_id").set_index("river_id")["flow_note"].astype(object)
    courses["flow_note"] = (
        courses["river_id"]
        .map(fig_note)
        .astype(object)
        .fillna(courses["river_id"].map(why_none))
        .fillna("no published figure for the river")
        .astype(str)
    )
    atlas.layers["river_courses"].frame = courses


def seed_figures(seed: pd.DataFrame, crossings: pd.DataFrame) -> pd.DataFrame:
    """The published figures, and for each volume with a period its mean m³/s.

    An inflow figure joined to a crossing is about that crossing (``subject_kind`` crossing,
    ``subject_id`` the crossing id); ``river_id`` names the river in every case.
    """
    done = set(crossings.loc[crossings["flow_status"] == FIGURE, "crossing_id"])
    river = np.where(seed["kind"] == "river", seed["sid"], "")
    on_crossing = ((seed["quantity"] == INFLOW) & seed["crossing_id"].isin(done)).to_numpy()
    kind = np.where(on_crossing, "crossing", seed["kind"])
    sid = np.where(on_crossing, seed["crossing_id"], seed["sid"])
    place = seed["place"].where(seed["place"] == "", " (" + seed["place"] + ")")
    published = figures(
        subject=seed["subject"],
        subject_kind=kind,
        subject_id=sid,
        river_id=river,
        quantity=seed["quantity"],
        value=seed["value"],
        unit=seed["unit"],
        source=seed["source"],
        note=seed["note"] + place,
        start=seed["period_start"],
        end=seed["period_end"],
        lake_ids=seed["lake_ids"],
    )
    v = (seed["km3"].notna() & seed["days"].notna()).to_numpy()
    if not v.any():
        return published
    s = seed.loc[v]
    rate = convert(s["km3"].to_numpy(), KM3, M3S, period=s["days"].to_numpy())
    labels = s["unit"].map(lambda u: parse_unit(u).label)
    means = figures(
        subject=s["subject"],
        subject_kind=kind[v],
        subject_id=sid[v],
        river_id=river[v],
        quantity=s["quantity"].str.removesuffix("_volume") + "_mean_discharge",
        value=rate,
        unit=M3S.name,
        source=s["source"],
        note=[
            f"{x:g} {u} over {int(d)} days = {r:.0f} m³/s on average"
            for x, u, d, r in zip(s["value"], labels, s["days"], rate, strict=True)
        ],
        derived=True,
        start=s["period_start"],
        end=s["period_end"],
        lake_ids=s["lake_ids"],
    )
    return pd.concat([published, means], ignore_index=True)


def _totals(seed: pd.DataFrame, index: dict[str, tuple[str, str]]) -> list[tuple]:
    """Each ``A+B+C`` total: (total row, the parts' rows, {river id: why it has no figure})."""
    out = []
    for t in seed.loc[seed["kind"] == "total"].to_dict("records"):
        parts = t["sid"].split("+")
        given = seed.loc[
            (seed["quantity"] == t["quantity"])
            & (seed["period_start"] == t["period_start"])
            & (seed["period_end"] == t["period_end"])
            & (seed["kind"] == "river")
            & seed["sid"].isin(parts)
        ]
        sums = " + ".join(f"{v:g}" for v in given["value"])
        if abs(given["km3"].sum() - t["km3"]) <= 0.05:
            why = f"{sums} already make {t['value']:g}"
        else:
            why = f"{sums} make {given['km3'].sum():g} of the {t['value']:g} total"
        word = "the article" if "article" in str(t["source"]).lower() else "the table"
        absent = {
            rid: f"{why}; {word} gives no {river_name(index, rid)} figure"
            for rid in parts
            if rid not in set(given["sid"])
        }
        out.append((t, given, absent))
    return out


def absent_notes(seed: pd.DataFrame, atlas_index: dict[str, tuple[str, str]]) -> dict[str, str]:
    """River id -> why it has no figure, for rivers a total names but no row gives."""
    return {rid: why for _, _, absent in _totals(seed, atlas_index) for rid, why in absent.items()}


def share_figures(
    seed: pd.DataFrame, crossings: pd.DataFrame, index: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Each river's share (%) of an ``A+B+C`` total, and a "no figure" row for each river the
    total names that no row gives (the Emel in H1 2025: 4.6 + 5.6 already make 10.2)."""
    frames = []
    keys = crossing_keys_of(crossings)
    for t, given, absent in _totals(seed, index):
        frames.append(
            figures(
                subject=given["subject"],
                subject_kind="river",
                subject_id=given["sid"],
                river_id=given["sid"],
                quantity="share_of_" + t["quantity"],
                value=given["km3"].to_numpy() / t["km3"] * 100.0,
                unit="percent",
                source=t["source"],
                note=[f"{v:g} of {t['value']:g} ({t['subject']})" for v in given["value"]],
                derived=True,
                start=given["period_start"],
                end=given["period_end"],
            )
        )
        if absent:
            ids = list(absent)
            border = _border_codes(t["place"])
            at = [keys.get(f"{r}:{border[0]}>{border[1]}") if border else None for r in ids]
            on_crossing = [a is not None for a in at]
            frames.append(
                figures(
                    subject=[river_name(index, r) for r in ids],
                    subject_kind=np.where(on_crossing, "crossing", "river"),
                    subject_id=[a or r for r, a in zip(ids, at, strict=True)],
                    river_id=ids,
                    quantity=t["quantity"],
                    value=np.full(len(ids), np.nan),
                    unit=t["unit"],
                    source=t["source"],
                    note=[absent[r] for r in ids],
                    start=[t["period_start"]] * len(ids),
                    end=[t["period_end"]] * len(ids),
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else figures_empty()


def release_share_figures(seed: pd.DataFrame) -> pd.DataFrame:
    """A river's inflow from abroad as a share (%) of what reached its lake over the same
    period (Ili: 5.6 km³ from China against 8.52 km³ released to Balkhash)."""
    keys = ["sid", "period_start", "period_end"]
    rel = seed.loc[seed["quantity"] == RELEASE]
    inflow = seed.loc[seed["quantity"] == INFLOW, [*keys, "km3", "value"]]
    m = rel.merge(inflow, on=keys, suffixes=("", "_in"))
    if m.empty:
        return figures_empty()
    return figures(
        subject=m["subject"],
        subject_kind="river",
        subject_id=m["sid"],
        river_id=m["sid"],
        quantity="inflow_share_of_" + m["quantity"],
        value=m["km3_in"].to_numpy() / m["km3"].to_numpy() * 100.0,
        unit="percent",
        source=m["source"],
        note=[
            f"{a:g} km³ received from abroad against {b:g} km³ released ({p}); the rest "
            "came from within the receiving country"
            for a, b, p in zip(m["value_in"], m["value"], m["place"], strict=True)
        ],
        derived=True,
        start=m["period_start"],
        end=m["period_end"],
        lake_ids=m["lake_ids"],
    )
