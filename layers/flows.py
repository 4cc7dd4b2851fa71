"""The Atlas step that joins flow figures to the rivers, crossings, basins and gauges.

``attach_flows(atlas)`` reads the published figures (``seed_flows.csv``, or the analyst's table
of the same layout), the monthly basin water balance and the GRDC gauges, and adds:

- ``flows``: every figure in long format (subject, quantity, value, unit, period, source),
  with derived figures beside the published ones: mean m³/s over the period's real length,
  each river's share of the total, the Ili's inflow against what reached Balkhash, Buran's
  long-term mean, basin P − ET in km³/yr; where the data says nothing, a "no figure" row;
- ``water_balance_monthly``, ``gauges`` (points, EPSG:4326), ``gauge_climatology``;
- flow columns on ``crossings``, ``rivers``, ``river_courses`` and ``basins``.

``attach_user_flows(atlas, table)`` joins an analyst's :class:`FlowTable` in the same way.
Every join's report goes to ``atlas.notes``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import FlowTableError, UnitError
from layers.flowtables import (
    SEED_COLUMNS,
    FlowTable,
    read_flow_table,
    read_precipitation,
    read_raw_table,
    read_seed_flows,
    read_water_balance,
)
from layers.gauges import gauges_layer, read_gauge_climatology, read_gauges, snap_notes
from layers.joins import FIGURE, NO_FIGURE, JoinPolicy, join_values
from layers.styles import BASIN_FILL, COUNTRY_NAMES, FLOW_WIDTH, classify
from layers.units import (
    KM3,
    KM3_PER_YEAR,
    M3S,
    MM_PER_YEAR,
    Period,
    convert,
    convert_each,
    parse_unit,
)

if TYPE_CHECKING:
    from layers.atlas import Atlas

#: the half-year the published figures cover
H1_2025 = Period.parse("2025-01-01", "2025-06-30")
INFLOW = "transboundary_inflow_volume"
RELEASE = "release_to_lake"
GRDC = "Global Runoff Data Centre (GRDC), 56068 Koblenz, Germany"
#: days per calendar month in an average year (February 28.25)
MONTH_DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

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
)


def attach_flows(atlas: Atlas) -> None:
    """Add the flow layers and columns to the Atlas in place (see the module docstring)."""
    from layers.atlas import Layer

    p = atlas.sources.about
    index = name_index(atlas)
    seed = subjects(_read_seed(atlas), index)
    monthly = water_balance_monthly(atlas)
    gauges, clim = _gauges(atlas)
    crossings = crossing_flows(atlas, seed)
    atlas.layers["crossings"].frame = crossings
    _river_flows(atlas, crossings)
    yearly = water_balance_yearly(monthly)
    basins = basin_columns(atlas, basin_balance(yearly))
    atlas.layers["basins"].frame = basins
    flows = pd.concat(
        [
            seed_figures(seed, crossings),
            share_figures(seed, crossings, index),
            release_share_figures(seed),
            gauge_figures(gauges, clim, crossings),
            basin_figures(basins, p("water_balance").attribution),
        ],
        ignore_index=True,
    )
    described = [
        (
            "flows",
            "Flow figures",
            flows,
            "Every flow figure with its period and source; derived figures (mean m³/s over "
            "the real period length, shares, P − ET) are marked derived; 'no figure' where "
            "the data says nothing.",
            ("flows", "gauges", "gauge_climatology", "water_balance", "basins"),
        ),
        (
            "water_balance_monthly",
            "Monthly basin water balance",
            monthly,
            "Monthly precipitation, evapotranspiration and storage change (mm) per watershed, "
            "with MSWEP precipitation beside it.",
            ("water_balance", "precipitation"),
        ),
        (
            "water_balance_yearly",
            "Yearly basin water balance",
            yearly,
            "Precipitation, evapotranspiration and P − ET (mm) per watershed and calendar year, "
            "summed from the monthly table; no figure for a year without all twelve months.",
            ("water_balance",),
        ),
        (
            "gauges",
            "GRDC gauges",
            gauges,
            "GRDC gauges with long-term mean discharge (m³/s), snapped to the river network "
            "(snap distance geodesic, km); each traced river's gauges in downstream order.",
            ("gauges", "rivers"),
        ),
        (
            "gauge_climatology",
            "GRDC monthly discharge climatology",
            clim,
            "Long-term lowest, mean and highest discharge (m³/s) per calendar month and gauge.",
            ("gauge_climatology",),
        ),
    ]
    for name, title, frame, text, roles in described:
        atlas.add(Layer(name, title, frame, text, tuple(p(r) for r in roles)))


# --------------------------------------------------------------------------- reading


def _read_seed(atlas: Atlas) -> pd.DataFrame:
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


def water_balance_monthly(atlas: Atlas) -> pd.DataFrame:
    """The two monthly basin tables side by side, one row per watershed and month.

    Columns ``WATERSHED_ID, date (ISO), year, month, precipitation_mm,
    evapotranspiration_mm, delta_s_mm, precipitation_mswep_mm``; a month in only one table
    has NaN (no figure) in the other's columns and is reported in ``atlas.notes``.
    """
    wb = read_water_balance(atlas.sources.path("water_balance"))
    pr = read_precipitation(atlas.sources.path("precipitation"))
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


def _gauges(atlas: Atlas) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = atlas.sources.path("gauges")
    gauges = gauges_layer(
        read_gauges(path),
        atlas.network,
        atlas.traced.owner,
        atlas.traced.course,
        atlas["crossings"],
    )
    atlas.notes.extend(snap_notes(gauges, path.name))
    clim_path = atlas.sources.path("gauge_climatology")
    clim = read_gauge_climatology(clim_path)
    unknown = sorted(set(clim["grdc_no"]) - set(gauges["grdc_no"]))
    if unknown:
        atlas.notes.append(
            f"{clim_path.name}: gauges not in the catalogue (kept): " + ", ".join(map(str, unknown))
        )
    return gauges, clim


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
    "from_country": object,
    "to_country": object,
    "direction": object,
    "km_from_source": float,
}


def crossing_flows(atlas: Atlas, seed: pd.DataFrame) -> pd.DataFrame:
    """The crossings with the H1 2025 inflow figures, joined by river and direction.

    Columns added: ``h1_2025_volume_km3``, ``h1_2025_mean_m3s`` (over the period's real 181
    days), ``flow_period``, ``flow_status``, ``flow_source``, ``flow_note``. A crossing with no
    published figure gets NaN and ``"no figure"`` with a note saying why.
    """
    crossings = atlas["crossings"].copy()
    for col, dtype in CROSSING_COLUMNS.items():  # a selection of rivers may cross no border
        if col not in crossings:
            crossings[col] = pd.Series(dtype=dtype)
    crossings["flow_key"] = (
        crossings["river_id"] + ":" + crossings["from_country"] + ">" + crossings["to_country"]
    )
    rows = seed.loc[(seed["quantity"] == INFLOW) & _in_period(seed, H1_2025)]
    rows = rows.loc[rows["kind"] == "river"].copy()
    borders = rows["place"].map(_border_codes)
    rows = rows.loc[borders.notna()]
    rows["flow_key"] = rows["sid"] + ":" + borders.dropna().map(lambda b: f"{b[0]}>{b[1]}")
    joined, report = join_values(
        crossings,
        "flow_key",
        rows,
        "flow_key",
        "km3",
        out_col="h1_2025_volume_km3",
        what=f"{atlas.sources.path('flows').name} -> crossings (H1 2025 inflow)",
        carry=("note",),
        label_col="crossing_id",
    )
    atlas.notes.extend(report.lines())
    joined["h1_2025_mean_m3s"] = convert(joined["h1_2025_volume_km3"], KM3, M3S, period=H1_2025)
    joined["flow_period"] = H1_2025.label
    have = (joined["flow_status"] == FIGURE).to_numpy()
    absent = absent_notes(seed, atlas_index=name_index(atlas))
    told = joined["river_id"].isin(list(absent)).to_numpy()
    attribution = atlas.sources.about("flows").attribution
    joined["flow_source"] = np.where(have | told, attribution, "")
    fallback = "no published figure for " + joined["direction"] + " in H1 2025"
    joined["flow_note"] = np.where(
        have,
        joined["note"].fillna("").astype(str),
        joined["river_id"].map(absent).fillna(fallback),
    )
    return joined.drop(columns=["flow_key", "note"])


def _river_flows(atlas: Atlas, crossings: pd.DataFrame) -> None:
    """``mean_discharge_m3s`` on river pieces below a crossing with a figure (down to the next
    crossing: the figure is what crossed that border) and on each river's course; with
    ``flow_status``, ``flow_period`` and ``width_class``."""
    c = crossings[["river_id", "km_from_source", "h1_2025_mean_m3s"]].sort_values("km_from_source")
    c = c.astype({"river_id": object, "km_from_source": float})
    pieces = atlas["rivers"].copy()
    probe = pd.DataFrame(
        {
            "pos": np.arange(len(pieces)),
            "mid": (pieces["km_from_source_start"] + pieces["km_from_source_end"]) / 2,
            "river_id": pieces["river_id"].astype(object),
        }
    )
    m = pd.merge_asof(
        probe.sort_values("mid"),
        c,
        left_on="mid",
        right_on="km_from_source",
        by="river_id",
        direction="backward",
    ).sort_values("pos")
    pieces["mean_discharge_m3s"] = m["h1_2025_mean_m3s"].to_numpy(dtype=float)
    source = atlas.sources.about("flows").attribution
    flow_style(pieces, H1_2025.label, source)
    atlas.layers["rivers"].frame = pieces

    courses = atlas["river_courses"].copy()
    fig = crossings.loc[crossings["flow_status"] == FIGURE].sort_values("km_from_source")
    fig = fig.drop_duplicates("river_id").set_index("river_id")
    courses["mean_discharge_m3s"] = courses["river_id"].map(fig["h1_2025_mean_m3s"]).astype(float)
    flow_style(courses, H1_2025.label, source)
    fig_note = pd.Series(
        [
            f"mean over H1 2025 of {v:g} km³ received at the {d} crossing (km {k:.0f})"
            for v, d, k in zip(
                fig["h1_2025_volume_km3"], fig["direction"], fig["km_from_source"], strict=True
            )
        ],
        index=fig.index,
        dtype=object,
    )
    none = crossings.loc[crossings["flow_status"] == NO_FIGURE].drop_duplicates("river_id")
    why_none = none.set_index("river_id")["flow_note"].astype(object)
    courses["flow_note"] = (
        courses["river_id"]
        .map(fig_note)
        .astype(object)
        .fillna(courses["river_id"].map(why_none))
        .fillna("no published figure for H1 2025")
        .astype(str)
    )
    atlas.layers["river_courses"].frame = courses


def flow_style(frame: pd.DataFrame, period: str, source: str) -> None:
    """``flow_status``, ``flow_period``, ``flow_source`` (where there is a figure) and
    ``width_class`` from ``mean_discharge_m3s``."""
    has = frame["mean_discharge_m3s"].notna().to_numpy()
    frame["flow_status"] = np.where(has, FIGURE, NO_FIGURE)
    frame["flow_period"] = np.where(has, period, "")
    frame["flow_source"] = np.where(has, source, "")
    frame["width_class"] = classify(frame["mean_discharge_m3s"], FLOW_WIDTH)


# --------------------------------------------------------------------------- basins


def basin_columns(atlas: Atlas, balance: pd.DataFrame) -> pd.DataFrame:
    """Basins with mean annual P, ET, P − ET (mm/yr) and P − ET in km³/yr.

    The volume uses the basin's ``area_km2`` (Albers equal-area); ``balance_status`` is
    ``"no figure"`` for a basin the water balance table does not have.
    """
    joined, report = join_values(
        atlas["basins"],
        "WATERSHED_ID",
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
) -> pd.DataFrame:
    """Rows of the ``flows`` table; each argument a scalar or one value per row.

    ``start``/``end``: dates (or None) of the period each figure covers; the ISO strings and
    ``period_days`` (calendar days, both ends included) follow from them.
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


def seed_figures(seed: pd.DataFrame, crossings: pd.DataFrame) -> pd.DataFrame:
    """The published figures, and for each volume with a period its mean m³/s.

    An inflow figure joined to a crossing is about that crossing (``subject_kind`` crossing,
    ``subject_id`` the crossing id); ``river_id`` names the river in every case.
    """
    at = crossings.loc[crossings["flow_status"] == FIGURE].drop_duplicates("river_id")
    at = at.set_index("river_id")["crossing_id"]
    river = np.where(seed["kind"] == "river", seed["sid"], "")
    on_crossing = ((seed["quantity"] == INFLOW) & seed["sid"].isin(at.index)).to_numpy()
    kind = np.where(on_crossing, "crossing", seed["kind"])
    sid = np.where(on_crossing, seed["sid"].map(at), seed["sid"])
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


def river_name(index: dict[str, tuple[str, str]], rid: str) -> str:
    """A river's English name from the name index (its id if none)."""
    names = [n for n, (k, i) in index.items() if k == "river" and i == rid and n.isascii()]
    names = [n for n in names if n != rid] or [rid]
    return names[0].title()


def share_figures(
    seed: pd.DataFrame, crossings: pd.DataFrame, index: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Each river's share (%) of an ``A+B+C`` total, and a "no figure" row for each river the
    total names that no row gives (the Emel in H1 2025: 4.6 + 5.6 already make 10.2)."""
    frames = []
    by_river = crossings.drop_duplicates("river_id").set_index("river_id")
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
            on_crossing = [
                r in by_river.index and by_river.loc[r, "to_country"] == "KAZ" for r in ids
            ]
            frames.append(
                figures(
                    subject=[river_name(index, r) for r in ids],
                    subject_kind=np.where(on_crossing, "crossing", "river"),
                    subject_id=[
                        by_river.loc[r, "crossing_id"] if c else r
                        for r, c in zip(ids, on_crossing, strict=True)
                    ],
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


def figures_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(FLOW_COLUMNS))


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
    )


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


def basin_figures(basins: pd.DataFrame, attribution: str) -> pd.DataFrame:
    """Mean annual P − ET per basin in km³/yr (from mm/yr over the equal-area area)."""
    b = basins.loc[basins["balance_status"] == FIGURE]
    if b.empty:
        return figures_empty()
    period = b["balance_period"].str.split("/", expand=True)
    name = b["WATERSHED_NAME"] if "WATERSHED_NAME" in b else b["WATERSHED_ID"]
    return figures(
        subject=name,
        subject_kind="basin",
        subject_id=b["WATERSHED_ID"],
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


# --------------------------------------------------------------------------- user tables

#: key kind -> (layer, key column) an analyst's table joins to
USER_TARGETS = {
    "river": ("river_courses", "river_id"),
    "crossing": ("crossings", "crossing_id"),
    "basin": ("basins", "WATERSHED_ID"),
    "reach": ("network", "reach_id"),
}


def attach_user_flows(atlas: Atlas, table: FlowTable, policy: JoinPolicy | None = None) -> None:
    """Join an analyst's flow table to the layer its keys name; the report goes to notes.

    ``river`` keys (ids, or names in any language) join to ``river_courses`` and the river
    pieces; ``crossing`` to ``crossings``; ``basin`` (WATERSHED_ID) to ``basins``; ``reach``
    (HYRIV_ID, e.g. a ``DIS_AV_CMS`` table) to the ``network`` (every reach; the report
    counts against it) and from there to the traced river pieces. The layer gains
    ``user_value``, ``user_unit``, ``user_mean_m3s`` (NaN where the unit cannot become m³/s:
    a volume without a period, a depth without a basin area), ``user_status`` and
    ``user_source``. Where the figure is a discharge, rivers' ``mean_discharge_m3s`` and
    ``width_class`` take it (``flow_source`` names the table). The figures are also added to
    the ``flows`` table. Raises FlowTableError for a report category set to ``"error"``.
    """
    policy = policy or JoinPolicy()
    layer, key = USER_TARGETS[table.key_kind]
    if table.key_kind == "river":
        index = name_index(atlas)
        keys = table.frame["key"].astype(str)
        ids = [index.get(k.casefold(), ("", k))[1] for k in keys]
        table = replace(table, frame=table.frame.assign(key=ids))
    frame, report = join_values(
        atlas[layer],
        key,
        table,
        out_col="user_value",
        status_col="user_status",
        what=f"{table.name} -> {layer}",
        **policy.kwargs(),
    )
    atlas.notes.extend(report.lines() + list(table.notes))
    frame["user_unit"] = table.unit.name
    frame["user_source"] = np.where(frame["user_status"] == FIGURE, table.name, "")
    frame["user_mean_m3s"] = _user_m3s(frame, table)
    atlas.layers[layer].frame = frame
    if table.key_kind in ("river", "reach"):
        _user_discharge(atlas, frame, table, key)
    _user_figures(atlas, table)


def read_user_flow_file(
    path: str | Path,
    *,
    key: str,
    value: str,
    unit: str,
    key_kind: str,
    period: str | None = None,
    sheet: str | None = None,
    date: str | None = None,
    encoding: str | None = None,
    policy: JoinPolicy | None = None,
    skip_rows: int = 0,
) -> FlowTable:
    """Read and check an analyst's flow table before anything else is computed (fail early).

    ``period``: the period the figures cover as an ISO interval ``2025-01-01/2025-06-30``
    (or ``DD.MM.YYYY/DD.MM.YYYY``); ``policy.bad_values`` also decides whether a cell that is
    not a number stops the reading; ``skip_rows``: rows above the header (a title row).
    """
    policy = policy or JoinPolicy()
    start, end = _interval(period, str(path))
    return read_flow_table(
        path,
        key=key,
        value=value,
        unit=unit,
        key_kind=key_kind,
        period_start=start,
        period_end=end,
        sheet=sheet,
        date=date,
        encoding=encoding,
        bad_values=policy.bad_values,
        skip_rows=skip_rows,
    )


def attach_user_flow_file(
    atlas: Atlas, path: str | Path, *, policy: JoinPolicy | None = None, **options
) -> FlowTable:
    """Read an analyst's flow table and join it (:func:`read_user_flow_file` then
    :func:`attach_user_flows`); ``options`` as for :func:`read_user_flow_file`.
    """
    table = read_user_flow_file(path, policy=policy, **options)
    attach_user_flows(atlas, table, policy)
    return table


def _interval(text: str | None, source: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    parts = str(text).split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise FlowTableError(
            f"{source}: period {text!r}; accepted: START/END such as 2025-01-01/2025-06-30"
        )
    return parts[0].strip(), parts[1].strip()


def _user_m3s(frame: pd.DataFrame, table: FlowTable) -> np.ndarray:
    area = frame["area_km2"].to_numpy(float) if "area_km2" in frame else None
    try:
        return convert(frame["user_value"], table.unit, M3S, period=table.period, area_km2=area)
    except UnitError:
        return np.full(len(frame), np.nan)


def _user_discharge(atlas: Atlas, frame: pd.DataFrame, table: FlowTable, key: str) -> None:
    """Rivers take the user's discharge where it has one (width classes follow)."""
    m3s = pd.Series(frame["user_mean_m3s"].to_numpy(), index=frame[key].astype(str).to_numpy())
    m3s = m3s[~m3s.index.duplicated()].dropna()
    if m3s.empty:
        return
    period = table.period.label if table.period else ""
    names = ("rivers", "river_courses") if table.key_kind == "river" else ("rivers",)
    for name in names:
        f = atlas[name].copy()
        if "mean_discharge_m3s" not in f:
            f["mean_discharge_m3s"] = np.nan
            flow_style(f, "", "")
        new = f[key].astype(str).map(m3s)
        hit = new.notna().to_numpy()
        f.loc[hit, "mean_discharge_m3s"] = new[hit]
        f.loc[hit, "flow_period"] = period
        f.loc[hit, "flow_source"] = table.name
        f["flow_status"] = np.where(f["mean_discharge_m3s"].notna(), FIGURE, NO_FIGURE)
        f["width_class"] = classify(f["mean_discharge_m3s"], FLOW_WIDTH)
        atlas.layers[name].frame = f


def _user_figures(atlas: Atlas, table: FlowTable) -> None:
    """The user's figures as rows of the ``flows`` table (created if missing)."""
    from layers.atlas import Layer

    t = table.frame
    p = table.period
    rows = figures(
        subject=t["key"],
        subject_kind=table.key_kind,
        subject_id=t["key"],
        river_id=t["key"] if table.key_kind == "river" else "",
        quantity=table.value_column,
        value=t["value"],
        unit=table.unit.name,
        source=table.name,
        note=[
            f"row {r}" + ("" if s == FIGURE else f", {s}")
            for r, s in zip(t["row"], t["status"], strict=True)
        ],
        start=[p.start if p else None] * len(t),
        end=[p.end if p else None] * len(t),
    )
    if "flows" in atlas:
        atlas.layers["flows"].frame = pd.concat([atlas["flows"], rows], ignore_index=True)
    else:
        about = (atlas.sources.about("flows"),)
        atlas.add(Layer("flows", "Flow figures", rows, "Flow figures.", about))
