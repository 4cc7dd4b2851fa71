"""Analysts' own flow tables: read, checked, joined to the layer their keys name (river,
crossing, basin or reach), with a report in ``atlas.notes`` and rows in ``flows``.

Any number of tables can be joined to one Atlas; each keeps its own columns on its layer,
named by the table's prefix (``user`` for the first, ``user_2``, ``user_3`` … or
``user_<id>`` when the table is given an id): ``<prefix>_value``, ``_unit``, ``_mean_m3s``,
``_status``, ``_period``, ``_source``. Published figures are never overwritten: the analyst's
stand beside them. Where a figure applies to a place (a crossing) or a reach, the traced
reaches' discharge follows it (:mod:`layers.discharge`); a figure keyed by river applies to
the river as a whole and stays on ``river_courses``. Two tables that give the same key
different values over overlapping periods are both kept and the conflict is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import FlowTableError, UnitError
from layers.basins import basin_id_column
from layers.figures import figures, name_index
from layers.flowtables import FlowTable, read_flow_table
from layers.joins import FIGURE, JoinPolicy, join_values
from layers.units import M3S, Period, convert

if TYPE_CHECKING:
    from layers.atlas import Atlas

#: key kind -> (layer, key column) an analyst's table joins to
USER_TARGETS = {
    "river": ("river_courses", "river_id"),
    "crossing": ("crossings", "crossing_id"),
    "basin": ("basins", "WATERSHED_ID"),
    "reach": ("network", "reach_id"),
}
#: the columns each table adds to its layer, after its prefix
USER_SUFFIXES = ("value", "unit", "mean_m3s", "status", "period", "source")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class JoinedTable:
    """What one analyst table added to the Atlas: its ``prefix`` (column names), the layer and
    key it joined on, how many rows matched, and the table itself (keys resolved to ids)."""

    prefix: str
    layer: str
    key: str
    table: FlowTable
    matched: int

    @property
    def name(self) -> str:
        return self.table.name

    def column(self, suffix: str) -> str:
        return f"{self.prefix}_{suffix}"


def table_prefix(atlas: Atlas, table_id: str | None = None) -> str:
    """Column prefix for the next table: ``user``, ``user_2`` … or ``user_<id>``."""
    taken = {t.prefix for t in atlas.flow_tables}
    if table_id:
        if not _ID.match(table_id):
            raise FlowTableError(
                f"table id {table_id!r}; accepted: lower-case letters, digits and '_', "
                "starting with a letter"
            )
        prefix = f"user_{table_id}"
        if prefix in taken:
            raise FlowTableError(f"table id {table_id!r} is used by two tables; ids must be unique")
        return prefix
    n = len(atlas.flow_tables) + 1
    prefix = "user" if n == 1 else f"user_{n}"
    while prefix in taken:
        n += 1
        prefix = f"user_{n}"
    return prefix


def attach_user_flows(
    atlas: Atlas,
    table: FlowTable,
    policy: JoinPolicy | None = None,
    *,
    table_id: str | None = None,
) -> JoinedTable:
    """Join an analyst's flow table to the layer its keys name; the report goes to notes.

    ``river`` keys (ids, or names in any language) join to ``river_courses``; ``crossing``
    (a place's id or any river's own id for it) to ``crossings``; ``basin`` (the basins' id
    column: WATERSHED_ID or HYBAS_ID) to ``basins``; ``reach`` (HYRIV_ID, e.g. a
    ``DIS_AV_CMS`` table) to the ``network`` (every reach; the report counts against it).
    The layer gains the table's columns (see the module docstring); ``<prefix>_mean_m3s`` is
    NaN where the unit cannot become m³/s (a volume without a period, a depth without a
    basin area). The figures are added to ``flows``; crossing and reach figures become
    candidates for the traced reaches' discharge. Raises FlowTableError for a report category
    set to ``"error"``. Returns what was joined (also kept in ``atlas.flow_tables``).
    """
    policy = policy or JoinPolicy()
    prefix = table_prefix(atlas, table_id)
    layer, key = USER_TARGETS[table.key_kind]
    if table.key_kind == "basin":
        key = basin_id_column(atlas["basins"], str(atlas.sources.path("basins")))
    table = _resolve_keys(atlas, table)
    frame, report = join_values(
        atlas[layer],
        key,
        table,
        out_col=f"{prefix}_value",
        status_col=f"{prefix}_status",
        what=f"{table.name} -> {layer}",
        **policy.kwargs(),
    )
    has = frame[f"{prefix}_status"] == FIGURE
    frame[f"{prefix}_unit"] = np.where(has, table.unit.name, "")
    frame[f"{prefix}_mean_m3s"] = _user_m3s(frame, table, f"{prefix}_value")
    frame[f"{prefix}_period"] = np.where(has, table.period.label if table.period else "", "")
    frame[f"{prefix}_source"] = np.where(has, table.name, "")
    atlas.layers[layer].frame = frame
    joined = JoinedTable(prefix, layer, key, table, len(report.matched))
    notes = report.lines() + list(table.notes) + conflicts(joined, atlas.flow_tables)
    if table.key_kind == "river":
        notes.append(
            f"{table.name}: figures keyed by river apply to each river as a whole: they are "
            f"shown with the river ({layer}, popups), not as the discharge of its reaches "
            "(key them by crossing or reach for that)"
        )
    atlas.notes.extend(notes)
    atlas.flow_tables.append(joined)
    _user_figures(atlas, joined)
    _user_discharge(atlas, joined, frame)
    return joined


def _resolve_keys(atlas: Atlas, table: FlowTable) -> FlowTable:
    """River names (any language) -> river ids; a river's own crossing id -> the place's."""
    keys = table.frame["key"].astype(str)
    if table.key_kind == "river":
        index = name_index(atlas)
        ids = [index.get(k.casefold(), ("", k))[1] for k in keys]
        return replace(table, frame=table.frame.assign(key=ids))
    if table.key_kind == "crossing":
        alias = crossing_aliases(atlas["crossings"])
        return replace(table, frame=table.frame.assign(key=keys.map(alias).fillna(keys)))
    return table


def crossing_aliases(crossings: pd.DataFrame) -> dict[str, str]:
    """Each river's own crossing id -> the id of the place (``ili-1`` -> ``tekes-1``)."""
    if "crossing_ids" not in crossings:
        return {}
    return {
        own: cid
        for cid, owns in zip(crossings["crossing_id"], crossings["crossing_ids"], strict=True)
        for own in str(owns).split(", ")
    }


def conflicts(new: JoinedTable, earlier: list[JoinedTable]) -> list[str]:
    """One line per key that ``new`` and an earlier table of the same key kind give different
    values for over overlapping periods (compared as m³/s where both convert, else as the
    values in the same unit); both figures stay."""
    lines = []
    a = _comparable(new.table)
    for old in earlier:
        if old.table.key_kind != new.table.key_kind or not _overlap(new.table, old.table):
            continue
        b = _comparable(old.table)
        if a is None or b is None or a[1] != b[1]:
            continue
        m = a[0].merge(b[0], on="key", suffixes=("_new", "_old"))
        m = m.loc[~np.isclose(m["v_new"], m["v_old"], rtol=1e-6, atol=0.0)]
        if m.empty:
            continue
        shown = "; ".join(
            f"{k!r}: {x:g} against {y:g} {a[1]}"
            for k, x, y in zip(m["key"][:8], m["v_new"][:8], m["v_old"][:8], strict=True)
        )
        more = f" (+{len(m) - 8} more)" if len(m) > 8 else ""
        lines.append(
            f"{new.name} and {old.name}: {len(m)} key(s) with different figures over "
            f"overlapping periods ({_label(new.table)} and {_label(old.table)}), both kept: "
            f"{shown}{more}"
        )
    return lines


def _label(t: FlowTable) -> str:
    return t.period.label if t.period else "no period"


def _overlap(a: FlowTable, b: FlowTable) -> bool:
    if a.period is None or b.period is None:
        return a.period is None and b.period is None
    return a.period.start <= b.period.end and b.period.start <= a.period.end


def _comparable(t: FlowTable) -> tuple[pd.DataFrame, str] | None:
    """The table's figures as ``key, v`` in m³/s where its unit converts, else in its unit."""
    f = t.frame.loc[t.frame["status"] == FIGURE, ["key", "value"]]
    f = f.drop_duplicates("key")
    try:
        v = convert(f["value"].to_numpy(), t.unit, M3S, period=t.period)
        return f.assign(v=v)[["key", "v"]], "m³/s"
    except UnitError:
        return f.rename(columns={"value": "v"}), t.unit.label


def read_user_flow_file(
    path: str | Path,
    *,
    key: str,
    value: str,
    unit: str,
    key_kind: str = "river",
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
    atlas: Atlas,
    path: str | Path,
    *,
    policy: JoinPolicy | None = None,
    table_id: str | None = None,
    **options,
) -> JoinedTable:
    """Read an analyst's flow table and join it (:func:`read_user_flow_file` then
    :func:`attach_user_flows`); ``options`` as for :func:`read_user_flow_file`.
    """
    table = read_user_flow_file(path, policy=policy, **options)
    return attach_user_flows(atlas, table, policy, table_id=table_id)


def _interval(text: str | None, source: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    parts = str(text).split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise FlowTableError(
            f"{source}: period {text!r}; accepted: START/END such as 2025-01-01/2025-06-30"
        )
    return parts[0].strip(), parts[1].strip()


def _user_m3s(frame: pd.DataFrame, table: FlowTable, column: str) -> np.ndarray:
    area = frame["area_km2"].to_numpy(float) if "area_km2" in frame else None
    try:
        return convert(frame[column], table.unit, M3S, period=table.period, area_km2=area)
    except UnitError:
        return np.full(len(frame), np.nan)


def _user_discharge(atlas: Atlas, joined: JoinedTable, frame: pd.DataFrame) -> None:
    """Crossing and reach figures become candidates for the reaches' discharge."""
    from layers.reach_figures import apply_discharge, with_points, with_reaches

    if atlas.discharge is None or joined.table.key_kind not in ("crossing", "reach"):
        return
    m3s = frame[joined.column("mean_m3s")].to_numpy(float)
    ok = np.isfinite(m3s) & (m3s >= 0)
    if not ok.any():
        return
    f = frame.loc[ok]
    period = joined.table.period.label if joined.table.period else ""
    note = f"{joined.table.value_column} from {joined.name}"
    if joined.table.key_kind == "crossing":
        per = atlas.traced.crossing_rivers.merge(
            pd.DataFrame({"crossing_id": f["crossing_id"], "m3s": m3s[ok]}), on="crossing_id"
        )
        points = pd.DataFrame(
            {
                "river_id": per["river_id"],
                "km": per["km_from_source"].astype(float),
                "m3s": per["m3s"],
                "kind": "crossing",
                "period": period,
                "source": joined.name,
                "note": [f"{note} at crossing {c}" for c in per["crossing_id"]],
                "from_id": per["crossing_id"],
            }
        )
        figs = with_points(atlas.discharge, points)
    else:
        reaches = pd.DataFrame(
            {
                "reach_id": f["reach_id"].to_numpy(),
                "m3s": m3s[ok],
                "kind": "reach",
                "period": period,
                "source": joined.name,
                "note": f"{note} for the reach",
                "from_id": f["reach_id"].astype(str).to_numpy(),
            }
        )
        figs = with_reaches(atlas.discharge, reaches)
    apply_discharge(atlas, figs)


def _user_figures(atlas: Atlas, joined: JoinedTable) -> None:
    """The table's figures as rows of the ``flows`` table (created if missing)."""
    from layers.atlas import Layer

    table = joined.table
    t = table.frame
    p: Period | None = table.period
    rivers = _river_of(atlas, joined, t["key"])
    rows = figures(
        subject=t["key"],
        subject_kind=table.key_kind,
        subject_id=t["key"],
        river_id=rivers,
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


def _river_of(atlas: Atlas, joined: JoinedTable, keys: pd.Series) -> np.ndarray:
    """The river id each key belongs to ("" where none): the key itself for rivers, the
    crossing's or the reach's river otherwise."""
    kind = joined.table.key_kind
    if kind == "river":
        return keys.astype(str).to_numpy(object)
    if kind in ("crossing", "reach"):
        layer = atlas[joined.layer]
        lookup = pd.Series(
            layer["river_id"].astype(str).to_numpy(), index=layer[joined.key].astype(str).to_numpy()
        )
        lookup = lookup[~lookup.index.duplicated()]
        return keys.astype(str).map(lookup).fillna("").to_numpy(object)
    return np.full(len(keys), "", dtype=object)
