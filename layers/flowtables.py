"""Flow tables: an analyst's own table, and the embedded tables read as their authors wrote them.

- :func:`read_flow_table` reads an analyst's table (CSV, Excel, Parquet; see
  :mod:`layers.rawtable`), with the key and value columns, the key's kind and the unit named by
  the user;
- the embedded tables: ``seed_flows.csv`` (the 2025 article's figures) and the portal's monthly
  basin tables (``wh_water_balance_gleam.csv``, ``wh_precip_mswep.csv``: decimal commas
  ``"29,70"``, dates ``DD.MM.YYYY``, keyed by ``WATERSHED_ID``).

Cells go through the parsers of :mod:`layers.cells` (decimal comma or point detected per
column); every error is one line naming the file, the row, the column and the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import FlowTableError, UnitError
from geo.numeric import marker_note
from layers.cells import parse_dates, parse_keys, parse_numbers, raise_bad_numbers
from layers.rawtable import RawTable, read_raw_table
from layers.units import M3S, Period, Unit, convert, parse_unit

#: what a key column may identify, and the spellings accepted for it
KEY_KINDS: dict[str, str] = {
    "river": "river",
    "river_id": "river",
    "crossing": "crossing",
    "crossing_id": "crossing",
    "basin": "basin",
    "basin_id": "basin",
    "watershed_id": "basin",
    "reach": "reach",
    "reach_id": "reach",
    "hyriv_id": "reach",
}


# --------------------------------------------------------------------------- analysts' tables


@dataclass(frozen=True)
class FlowTable:
    """An analyst's flow table, parsed.

    ``frame`` columns: ``key`` (text), ``value`` (float, NaN where there is no figure),
    ``status`` (``figure``, ``missing`` or ``not a number``), ``text`` (the cell as written),
    ``row`` (row number in the file) and, when a date column was named, ``date``.
    ``key_kind`` is ``river``, ``crossing``, ``basin`` or ``reach``; ``period`` the period the
    figures cover (needed to turn volumes into mean m³/s).
    """

    frame: pd.DataFrame
    source: str
    key_column: str
    value_column: str
    key_kind: str
    unit: Unit
    period: Period | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return Path(self.source).name

    def mean_m3s(self) -> np.ndarray:
        """The values as mean discharge in m³/s; raises UnitError when that needs a period or
        an area that the table does not have."""
        try:
            return convert(self.frame["value"].to_numpy(), self.unit, M3S, period=self.period)
        except UnitError as e:
            raise UnitError(f"{self.source}, column {self.value_column!r}: {e}") from None


def parse_key_kind(text: str, *, where: str = "key kind") -> str:
    kind = KEY_KINDS.get(str(text).strip().lower())
    if kind is None:
        accepted = "river, crossing, basin (WATERSHED_ID), reach (HYRIV_ID)"
        raise FlowTableError(f"{where}: unknown key kind {text!r}; accepted: {accepted}")
    return kind


def read_flow_table(
    path: str | Path,
    *,
    key: str,
    value: str,
    unit: str,
    key_kind: str,
    period_start: str | dt.date | None = None,
    period_end: str | dt.date | None = None,
    sheet: str | int | None = None,
    date: str | None = None,
    encoding: str | None = None,
    bad_values: str = "error",
    skip_rows: int = 0,
) -> FlowTable:
    """Read an analyst's flow table (CSV/TSV, .xlsx, Parquet) keyed by river, crossing, basin
    or reach id.

    ``key``/``value``: column names; ``unit``: the value's unit (see :mod:`layers.units`);
    ``period_start``/``period_end``: the period the figures cover (ISO or ``DD.MM.YYYY``);
    ``date``: an optional column of row dates; ``bad_values``: ``"error"`` (default) raises at
    the first cell that is not a number, ``"warning"`` keeps it as "no figure" for the join
    report; ``skip_rows``: rows above the header to leave out (a title row). Cells are read
    by the rule of :mod:`geo.numeric` (nodata markers are missing, non-finite numbers bad).
    Raises FlowTableError / UnitError / DataSourceError with one-line messages.
    """
    kind = parse_key_kind(key_kind, where=f"{path}: key kind")
    u = parse_unit(unit, where=f"{path}: unit of column {value!r}")
    period = _period(period_start, period_end, str(path))
    _check_choice(bad_values, "bad_values", str(path))
    raw = read_raw_table(path, sheet=sheet, encoding=encoding, skip_rows=skip_rows)
    raw.require({"key": key, "value": value, **({"date": date} if date else {})})
    keys = parse_keys(raw.frame[key], raw, key)
    numbers = parse_numbers(raw.frame[value])
    if bad_values == "error":
        raise_bad_numbers(numbers, raw, value)
    frame = pd.DataFrame(
        {
            "key": keys,
            "value": numbers.values,
            "status": numbers.status,
            "text": numbers.text,
            "row": raw.rows,
        }
    )
    if date:
        frame["date"] = parse_dates(raw.frame[date], raw, date)
    notes = (
        (f"{raw.source}: {raw.skipped_blank} empty row(s) skipped",) if raw.skipped_blank else ()
    )
    return FlowTable(frame, raw.source, key, value, kind, u, period, notes)


def _period(start: object, end: object, source: str) -> Period | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise FlowTableError(f"{source}: give both the period start and end, or neither")
    try:
        return Period.parse(start, end)
    except UnitError as e:
        raise FlowTableError(f"{source}: {e}") from None


def _check_choice(value: str, name: str, source: str) -> None:
    if value not in ("error", "warning"):
        raise FlowTableError(f"{source}: {name}={value!r}; accepted: error, warning")


# --------------------------------------------------------------------------- embedded tables

SEED_COLUMNS = (
    "subject",
    "quantity",
    "value",
    "unit",
    "period_start",
    "period_end",
    "place",
    "note",
    "source",
)


def read_seed_flows(path: str | Path) -> pd.DataFrame:
    """The published figures table (``seed_flows.csv`` layout), one row per figure.

    Columns: the file's, with ``value`` as float, ``unit`` as the canonical unit name,
    ``period_start``/``period_end`` as dates (``None`` where the file leaves them empty) and
    ``row``. Every value must be a number and every unit known.
    """
    raw = read_raw_table(path)
    raw.require({c: c for c in SEED_COLUMNS})
    numbers = parse_numbers(raw.frame["value"])
    raise_bad_numbers(numbers, raw, "value")
    missing = np.flatnonzero(numbers.status == "missing")
    if missing.size:
        i = int(missing[0])
        why = numbers.why(i) if numbers.marker[i] else "empty"
        raise FlowTableError(f"{raw.where(i, 'value')}: {why}; every figure needs a value")
    out = raw.frame[list(SEED_COLUMNS)].astype("string").fillna("").apply(lambda c: c.str.strip())
    out = out.astype(object)
    out["value"] = numbers.values
    out["unit"] = [
        parse_unit(u, where=raw.where(i, "unit")).name for i, u in enumerate(out["unit"])
    ]
    for col in ("period_start", "period_end"):
        out[col] = _optional_dates(raw, col)
    out["row"] = raw.rows
    return out


def _optional_dates(raw: RawTable, column: str) -> list[dt.date | None]:
    cells = raw.frame[column].astype("string").fillna("").str.strip()
    given = (cells != "").to_numpy()
    dates = np.full(len(cells), None, dtype=object)
    if given.any():
        sub = RawTable(raw.frame.loc[given].reset_index(drop=True), raw.rows[given], raw.source)
        parsed = parse_dates(sub.frame[column], sub, column)
        dates[given] = [d.item() for d in parsed]
    return list(dates)


#: the portal's monthly basin tables: file column -> product column (values in mm)
WATER_BALANCE_COLUMNS = {
    "Precipitation": "precipitation_mm",
    "Evapotranspiration": "evapotranspiration_mm",
    "Water_Balance_delta_S": "delta_s_mm",
}
PRECIPITATION_COLUMNS = {"P_MSWEP": "precipitation_mswep_mm"}


def read_monthly_basin_table(
    path: str | Path,
    columns: dict[str, str],
    *,
    key: str = "WATERSHED_ID",
    date: str = "Date",
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """A monthly table keyed by basin and date, as the portal writes it.

    Returns ``WATERSHED_ID``, ``date`` (``datetime64[D]``), ``year``, ``month``, one float
    column per entry of ``columns`` (renamed) and ``row``. Every value must be a number (decimal
    comma or point) or missing (empty, a nodata marker: NaN, no figure, named in ``notes``),
    every date real, and each (basin, date) pair unique.
    """
    raw = read_raw_table(path)
    raw.require({"key": key, "date": date, **{f"value ({c})": c for c in columns}})
    out = pd.DataFrame({key: parse_keys(raw.frame[key], raw, key)})
    dates = parse_dates(raw.frame[date], raw, date)
    out["date"] = dates
    out["year"] = dates.astype("datetime64[Y]").astype(int) + 1970
    out["month"] = dates.astype("datetime64[M]").astype(int) % 12 + 1
    for src, dst in columns.items():
        numbers = parse_numbers(raw.frame[src])
        raise_bad_numbers(numbers, raw, src)
        out[dst] = numbers.values
        note = marker_note(raw.source, src, numbers, raw.rows, "no figure for those months")
        if note and notes is not None:
            notes.append(note)
    out["row"] = raw.rows
    dup = out.duplicated([key, "date"], keep=False).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[1])
        raise FlowTableError(
            f"{raw.where(i, date)}: {out[key].iloc[i]} {raw.frame[date].iloc[i]} appears "
            "more than once; each basin needs one row per month"
        )
    return out


def read_water_balance(path: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """``wh_water_balance_gleam.csv``: monthly P, ET and ΔS in mm per watershed."""
    return read_monthly_basin_table(path, WATER_BALANCE_COLUMNS, notes=notes)


def read_precipitation(path: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """``wh_precip_mswep.csv``: monthly MSWEP precipitation in mm per watershed."""
    return read_monthly_basin_table(path, PRECIPITATION_COLUMNS, notes=notes)
