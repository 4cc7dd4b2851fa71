"""Numeric attributes of every input, read by one rule: numbers, nodata markers, non-finite values.

Flow tables, gauge catalogues, water-balance tables, HydroRIVERS attributes (``LENGTH_KM``,
``UPLAND_SKM``) and DEM cells without a declared nodata value all go through
:func:`parse_numbers` (or :meth:`Nodata.mask` for raster cells), so a cell means the same
whatever file it comes from:

- a **number**: numeric cells as they are; text with a decimal point or a decimal comma
  (detected per column), spaces and no-break spaces as thousands separators, ``−`` as minus;
- a **nodata marker** (:data:`DEFAULT_MARKERS`, replaced with ``--nodata``): missing, like an
  empty cell. Markers that are numbers (``-9999``) match by value (``-9999.0``, ``-9999,00``);
  markers that are text match case-insensitively after stripping (``н/д``, ``N/A``, ``无数据``);
- a **non-finite number** (``inf``, ``1e400``, an infinite float cell): not a figure, treated as
  a bad value by the same policy as text that is not a number (``--on-bad-values``);
- anything else: not a number.

Status per cell: :data:`FIGURE`, :data:`MISSING` (empty or nodata marker) or
:data:`NOT_A_NUMBER` (also non-finite). Nothing raises here: each reader decides, and names the
file, column, row and value (:meth:`Numbers.why`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd

FIGURE = "figure"
MISSING = "missing"
NOT_A_NUMBER = "not a number"

#: numbers that mean "no value" (HydroSHEDS/ArcGIS -9999, GRDC -999, SRTM voids -32768)
NUMBER_MARKERS = ("-9999", "-999", "-99999", "-32768")
#: below this a value is a float32 fill value (GDAL/ArcGIS write -3.4028235e38)
FLOAT32_FILL = -3.4e38
#: text that means "no value": English and generic; Russian (нет данных, отсутствует); Kazakh
#: (мәлімет жоқ, деректер жоқ); Chinese (无数据, 暂无, 缺测; "/" and dashes in Chinese tables)
TEXT_MARKERS = (
    "na",
    "n/a",
    "n.a.",
    "nan",
    "null",
    "none",
    "nodata",
    "no data",
    "missing",
    "-",
    "--",
    "—",
    "––",
    "–",
    "...",
    "…",
    "н/д",
    "н.д.",
    "нд",
    "нет",
    "нет данных",
    "отс.",
    "отс",
    "мәлімет жоқ",
    "деректер жоқ",
    "жоқ",
    "无",
    "无数据",
    "暂无",
    "暂无数据",
    "缺测",
    "缺",
    "空",
    "/",
    "／",
    "－",
    "——",
)
#: the documented default list (``--nodata`` replaces it; an empty cell is always missing)
DEFAULT_MARKERS = (*NUMBER_MARKERS, *TEXT_MARKERS)

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INFINITE = re.compile(r"^[+-]?(inf|infinity|∞)$", re.IGNORECASE)
_THOUSANDS_COMMA = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_THOUSANDS_POINT = r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$"


@dataclass(frozen=True)
class Nodata:
    """Which cells mean "no value": ``numbers`` compared by value, ``text`` case-folded."""

    numbers: tuple[float, ...]
    text: frozenset[str]

    @classmethod
    def parse(cls, markers: Iterable[str]) -> Nodata:
        """Markers as written by a user (``["-9999", "n/a"]``): numbers by value, others text."""
        numbers, text = [], set()
        for m in markers:
            m = str(m).strip()
            if not m:
                continue
            value = _single_number(m)
            if value is not None and math.isfinite(value):
                numbers.append(value)
            else:
                text.add(m.casefold())
        return cls(tuple(dict.fromkeys(numbers)), frozenset(text))

    def listing(self, limit: int | None = None) -> str:
        """The markers for messages: ``-9999, -999, n/a, …`` (at most ``limit`` of them)."""
        numbers = [f"{v:g}" for v in self.numbers]
        text = sorted(self.text, key=_by_script)
        if limit is not None and len(numbers) + len(text) > limit:
            typical = [t for t in ("n/a", "н/д", "无数据") if t in self.text]
            text = typical + [t for t in text if t not in typical]
            numbers = numbers[: max(1, limit - len(typical[:limit]) - 1)]
            return ", ".join([*numbers, *text][:limit] + ["…"])
        return ", ".join(numbers + text) or "none"

    def number_mask(self, values: np.ndarray) -> np.ndarray:
        """True where a finite value is a marker number (or a float32 fill value)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            hit = np.isin(v, np.asarray(self.numbers, dtype=float)) | (v < FLOAT32_FILL)
        return hit & np.isfinite(v)

    def mask(self, values: np.ndarray) -> np.ndarray:
        """Raster cells that hold no value: non-finite or a marker number (undeclared nodata)."""
        v = np.asarray(values)
        return ~np.isfinite(v) | self.number_mask(v)


def _by_script(text: str) -> tuple[bool, str]:
    """Latin-script markers first (``n/a`` before ``н/д``), then the others."""
    return (not text.isascii(), text)


def _single_number(text: str) -> float | None:
    s = _SPACES.sub("", text).replace("−", "-").replace(",", ".")
    return float(s) if _NUMBER.match(s) else None


DEFAULT = Nodata.parse(DEFAULT_MARKERS)
_CURRENT: ContextVar[Nodata] = ContextVar("nodata_markers", default=DEFAULT)


def current() -> Nodata:
    """The markers in force (the default list unless a :func:`using` block says otherwise)."""
    return _CURRENT.get()


@contextmanager
def using(nodata: Nodata | Iterable[str] | None) -> Iterator[Nodata]:
    """Read every input of a block with these markers (``None``: the default list)."""
    value = nodata if isinstance(nodata, Nodata) else DEFAULT
    if nodata is not None and not isinstance(nodata, Nodata):
        value = Nodata.parse(nodata)
    token = _CURRENT.set(value)
    try:
        yield value
    finally:
        _CURRENT.reset(token)


@dataclass
class Numbers:
    """Parsed numbers of one column.

    ``values``: float, NaN wherever there is no figure; ``status`` per cell (:data:`FIGURE`,
    :data:`MISSING`, :data:`NOT_A_NUMBER`); ``text``: the cell as written; ``marker``: the cell
    is a nodata marker (a kind of missing); ``infinite``: the cell is a non-finite number (a
    kind of not a number); ``decimal``: the column's decimal separator.
    """

    values: np.ndarray
    status: np.ndarray
    _text: np.ndarray | None
    decimal: str
    marker: np.ndarray
    infinite: np.ndarray
    #: the cells as given (a numeric column keeps its array: its text is made when asked for)
    cells: np.ndarray | None = None

    @property
    def text(self) -> np.ndarray:
        """Every cell as written (for a numeric column, formatted on first use)."""
        if self._text is None:
            self._text = np.array([_as_text(c) for c in self.cells], dtype=object)
        return self._text

    def cell_text(self, i: int) -> str:
        """Cell ``i`` as written (without formatting the whole column)."""
        return str(self._text[i]) if self._text is not None else _as_text(self.cells[i])

    @property
    def bad(self) -> np.ndarray:
        """Positions of cells that are not (finite) numbers."""
        return np.flatnonzero(self.status == NOT_A_NUMBER)

    @property
    def missing(self) -> np.ndarray:
        """Positions of empty cells and nodata markers."""
        return np.flatnonzero(self.status == MISSING)

    @property
    def markers(self) -> np.ndarray:
        """Positions of nodata markers."""
        return np.flatnonzero(self.marker)

    def why(self, i: int) -> str:
        """Why cell ``i`` holds no figure, for a message: ``'-9999' is a nodata marker``."""
        t = self.cell_text(i)
        if self.marker[i]:
            return f"{t!r} is a nodata marker"
        if self.status[i] == MISSING:
            return "is empty"
        if self.infinite[i]:
            return f"{t!r} is not a finite number"
        return f"{t!r} is not a number"

    def accepted(self, i: int) -> str:
        """What cell ``i`` could have held instead, for a message."""
        if self.infinite[i]:
            return "finite numbers (an empty cell or a nodata marker for no value)"
        sep = "decimal comma" if self.decimal == "," else "decimal point"
        return f"numbers with a {sep} as in the rest of the column"


def parse_numbers(cells: pd.Series | np.ndarray, nodata: Nodata | None = None) -> Numbers:
    """Numbers from a column of cells (text, numbers or both), by the rule of the module."""
    nodata = nodata or current()
    array = cells.to_numpy() if isinstance(cells, pd.Series) else np.asarray(cells)
    if array.dtype.kind in "iuf":  # a numeric column (GDAL, Parquet): vectorised, text later
        return _parse_numeric(array, nodata)
    cells = pd.Series(cells, dtype=object).reset_index(drop=True)
    n = len(cells)
    is_num = cells.map(is_number).to_numpy(dtype=bool)
    values = np.full(n, np.nan)
    values[is_num] = cells[is_num].astype(float).to_numpy()
    text = cells.map(_as_text).to_numpy(dtype=object)
    status = np.full(n, FIGURE, dtype=object)
    infinite = is_num & np.isinf(values)
    marker = is_num & nodata.number_mask(values)
    status[is_num & np.isnan(values)] = MISSING
    decimal = "."
    is_text = ~is_num
    if is_text.any():
        v, s, m, inf, decimal = _parse_text(pd.Series(text[is_text], dtype="string"), nodata)
        values[is_text], status[is_text], marker[is_text], infinite[is_text] = v, s, m, inf
    status[marker] = MISSING
    status[infinite] = NOT_A_NUMBER
    values[(status != FIGURE)] = np.nan
    return Numbers(values, status, text, decimal, marker, infinite)


_STATUSES = np.array([FIGURE, MISSING, NOT_A_NUMBER], dtype=object)


def _parse_numeric(array: np.ndarray, nodata: Nodata) -> Numbers:
    values = array.astype(float)
    infinite = np.isinf(values)
    marker = nodata.number_mask(values)
    missing = np.isnan(values) | marker
    code = np.where(infinite, 2, missing.astype(np.int8)).astype(np.int8)
    status = _STATUSES[code]  # (a take from three labels: np.full of objects is 5x slower)
    values[missing | infinite] = np.nan
    return Numbers(values, status, None, ".", marker, infinite, cells=array)


def is_number(v: object) -> bool:
    """True for a numeric cell (int or float, not a boolean)."""
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _as_text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if is_number(v):
        f = float(v)
        return f"{int(f)}" if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(v)


def _parse_text(
    text: pd.Series, nodata: Nodata
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    stripped = text.str.strip()
    s = stripped.str.replace(_SPACES, "", regex=True).str.replace("−", "-")
    empty = (s == "").to_numpy()
    marker = stripped.str.casefold().isin(nodata.text).to_numpy() & ~empty
    infinite = s.str.match(_INFINITE).fillna(False).to_numpy(dtype=bool) & ~marker
    skip = empty | marker | infinite
    has_comma = s.str.contains(",", regex=False).to_numpy() & ~skip
    has_point = s.str.contains(".", regex=False).to_numpy() & ~skip
    decimal = "."
    if has_comma.any() and not has_point.any():
        s, decimal = s.str.replace(",", ".", regex=False), ","
    elif has_comma.any() and has_point.any():
        if s[has_comma].str.match(_THOUSANDS_COMMA).all():
            s = s.str.replace(",", "", regex=False)
        elif s[has_point].str.match(_THOUSANDS_POINT).all():
            s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            decimal = ","
    ok = s.str.match(_NUMBER).fillna(False).to_numpy(dtype=bool) & ~skip
    values = np.full(len(s), np.nan)
    values[ok] = s[ok].astype(float).to_numpy()
    overflow = ok & np.isinf(values)  # 1e400
    infinite |= overflow
    marker |= ok & nodata.number_mask(values)
    status = np.full(len(s), NOT_A_NUMBER, dtype=object)
    status[ok & ~overflow] = FIGURE
    status[empty | marker] = MISSING
    status[infinite] = NOT_A_NUMBER
    return values, status, marker, infinite, decimal


def marker_note(source: str, column: str, numbers: Numbers, rows: np.ndarray, what: str) -> str:
    """One report line for the nodata markers of a column, or ``""`` when it has none:
    ``rivers.gpkg, column 'LENGTH_KM': 2 nodata marker(s) (row 3 '-9999', row 8 'n/a') read as
    missing; measured from the geometry instead``."""
    idx = numbers.markers
    if not idx.size:
        return ""
    shown = ", ".join(f"row {int(rows[i])} {numbers.cell_text(i)!r}" for i in idx[:5])
    more = f", … {idx.size - 5} more" if idx.size > 5 else ""
    return (
        f"{source}, column {column!r}: {idx.size} nodata marker(s) ({shown}{more}) read as "
        f"missing; {what}"
    )
