"""Flow tables as people write them: CSV (any delimiter, decimal comma or point), Excel, Parquet.

Two kinds of reader share the same cell parsers:

- the embedded tables, read exactly as their authors wrote them: ``seed_flows.csv`` (the 2025
  article's figures) and the portal's monthly basin tables (``wh_water_balance_gleam.csv``,
  ``wh_precip_mswep.csv``: decimal commas ``"29,70"``, dates ``DD.MM.YYYY``, keyed by
  ``WATERSHED_ID``);
- :func:`read_flow_table` for an analyst's own table, with the key and value columns, the key's
  kind and the unit named by the user.

Text encoding: UTF-8 with or without a byte-order mark, and UTF-16 with a byte-order mark, are
recognised; any other encoding must be named (``encoding="cp1251"``) because single-byte code
pages (Latin-1, Windows-1251) decode any byte sequence and cannot be told apart reliably. A file
that is not valid UTF-8 gets a :class:`DataSourceError` naming the byte offset and the line.

Decimal separators are detected per column: a column whose numbers hold commas and no points is
read with decimal commas (``"29,70"`` -> 29.7); one with points and no commas with decimal
points; a column with both is read with thousands separators where every value fits that
pattern (``"1,234.5"`` or ``"1.234,5"``), and otherwise its values holding the minority
separator are not numbers. Spaces (also no-break spaces) inside numbers are thousands
separators. Every error is one line naming the file, the row (the header is row 1), the column
and the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo import containers, numeric
from geo.errors import DataSourceError, FlowTableError, UnitError
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

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")

_DMY = r"^\d{1,2}\.\d{1,2}\.\d{4}$"
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}$"


# --------------------------------------------------------------------------- raw tables


@dataclass
class RawTable:
    """A table's cells as read, before any parsing.

    ``frame`` holds text cells (CSV) or the spreadsheet's own cell values (Excel, Parquet);
    ``rows`` is the row number of each record as the user sees it (header = row 1 in CSV and
    Excel; the record number in Parquet); ``skipped_blank`` counts wholly empty rows left out.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    skipped_blank: int = 0
    #: added to a missing-column message (the other sheets of a workbook)
    hint: str = ""

    def where(self, i: int, column: str) -> str:
        return f"{self.source}: row {int(self.rows[i])}, column {column!r}"

    def require(self, columns: dict[str, str]) -> None:
        """Raise FlowTableError when a named column is missing (``{role: column}``)."""
        have = [str(c) for c in self.frame.columns]
        for role, col in columns.items():
            if col not in self.frame.columns:
                raise FlowTableError(
                    f"{self.source}: no {role} column {col!r}; columns are: {', '.join(have)}"
                    + (self._header_below(list(columns.values())) or self.hint)
                )

    def _header_below(self, wanted: list[str]) -> str:
        """A hint when the columns asked for appear in a row under the header (a title row
        above the real header)."""
        head = self.frame.head(10).astype("string").fillna("")
        for i, cells in enumerate(head.itertuples(index=False)):
            values = {str(c).strip() for c in cells}
            if all(w in values for w in wanted):
                line = int(self.rows[i])
                return (
                    f"; the header seems to be row {line}: skip the {line - 1} row(s) above "
                    f"it with --flow-skip-rows {line - 1}"
                )
        return ""


def read_raw_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    skip_rows: int = 0,
) -> RawTable:
    """Read a CSV/TSV, Excel (.xlsx) or Parquet file into a :class:`RawTable`.

    The file is checked first (:func:`geo.containers.check_file`: a regular, non-special file
    whose bytes are of its format; ``/vsizip/archive.zip/table.csv`` is read from the archive).
    ``skip_rows``: rows above the header to leave out (a title row), CSV and Excel.
    Raises DataSourceError (missing, unreadable, wrong format or encoding) or FlowTableError
    (empty, no data rows, a row longer than the header, a column named twice).
    """
    loc = containers.check_file(path, empty_ok=True)
    p = Path(path) if not loc.prefix else loc.text
    if skip_rows < 0:
        raise FlowTableError(f"{p}: --flow-skip-rows {skip_rows}; accepted: 0 or more rows")
    suffix = loc.suffix
    hint = ""
    if suffix in TEXT_SUFFIXES:
        frame, rows = _read_text(p, encoding, skip_rows)
    elif suffix in EXCEL_SUFFIXES:
        frame, sheets = _read_excel(p, sheet, skip_rows)
        rows = np.arange(len(frame)) + 2 + skip_rows
        if len(sheets) > 1:
            hint = f"; sheets in this workbook: {', '.join(sheets)} (choose one with --flow-sheet)"
    elif suffix in PARQUET_SUFFIXES:
        if skip_rows:
            raise FlowTableError(f"{p}: --flow-skip-rows applies to CSV and Excel tables only")
        frame = _read_parquet(p)
        rows = np.arange(len(frame)) + 1
    else:
        accepted = ", ".join(TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES)
        hint = " (save old .xls files as .xlsx or CSV)" if suffix == ".xls" else ""
        raise DataSourceError(f"{p}: unknown table format {suffix!r}; accepted: {accepted}{hint}")
    return _drop_blank(frame, rows, str(p), hint)


def _drop_blank(frame: pd.DataFrame, rows: np.ndarray, source: str, hint: str = "") -> RawTable:
    if not len(frame.columns):
        raise FlowTableError(f"{source}: no header row; a flow table needs named columns{hint}")
    names = pd.Index(map(str, frame.columns))
    if names.duplicated().any():
        twice = names[names.duplicated()][0]
        raise FlowTableError(f"{source}: column {twice!r} appears twice in the header")
    text = frame.astype("string").fillna("").apply(lambda c: c.str.strip())
    blank = (text == "").all(axis=1).to_numpy()
    kept = frame.loc[~blank].reset_index(drop=True)
    if kept.empty:
        raise FlowTableError(f"{source}: no data rows under the header{hint}")
    return RawTable(kept, np.asarray(rows)[~blank], source, int(blank.sum()), hint)


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    """Text of a file: UTF-8 (BOM or not), UTF-16 with BOM, or the encoding named."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise DataSourceError(f"{source}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise DataSourceError(
                f"{source}: not {encoding} at byte offset {e.start} (line {line})"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DataSourceError(
            f"{source}: not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}, line {line}); "
            "save it as UTF-8 or name its encoding (e.g. cp1251 for Cyrillic Windows files, "
            "latin-1)"
        ) from None


def _read_text(
    p: str | Path, encoding: str | None, skip_rows: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells as text and the file line of each record; the delimiter (tab, ``;``, ``|`` or
    ``,``) is the one the header line holds most of; ``skip_rows`` records above the header
    are left out."""
    text = decode(containers.read_bytes(p), str(p), encoding)
    if not text.strip():
        raise FlowTableError(f"{p}: the file is empty; a flow table needs a header and data rows")
    lines_after = text.splitlines()[skip_rows:]
    header_line = next((ln for ln in lines_after if ln.strip()), "")
    sep = max(("\t", ";", "|", ","), key=lambda s: (header_line.count(s), s == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True)
    header: list[str] = []
    records, lines = [], []
    try:
        for k, cells in enumerate(reader):
            if k < skip_rows:
                continue
            if header:
                records.append(cells)
                lines.append(reader.line_num)
            elif any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
    except csv.Error as e:
        raise DataSourceError(
            f"{p}: cannot be parsed as a table (line {reader.line_num}: {e})"
        ) from None
    if not header:
        raise FlowTableError(f"{p}: no header row after skipping {skip_rows} row(s)")
    n = len(header)
    long = [i for i, r in enumerate(records) if len(r) > n and any(c.strip() for c in r[n:])]
    if long:
        i = long[0]
        title = sum(1 for c in header if c) == 1
        hint = (
            f"; if the row above it is a title, skip the rows above the header with "
            f"--flow-skip-rows {lines[i] - 1}"
            if title
            else ""
        )
        raise FlowTableError(
            f"{p}: row {lines[i]} has {len(records[i])} fields but the header has {n}; check "
            f"the delimiter {sep!r} and the quoting (an unquoted decimal comma splits a "
            f"number){hint}"
        )
    cells = [(r + [""] * n)[:n] for r in records]
    return pd.DataFrame(cells, columns=header, dtype=object), np.asarray(lines, dtype=np.int64)


#: what pandas/openpyxl raise for a workbook they cannot read (the container was checked)
_EXCEL_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError)


def _read_excel(
    p: str | Path, sheet: str | int | None, skip_rows: int = 0
) -> tuple[pd.DataFrame, list[str]]:
    """The sheet's cells (the first sheet by default) and the workbook's sheet names."""
    src = io.BytesIO(containers.read_bytes(p))
    try:
        sheets = _sheet_names(src)
    except _EXCEL_ERRORS as e:
        raise DataSourceError(f"{p}: cannot be read as .xlsx ({_one_line(e)})") from None
    if sheet is not None and str(sheet) not in sheets:
        index = int(sheet) if isinstance(sheet, int) else None
        if index is None or not 0 <= index < len(sheets):
            raise FlowTableError(f"{p}: no sheet {sheet!r}; sheets are: {', '.join(sheets)}")
    name = sheets[0] if sheet is None else sheet if str(sheet) in sheets else int(sheet)
    try:
        src.seek(0)
        frame = pd.read_excel(src, sheet_name=name, dtype=object, skiprows=skip_rows)
    except _EXCEL_ERRORS as e:
        raise DataSourceError(f"{p}: cannot be read as .xlsx ({_one_line(e)})") from None
    return frame, sheets


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _sheet_names(src) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(src, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _read_parquet(p: str | Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(containers.read_bytes(p)) if isinstance(p, str) else p)
    except Exception as e:  # pyarrow raises several unrelated types for a broken file
        raise DataSourceError(f"{p}: cannot be read as Parquet ({type(e).__name__})") from None


# --------------------------------------------------------------------------- cell parsers

#: numbers of a column (decimal comma or point, nodata markers, non-finite values): the one
#: rule every input follows, see :mod:`geo.numeric`
parse_numbers = numeric.parse_numbers
Numbers = numeric.Numbers


def parse_dates(cells: pd.Series, raw: RawTable, column: str) -> np.ndarray:
    """Dates (``datetime64[D]``) from ``DD.MM.YYYY``, ``YYYY-MM-DD`` or date cells.

    Raises FlowTableError at the first cell that is missing, not a date, or not a real day
    (``31.02.2020``), naming file, row, column and value.
    """
    cells = cells.reset_index(drop=True)
    out = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[D]")
    is_date = cells.map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).to_numpy(dtype=bool)
    if is_date.any():
        out[is_date] = pd.to_datetime(cells[is_date]).to_numpy().astype("datetime64[D]")
    text = cells.astype("string").fillna("").str.strip()
    for pattern, fmt in ((_DMY, "%d.%m.%Y"), (_ISO, "%Y-%m-%d")):
        hit = text.str.match(pattern).to_numpy(dtype=bool) & ~is_date
        if hit.any():
            parsed = pd.to_datetime(text[hit], format=fmt, errors="coerce")
            out[hit] = parsed.to_numpy().astype("datetime64[D]")
    bad = np.flatnonzero(np.isnat(out))
    if bad.size:
        i = int(bad[0])
        value = text.iloc[i]
        if not value:
            why = "is empty; every row needs a date"
        elif re.match(_DMY, value) or re.match(_ISO, value):
            why = f"{value!r} is not a real day of the calendar"
        else:
            why = f"{value!r} is not a date; accepted: DD.MM.YYYY or YYYY-MM-DD"
        raise FlowTableError(f"{raw.where(i, column)}: {why}")
    return out


def parse_keys(cells: pd.Series, raw: RawTable, column: str) -> np.ndarray:
    """Key texts, stripped; integral numbers without a trailing ``.0`` (Excel ids)."""
    cells = cells.reset_index(drop=True)
    num = cells.map(numeric.is_number).to_numpy(dtype=bool)
    text = cells.astype("string").fillna("").str.strip()
    if num.any():
        f = cells[num].astype(float)
        whole = (f == np.floor(f)).to_numpy()
        as_text = np.where(whole, f.map(lambda x: f"{x:.0f}"), f.astype(str))
        text[num] = as_text
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    empty = np.flatnonzero((text == "").to_numpy())
    if empty.size:
        raise FlowTableError(f"{raw.where(int(empty[0]), column)}: empty key; every row needs one")
    return text.to_numpy(dtype=object)


def _raise_bad_numbers(numbers: Numbers, raw: RawTable, column: str) -> None:
    if numbers.bad.size:
        i = int(numbers.bad[0])
        more = f" (and {numbers.bad.size - 1} more)" if numbers.bad.size > 1 else ""
        raise FlowTableError(
            f"{raw.where(i, column)}: {numbers.why(i)}{more}; accepted: {numbers.accepted(i)}"
        )


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
        _raise_bad_numbers(numbers, raw, value)
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
    _raise_bad_numbers(numbers, raw, "value")
    missing = np.flatnonzero(numbers.status == "missing")
    if missing.size:
        raise FlowTableError(
            f"{raw.where(int(missing[0]), 'value')}: empty; every figure needs a value"
        )
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
    path: str | Path, columns: dict[str, str], *, key: str = "WATERSHED_ID", date: str = "Date"
) -> pd.DataFrame:
    """A monthly table keyed by basin and date, as the portal writes it.

    Returns ``WATERSHED_ID``, ``date`` (``datetime64[D]``), ``year``, ``month``, one float
    column per entry of ``columns`` (renamed) and ``row``. Every value must be a number (decimal
    comma or point), every date real, and each (basin, date) pair unique.
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
        _raise_bad_numbers(numbers, raw, src)
        out[dst] = numbers.values
    out["row"] = raw.rows
    dup = out.duplicated([key, "date"], keep=False).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[1])
        raise FlowTableError(
            f"{raw.where(i, date)}: {out[key].iloc[i]} {raw.frame[date].iloc[i]} appears "
            "more than once; each basin needs one row per month"
        )
    return out


def read_water_balance(path: str | Path) -> pd.DataFrame:
    """``wh_water_balance_gleam.csv``: monthly P, ET and ΔS in mm per watershed."""
    return read_monthly_basin_table(path, WATER_BALANCE_COLUMNS)


def read_precipitation(path: str | Path) -> pd.DataFrame:
    """``wh_precip_mswep.csv``: monthly MSWEP precipitation in mm per watershed."""
    return read_monthly_basin_table(path, PRECIPITATION_COLUMNS)
