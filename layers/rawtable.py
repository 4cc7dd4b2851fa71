"""Tables as people write them, read into cells before any parsing: CSV/TSV (any delimiter),
Excel (.xlsx) and Parquet.

Text encoding: UTF-8 with or without a byte-order mark, and UTF-16 with a byte-order mark, are
recognised; any other encoding must be named (``encoding="cp1251"``) because single-byte code
pages (Latin-1, Windows-1251) decode any byte sequence and cannot be told apart reliably. A file
that is not valid UTF-8 gets a :class:`DataSourceError` naming the byte offset and the line.

Every file is checked first (:func:`geo.containers.check_file`): a named pipe, a device, an
``.xlsx`` that is a zip of something else or a truncated Parquet file is refused naming the
file; ``/vsizip/archive.zip/table.csv`` is read from the archive. A title row above the header
is left out with ``skip_rows`` (and hinted at when a missing column sits in a row below).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo import containers
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
    hint = f" (rows above it skipped: {skip_rows}, --flow-skip-rows)" if skip_rows else ""
    if suffix in TEXT_SUFFIXES:
        frame, rows = _read_text(p, encoding, skip_rows)
    elif suffix in EXCEL_SUFFIXES:
        frame, sheets = _read_excel(p, sheet, skip_rows)
        rows = np.arange(len(frame)) + 2 + skip_rows
        if len(sheets) > 1:
            hint += f"; sheets in this workbook: {', '.join(sheets)} (choose one with --flow-sheet)"
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
    if b"\x00" in data[:4096]:
        order = "le" if data[1:2] == b"\x00" else "be"
        raise DataSourceError(
            f"{source}: holds NUL bytes (UTF-16 without a byte-order mark?); name its encoding "
            f"with --flow-encoding utf-16-{order}, or save it as UTF-8"
        )
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
