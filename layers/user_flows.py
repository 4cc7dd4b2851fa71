"""Analysts' own flow tables: read, checked, joined to the layer their keys name (river,
crossing, basin or reach), with a report in ``atlas.notes`` and rows in ``flows``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import FlowTableError, UnitError
from layers.figures import figures, name_index
from layers.flowtables import FlowTable, read_flow_table
from layers.joins import FIGURE, NO_FIGURE, JoinPolicy, join_values
from layers.published import flow_style
from layers.styles import FLOW_WIDTH, classify
from layers.units import M3S, convert

if TYPE_CHECKING:
    from layers.atlas import Atlas

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
    elif table.key_kind == "crossing":
        alias = crossing_aliases(atlas["crossings"])
        keys = table.frame["key"].astype(str)
        table = replace(table, frame=table.frame.assign(key=keys.map(alias).fillna(keys)))
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


def crossing_aliases(crossings: pd.DataFrame) -> dict[str, str]:
    """Each river's own crossing id -> the id of the place (``ili-1`` -> ``tekes-1``)."""
    if "crossing_ids" not in crossings:
        return {}
    return {
        own: cid
        for cid, owns in zip(crossings["crossing_id"], crossings["crossing_ids"], strict=True)
        for own in str(owns).split(", ")
    }


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
) -> FlowTable:
    """Read and check an analyst's flow table before anything else is computed (fail early).

    ``period``: the period the figures cover as an ISO interval ``2025-01-01/2025-06-30``
    (or ``DD.MM.YYYY/DD.MM.YYYY``); ``policy.bad_values`` also decides whether a cell that is
    not a number stops the reading.
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
