"""Several analyst flow tables in one run: each described once, with its own options.

A table list is a small TOML file with one ``[[table]]`` entry per table::

    [[table]]
    path = "gauged_2024.xlsx"          # relative to this file
    sheet = "Q"
    key = "river"
    key_kind = "river"                 # river, crossing, basin or reach
    value = "volume"
    unit = "km3"
    period = "2024-01-01/2024-12-31"
    id = "gauged_2024"                 # optional: columns user_gauged_2024_value, …

    [[table]]
    path = "dis_av.csv"
    key = "HYRIV_ID"
    key_kind = "reach"
    value = "DIS_AV_CMS"
    unit = "m3/s"
    on_missing = "warning"             # this table's report policy
    skip_rows = 1                      # a title row above the header

Every table is read and checked before anything else is computed (fail early); every join
has its own report. Errors name the file, the entry and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geo import containers
from geo.errors import DataSourceError, FlowTableError
from layers.flowtables import FlowTable
from layers.joins import JoinPolicy
from layers.user_flows import read_user_flow_file

_REQUIRED = ("path", "key", "value", "unit")
_TEXT = ("key_kind", "period", "sheet", "date", "encoding", "id")
_POLICY = {
    "on_duplicates": "duplicates",
    "on_bad_values": "bad_values",
    "on_negative": "negative",
    "on_missing": "missing",
    "on_unmatched": "unmatched",
    "on_no_value": "no_value",
}
#: keys holding a whole number
_INTEGER = ("skip_rows",)


@dataclass(frozen=True)
class TableSpec:
    """One analyst table to join: the file, its columns, unit, key kind, period and sheet or
    encoding, its own report policy and an optional id (column prefix ``user_<id>``)."""

    path: Path
    key: str
    value: str
    unit: str
    key_kind: str = "river"
    period: str | None = None
    sheet: str | None = None
    date: str | None = None
    encoding: str | None = None
    id: str | None = None
    policy: JoinPolicy = field(default_factory=JoinPolicy)
    skip_rows: int = 0

    def read(self) -> FlowTable:
        """Read and check the table (:func:`layers.user_flows.read_user_flow_file`)."""
        return read_user_flow_file(
            self.path,
            key=self.key,
            value=self.value,
            unit=self.unit,
            key_kind=self.key_kind,
            period=self.period,
            sheet=self.sheet,
            date=self.date,
            encoding=self.encoding,
            policy=self.policy,
            skip_rows=self.skip_rows,
        )


def read_table_list(path: str | Path, *, default: JoinPolicy | None = None) -> list[TableSpec]:
    """The tables a list file names, in file order (see the module docstring).

    ``default``: the report policy of entries that set none. Raises DataSourceError (file
    missing, not UTF-8) or FlowTableError (not TOML, an unknown or missing key, a wrong type,
    a table file that does not exist) naming the file, the entry and the key.
    """
    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p}: table list not found")
    containers.check_file(p)  # a named pipe would block the read
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataSourceError(f"{p}: table list not found") from None
    except UnicodeDecodeError as e:
        raise DataSourceError(f"{p}: table list is not UTF-8 text ({e.reason})") from None
    except tomllib.TOMLDecodeError as e:
        raise FlowTableError(f"{p}: not valid TOML ({e})") from None
    unknown = set(raw) - {"table"}
    if unknown or not isinstance(raw.get("table"), list) or not raw["table"]:
        raise FlowTableError(
            f"{p}: expected one or more [[table]] entries"
            + (f"; unknown key(s) {sorted(unknown)}" if unknown else "")
        )
    return [_spec(p, i, e, default or JoinPolicy()) for i, e in enumerate(raw["table"])]


def _spec(p: Path, i: int, entry: dict, default: JoinPolicy) -> TableSpec:
    where = f"{p}: [[table]] #{i + 1}"
    allowed = {*_REQUIRED, *_TEXT, *_POLICY, *_INTEGER}
    unknown = set(entry) - allowed
    if unknown:
        raise FlowTableError(
            f"{where}: unknown key(s) {sorted(unknown)}; accepted: {', '.join(sorted(allowed))}"
        )
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise FlowTableError(f"{where}: missing key(s) {', '.join(missing)}")
    for k in _INTEGER:
        v = entry.get(k, 0)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise FlowTableError(f"{where}: {k} must be a whole number ≥ 0, not {v!r}")
    for k, v in entry.items():
        if k not in _INTEGER and (not isinstance(v, str) or not v.strip()):
            raise FlowTableError(f"{where}: {k} must be non-empty text, not {v!r}")
    table = Path(entry["path"])
    table = table if table.is_absolute() else p.parent / table
    if not table.is_file():
        raise DataSourceError(f"{where}: path {entry['path']!r}: file {table} not found")
    try:
        policy = JoinPolicy(
            **{**default.kwargs(), **{_POLICY[k]: entry[k] for k in _POLICY if k in entry}}
        )
    except FlowTableError as e:
        raise FlowTableError(f"{where}: {e}") from None
    return TableSpec(
        path=table,
        key=entry["key"],
        value=entry["value"],
        unit=entry["unit"],
        policy=policy,
        **{k: entry[k] for k in (*_TEXT, *_INTEGER) if k in entry},
    )
