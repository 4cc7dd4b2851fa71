"""Cell parsers shared by every table reader: numbers, dates, keys.

Numbers follow the one rule of :mod:`geo.numeric` (decimal comma or point detected per column,
thousands separators, nodata markers read as missing, non-finite values as bad values). Every
error is one line naming the file, the row (the header is row 1), the column and the value.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from geo import numeric
from geo.errors import FlowTableError
from layers.rawtable import RawTable

_DMY = r"^\d{1,2}\.\d{1,2}\.\d{4}$"
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}$"


#: numbers of a column (decimal comma or point, nodata markers, non-finite values): the one
#: rule every input follows, see :mod:`geo.numeric`
Numbers = numeric.Numbers
parse_numbers = numeric.parse_numbers


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


def raise_bad_numbers(numbers: Numbers, raw: RawTable, column: str) -> None:
    """FlowTableError at the first cell that is not a (finite) number, naming file, row,
    column, value and what would be accepted."""
    if numbers.bad.size:
        i = int(numbers.bad[0])
        more = f" (and {numbers.bad.size - 1} more)" if numbers.bad.size > 1 else ""
        raise FlowTableError(
            f"{raw.where(i, column)}: {numbers.why(i)}{more}; accepted: {numbers.accepted(i)}"
        )
