"""Joining a table of figures to geometries by key, with a report of everything that did not fit.

:func:`join_values` returns the geometries with the value attached and a :class:`JoinReport`
listing: the table rows matched, keys in the table with no geometry, geometries with no value,
duplicate keys, negative values, missing values and cells that are not numbers. For each
category the caller chooses ``"error"`` (raise :class:`FlowTableError` with a one-line message)
or ``"warning"`` (keep going and list it in the report); the defaults make duplicates and
unparseable values errors. Nothing is dropped without appearing in the report, and a geometry
without a figure gets NaN and the status ``"no figure"``, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from geo import numeric
from geo.errors import FlowTableError
from layers.cells import parse_numbers
from layers.flowtables import FlowTable

FIGURE = "figure"
NO_FIGURE = "no figure"
CHOICES = ("error", "warning")
#: ``negative`` may also be ``"allow"``: for quantities that can be negative (P − ET, ΔS)
NEGATIVE_CHOICES = (*CHOICES, "allow")


@dataclass(frozen=True)
class JoinPolicy:
    """What each report category is: ``"error"`` or ``"warning"``."""

    duplicates: str = "error"
    bad_values: str = "error"
    negative: str = "warning"
    missing: str = "warning"
    unmatched: str = "warning"
    no_value: str = "warning"

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            ok = NEGATIVE_CHOICES if f.name == "negative" else CHOICES
            if v not in ok:
                raise FlowTableError(f"join policy {f.name}={v!r}; accepted: {', '.join(ok)}")

    def kwargs(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class JoinReport:
    """What a join did. Table entries are ``(row, key, …)``; ``row`` as the user sees it.

    ``duplicates``: ``(key, rows)`` with the first row used and the others ignored;
    ``negative``/``not_numbers``: ``(row, key, text)``; ``missing``: ``(row, key)``, of which
    ``markers`` ``(row, key, text)`` held a nodata marker (:mod:`geo.numeric`);
    ``unmatched``: ``(row, key)`` of table rows with no geometry; ``no_value``: geometry keys
    left without a figure (each named once; ``no_value_geometries`` counts the geometries).
    """

    what: str
    table_rows: int = 0
    matched: list[tuple[int, str]] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    no_value: list[str] = field(default_factory=list)
    no_value_geometries: int = 0
    duplicates: list[tuple[str, list[int]]] = field(default_factory=list)
    negative: list[tuple[int, str, str]] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)
    markers: list[tuple[int, str, str]] = field(default_factory=list)
    not_numbers: list[tuple[int, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as text lines for the user (one summary, then one line per category)."""
        out = [
            f"{self.what}: {len(self.matched)} of {self.table_rows} table row(s) matched a geometry"
        ]
        if self.unmatched:
            out.append(
                f"{self.what}: {len(self.unmatched)} key(s) in the table with no geometry: "
                + _list(f"{k!r} (row {r})" for r, k in self.unmatched)
            )
        if self.no_value:
            out.append(
                f"{self.what}: {self.no_value_geometries} geometr(y/ies) with no value "
                "(no figure): " + _list(repr(k) for k in self.no_value)
            )
        if self.duplicates:
            out.append(
                f"{self.what}: {len(self.duplicates)} duplicate key(s), first row used: "
                + _list(f"{k!r} (rows {', '.join(map(str, rows))})" for k, rows in self.duplicates)
            )
        if self.negative:
            out.append(
                f"{self.what}: {len(self.negative)} negative value(s): "
                + _list(f"{k!r} = {t} (row {r})" for r, k, t in self.negative)
            )
        if self.missing:
            out.append(
                f"{self.what}: {len(self.missing)} missing value(s), shown as no figure: "
                + _list(f"{k!r} (row {r})" for r, k in self.missing)
            )
        if self.markers:
            out.append(
                f"{self.what}: {len(self.markers)} nodata marker(s) read as missing: "
                + _list(f"{k!r} = {t!r} (row {r})" for r, k, t in self.markers)
            )
        if self.not_numbers:
            out.append(
                f"{self.what}: {len(self.not_numbers)} value(s) not a number, shown as no "
                "figure: " + _list(f"{k!r} = {t!r} (row {r})" for r, k, t in self.not_numbers)
            )
        return out


def _list(items, limit: int = 8) -> str:
    items = list(items)
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def join_values(
    geoms_frame: pd.DataFrame,
    geom_key: str,
    table: pd.DataFrame | FlowTable,
    table_key: str = "key",
    value_col: str = "value",
    *,
    duplicates: str = "error",
    bad_values: str = "error",
    negative: str = "warning",
    missing: str = "warning",
    unmatched: str = "warning",
    no_value: str = "warning",
    out_col: str | None = None,
    status_col: str = "flow_status",
    what: str = "",
    row_col: str | None = "row",
    carry: tuple[str, ...] = (),
    label_col: str | None = None,
) -> tuple[pd.DataFrame, JoinReport]:
    """Attach ``table[value_col]`` to ``geoms_frame`` by ``geom_key`` == ``table_key``.

    Keys compare as stripped text (``40000123.0`` matches ``40000123``). Many geometries may
    share a key (a river's pieces); a key repeated in the table is a duplicate. Values may be
    numbers or text (decimal comma or point). Returns a copy of ``geoms_frame`` with
    ``out_col`` (default ``value_col``; float, NaN where there is no figure) and ``status_col``
    (``"figure"`` / ``"no figure"``), plus the table's ``carry`` columns of the matched row
    (missing where nothing matched), and the :class:`JoinReport`, which names geometries by
    ``label_col`` (default: their key). ``negative="allow"`` accepts negative values without
    listing them (P − ET). Raises
    :class:`FlowTableError` for the first category set to ``"error"`` that has entries.
    """
    JoinPolicy(duplicates, bad_values, negative, missing, unmatched, no_value)
    rows = _table_rows(table, table_key, value_col, row_col, carry)
    what = what or _what(table, table_key)
    report = JoinReport(what, table_rows=len(rows))
    rows = _check_values(rows, report, bad_values=bad_values, negative=negative, missing=missing)
    rows = _check_duplicates(rows, report, duplicates)
    out = _attach(
        geoms_frame, geom_key, rows, report, out_col or value_col, status_col, carry, label_col
    )
    _check_matches(report, unmatched=unmatched, no_value=no_value)
    return out, report


def _what(table: pd.DataFrame | FlowTable, table_key: str) -> str:
    if isinstance(table, FlowTable):
        return f"{table.name} (key {table.key_column!r}, value {table.value_column!r})"
    return f"table (key {table_key!r})"


def _table_rows(
    table: pd.DataFrame | FlowTable,
    table_key: str,
    value_col: str,
    row_col: str | None,
    carry: tuple[str, ...],
) -> pd.DataFrame:
    """The table as ``key, value, status, text, row`` (values parsed, statuses set) and the
    ``carry`` columns."""
    if isinstance(table, FlowTable):
        cols = ["key", "value", "status", "text", "row", *carry]
        return table.frame[cols].reset_index(drop=True)
    for col in (table_key, value_col, *carry):
        if col not in table.columns:
            raise FlowTableError(
                f"table: no column {col!r}; columns are: {', '.join(map(str, table.columns))}"
            )
    numbers = parse_numbers(table[value_col])
    has_rows = row_col is not None and row_col in table.columns
    return pd.DataFrame(
        {
            "key": key_text(table[table_key]),
            "value": numbers.values,
            "status": numbers.status,
            "text": numbers.text,
            "row": table[row_col].to_numpy() if has_rows else np.arange(len(table)) + 1,
            **{c: table[c].to_numpy() for c in carry},
        }
    )


def key_text(keys: pd.Series) -> np.ndarray:
    """Keys as comparable text: stripped, integral numbers without ``.0``."""
    text = pd.Series(keys).astype("string").fillna("").str.strip()
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True).to_numpy(dtype=object)


def _fail(what: str, message: str, option: str) -> FlowTableError:
    flag = "--on-" + option.replace("_", "-")
    return FlowTableError(
        f"{what}: {message}; to keep going with a report use {flag} warning "
        f"(API: {option}='warning')"
    )


def _check_values(
    rows: pd.DataFrame, report: JoinReport, *, bad_values: str, negative: str, missing: str
) -> pd.DataFrame:
    status = rows["status"].to_numpy()
    bad = rows.loc[status == "not a number"]
    report.not_numbers = list(zip(bad["row"], bad["key"], bad["text"], strict=True))
    if report.not_numbers and bad_values == "error":
        r, k, t = report.not_numbers[0]
        why = numeric.parse_numbers(pd.Series([t], dtype=object)).why(0)
        raise _fail(report.what, f"row {r}, key {k!r}: {why}", "bad_values")
    gone = rows.loc[status == "missing"]
    report.missing = list(zip(gone["row"], gone["key"], strict=True))
    marked = gone.loc[gone["text"].astype(str).str.strip() != ""]
    report.markers = list(zip(marked["row"], marked["key"], marked["text"], strict=True))
    if report.missing and missing == "error":
        r, k = report.missing[0]
        t = str(gone["text"].iloc[0]).strip()
        why = f"no value ({t!r} is a nodata marker)" if t else "no value"
        raise _fail(report.what, f"row {r}, key {k!r}: {why}", "missing")
    neg = rows.loc[(rows["value"].to_numpy() < 0) & (negative != "allow")]
    report.negative = list(zip(neg["row"], neg["key"], neg["text"], strict=True))
    if report.negative and negative == "error":
        r, k, t = report.negative[0]
        raise _fail(report.what, f"row {r}, key {k!r}: negative value {t}", "negative")
    return rows


def _check_duplicates(rows: pd.DataFrame, report: JoinReport, policy: str) -> pd.DataFrame:
    dup = rows["key"].duplicated(keep=False).to_numpy()
    if dup.any():
        groups = rows.loc[dup].groupby("key", sort=False)["row"].agg(list)
        report.duplicates = [(str(k), [int(r) for r in v]) for k, v in groups.items()]
        if policy == "error":
            k, rs = report.duplicates[0]
            raise _fail(
                report.what,
                f"key {k!r} appears {len(rs)} times (rows {', '.join(map(str, rs))})",
                "duplicates",
            )
    return rows.loc[~rows["key"].duplicated(keep="first").to_numpy()]


def _attach(
    geoms_frame: pd.DataFrame,
    geom_key: str,
    rows: pd.DataFrame,
    report: JoinReport,
    out_col: str,
    status_col: str,
    carry: tuple[str, ...],
    label_col: str | None,
) -> pd.DataFrame:
    if geom_key not in geoms_frame.columns:
        raise FlowTableError(
            f"{report.what}: the geometries have no key column {geom_key!r}; columns are: "
            + ", ".join(map(str, geoms_frame.columns))
        )
    gkeys = key_text(geoms_frame[geom_key])
    lookup = pd.Index(rows["key"].to_numpy())
    pos = lookup.get_indexer(gkeys)
    hit = pos >= 0
    # an empty table (no row for the rivers asked for) gives "no figure" everywhere
    table = np.r_[rows["value"].to_numpy(dtype=float), np.nan]
    values = table[np.where(hit, pos, len(rows))]
    out = geoms_frame.copy()
    out[out_col] = values
    out[status_col] = np.where(np.isnan(values), NO_FIGURE, FIGURE)
    for c in carry:
        taken = rows[c].reset_index(drop=True).reindex(np.where(hit, pos, -1))
        out[c] = taken.to_numpy()
    used = np.isin(rows["key"].to_numpy(), gkeys)
    report.matched = list(zip(rows["row"][used], rows["key"][used], strict=True))
    report.unmatched = list(zip(rows["row"][~used], rows["key"][~used], strict=True))
    labels = gkeys if label_col is None else key_text(geoms_frame[label_col])
    report.no_value = [str(k) for k in pd.unique(labels[np.isnan(values)])]
    report.no_value_geometries = int(np.isnan(values).sum())
    return out


def _check_matches(report: JoinReport, *, unmatched: str, no_value: str) -> None:
    if report.unmatched and unmatched == "error":
        r, k = report.unmatched[0]
        raise _fail(report.what, f"row {r}: key {k!r} matches no geometry", "unmatched")
    if report.no_value and no_value == "error":
        raise _fail(
            report.what,
            f"{report.no_value_geometries} geometries have no value "
            f"(first: {report.no_value[0]!r})",
            "no_value",
        )
