"""Tables as people write them, read into cells before any parsing: CSV/TSV (any delimiter),
Excel (.xlsx) and Parquet.

Text encoding: UTF-8 with or without a byte-order mark, and UTF-16 with a byte-order mark, are
recognised; any other encoding must be named (``encoding="cp1251"``) because single-byte code
pages (Latin-1, Windows-1251) decode any byte sequence and cannot be told apart reliably. A file
that is not valid UTF-8 gets a :class:`DataSourceError` naming the byte offset and the line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import DataSourceError, FlowTableError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


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

    def where(self, i: int, column: str) -> str:
        return f"{self.source}: row {int(self.rows[i])}, column {column!r}"

    def require(self, columns: dict[str, str]) -> None:
        """Raise FlowTableError when a named column is missing (``{role: column}``)."""
        have = [str(c) for c in self.frame.columns]
        for role, col in columns.items():
            if col not in self.frame.columns:
                raise FlowTableError(
                    f"{self.source}: no {role} column {col!r}; columns are: {', '.join(have)}"
                )


def read_raw_table(
    path: str | Path, *, sheet: str | int | None = None, encoding: str | None = None
) -> RawTable:
    """Read a CSV/TSV, Excel (.xlsx) or Parquet file into a :class:`RawTable`.

    Raises DataSourceError (missing, unreadable, wrong format or encoding) or FlowTableError
    (empty, no data rows, a row longer than the header, a column named twice).
    """
    p = Path(path)
    if not p.is_file():
        raise DataSourceError(f"{p}: file not found")
    suffix = p.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        frame, rows = _read_text(p, encoding)
    elif suffix in EXCEL_SUFFIXES:
        frame = _read_excel(p, sheet)
        rows = np.arange(len(frame)) + 2
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(p)
        rows = np.arange(len(frame)) + 1
    else:
        accepted = ", ".join(TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES)
        hint = " (save old .xls files as .xlsx or CSV)" if suffix == ".xls" else ""
        raise DataSourceError(f"{p}: unknown table format {suffix!r}; accepted: {accepted}{hint}")
    return _drop_blank(frame, rows, str(p))


def _drop_blank(frame: pd.DataFrame, rows: np.ndarray, source: str) -> RawTable:
    if not len(frame.columns):
        raise FlowTableError(f"{source}: no header row; a flow table needs named columns")
    names = pd.Index(map(str, frame.columns))
    if names.duplicated().any():
        twice = names[names.duplicated()][0]
        raise FlowTableError(f"{source}: column {twice!r} appears twice in the header")
    text = frame.astype("string").fillna("").apply(lambda c: c.str.strip())
    blank = (text == "").all(axis=1).to_numpy()
    kept = frame.loc[~blank].reset_index(drop=True)
    if kept.empty:
        raise FlowTableError(f"{source}: no data rows under the header")
    return RawTable(kept, np.asarray(rows)[~blank], source, int(blank.sum()))


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


def _read_text(p: Path, encoding: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells as text and the file line of each record; the delimiter (tab, ``;``, ``|`` or
    ``,``) is the one the header line holds most of."""
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DataSourceError(f"{p}: cannot be read ({e.strerror})") from None
    text = decode(data, str(p), encoding)
    if not text.strip():
        raise FlowTableError(f"{p}: the file is empty; a flow table needs a header and data rows")
    header_line = text.lstrip().splitlines()[0]
    sep = max(("\t", ";", "|", ","), key=lambda s: (header_line.count(s), s == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True)
    header: list[str] = []
    records, lines = [], []
    try:
        for cells in reader:
            if header:
                records.append(cells)
                lines.append(reader.line_num)
            elif any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
    except csv.Error as e:
        raise DataSourceError(
            f"{p}: cannot be parsed as a table (line {reader.line_num}: {e})"
        ) from None
    n = len(header)
    long = [i for i, r in enumerate(records) if len(r) > n and any(c.strip() for c in r[n:])]
    if long:
        i = long[0]
        raise FlowTableError(
            f"{p}: row {lines[i]} has {len(records[i])} fields but the header has {n}; check "
            f"the delimiter {sep!r} and the quoting (an unquoted decimal comma splits a number)"
        )
    cells = [(r + [""] * n)[:n] for r in records]
    return pd.DataFrame(cells, columns=header, dtype=object), np.asarray(lines, dtype=np.int64)


def _read_excel(p: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        return pd.read_excel(p, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as e:
        if "not found" not in str(e):
            raise DataSourceError(
                f"{p}: cannot be read as .xlsx ({' '.join(str(e).split())})"
            ) from None
        raise FlowTableError(
            f"{p}: no sheet {sheet!r}; sheets are: {', '.join(_sheet_names(p))}"
        ) from None
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise DataSourceError(f"{p}: cannot be read as .xlsx ({e})") from None


def _sheet_names(p: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(p, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _read_parquet(p: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(p)
    except Exception as e:  # pyarrow raises several unrelated types for a broken file
        raise DataSourceError(f"{p}: cannot be read as Parquet ({type(e).__name__})") from None
