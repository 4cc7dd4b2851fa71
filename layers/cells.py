"""Cell parsers shared by every table reader: numbers (decimal comma or point), dates, keys.

Decimal separators are detected per column: a column whose numbers hold commas and no points is
read with decimal commas (``"29,70"`` -> 29.7); one with points and no commas with decimal
points; a column with both is read with thousands separators where every value fits that
pattern (``"1,234.5"`` or ``"1.234,5"``), and otherwise its values holding the minority
separator are not numbers. Spaces (also no-break spaces) inside numbers are thousands
separators. Every error is one line naming the file, the row (the header is row 1), the column
and the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import FlowTableError
from layers.rawtable import RawTable

#: cell texts that mean "no value" (compared lower-case)
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "—", "–", "..."})

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_COMMA = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_THOUSANDS_POINT = r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$"
_DMY = r"^\d{1,2}\.\d{1,2}\.\d{4}$"
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}$"


@dataclass
class Numbers:
    """Parsed numbers of one column: ``values`` (NaN where none), ``status`` per cell
    (``"figure"``, ``"missing"`` or ``"not a number"``) and the original ``text``."""

    values: np.ndarray
    status: np.ndarray
    text: np.ndarray
    decimal: str

    @property
    def bad(self) -> np.ndarray:
        return np.flatnonzero(self.status == "not a number")


def parse_numbers(cells: pd.Series) -> Numbers:
    """Numbers from a column of cells (text or numbers), decimal comma or point detected.

    Numeric cells (Excel, Parquet) are taken as they are; text cells go through
    :func:`_parse_text_numbers`. Nothing raises here: the caller decides what a
    ``"not a number"`` cell means.
    """
    cells = cells.reset_index(drop=True)
    is_num = cells.map(_is_number).to_numpy(dtype=bool)
    values = np.full(len(cells), np.nan)
    values[is_num] = cells[is_num].astype(float).to_numpy()
    text = cells.astype("string").fillna("").to_numpy(dtype=object)
    status = np.where(np.isnan(values), "missing", "figure").astype(object)
    decimal = "."
    is_text = ~is_num & cells.notna().to_numpy()
    if is_text.any():
        v, s, decimal = _parse_text_numbers(pd.Series(text[is_text], dtype="string"))
        values[is_text], status[is_text] = v, s
    return Numbers(values, status, text, decimal)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _parse_text_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray, str]:
    s = text.str.strip().str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace("−", "-")
    missing = s.str.lower().isin(MISSING_TOKENS).to_numpy()
    has_comma = s.str.contains(",", regex=False).to_numpy() & ~missing
    has_point = s.str.contains(".", regex=False).to_numpy() & ~missing
    decimal = "."
    if has_comma.any() and not has_point.any():
        s, decimal = s.str.replace(",", ".", regex=False), ","
    elif has_comma.any() and has_point.any():
        if s[has_comma].str.match(_THOUSANDS_COMMA).all():
            s = s.str.replace(",", "", regex=False)
        elif s[has_point].str.match(_THOUSANDS_POINT).all():
            s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            decimal = ","
    ok = s.str.match(_NUMBER).fillna(False).to_numpy(dtype=bool) & ~missing
    values = np.full(len(s), np.nan)
    values[ok] = s[ok].astype(float).to_numpy()
    status = np.where(ok, "figure", np.where(missing, "missing", "not a number")).astype(object)
    return values, status, decimal


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
    num = cells.map(_is_number).to_numpy(dtype=bool)
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


def raise_bad_numbers(numbers: Numbers, raw: RawTable, column: str) -> None:
    if numbers.bad.size:
        i = int(numbers.bad[0])
        more = f" (and {numbers.bad.size - 1} more)" if numbers.bad.size > 1 else ""
        sep = "decimal comma" if numbers.decimal == "," else "decimal point"
        raise FlowTableError(
            f"{raw.where(i, column)}: {numbers.text[i]!r} is not a number{more}; "
            f"accepted: numbers with a {sep} as in the rest of the column"
        )
