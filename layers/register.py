"""The river register: ids, names in four languages, mouths and end water bodies (TOML)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo import containers
from geo.errors import DataSourceError, RegisterError

LANGS = ("en", "kk", "ru", "zh")
NAME_KEYS = tuple(f"name_{lang}" for lang in LANGS)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_RIVER_KEYS = {"id", *NAME_KEYS, "mouth", "ends_in", "via", "parent", "basin", "note"}
_LAKE_KEYS = {"id", "ne_name", *NAME_KEYS}


@dataclass(frozen=True)
class River:
    """One register river. ``mouth``/``via`` are (lon, lat) in degrees, WGS 84."""

    id: str
    names: dict[str, str]
    mouth: tuple[float, float]
    ends_in: str
    via: tuple[float, float] | None = None
    parent: str | None = None
    basin: str | None = None
    note: str = ""

    @property
    def name(self) -> str:
        return self.names["en"]


@dataclass(frozen=True)
class Lake:
    """A named lake or reservoir, matched to Natural Earth's lakes by ``ne_name``."""

    id: str
    ne_name: str
    names: dict[str, str]


@dataclass(frozen=True)
class Register:
    """All rivers and lakes of a register file, in file order."""

    rivers: tuple[River, ...]
    lakes: tuple[Lake, ...]
    path: str

    def river(self, river_id: str) -> River:
        for r in self.rivers:
            if r.id == river_id:
                return r
        known = ", ".join(r.id for r in self.rivers)
        raise RegisterError(f"{self.path}: no river {river_id!r} in the register (known: {known})")

    def select(self, ids: list[str] | None) -> tuple[River, ...]:
        """The rivers named by ``ids`` (all when ``None``), in register order."""
        if not ids:
            return self.rivers
        for rid in ids:
            self.river(rid)
        return tuple(r for r in self.rivers if r.id in ids)


DEFAULT_REGISTER = Path(__file__).parent / "data" / "rivers.toml"


def load_register(path: str | Path = DEFAULT_REGISTER) -> Register:
    """Read and check a register TOML file; RegisterError names the entry and key at fault."""
    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p}: register file not found")
    containers.check_file(p)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataSourceError(f"{p}: register file not found") from exc
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"{p}: register is not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegisterError(f"{p}: not valid TOML ({exc})") from exc
    unknown = set(raw) - {"river", "lake"}
    if unknown:
        raise RegisterError(
            f"{p}: unknown table(s) {sorted(unknown)}; accepted: [[river]], [[lake]]"
        )
    rivers = tuple(_river(p, i, e) for i, e in enumerate(raw.get("river", [])))
    if not rivers:
        raise RegisterError(f"{p}: no [[river]] entries")
    lakes = tuple(_lake(p, i, e) for i, e in enumerate(raw.get("lake", [])))
    _unique(p, "river", [r.id for r in rivers])
    _unique(p, "lake", [lk.id for lk in lakes])
    ids = {r.id for r in rivers}
    for r in rivers:
        if r.parent is not None and r.parent not in ids:
            raise RegisterError(
                f"{p}: river {r.id!r}: parent {r.parent!r} is not a river id in the register"
            )
    return Register(rivers=rivers, lakes=lakes, path=str(p))


def _where(path: Path, kind: str, index: int, entry: dict) -> str:
    return f"{path}: {kind} #{index + 1}" + (f" ({entry['id']!r})" if "id" in entry else "")


def _river(path: Path, index: int, entry: dict) -> River:
    where = _where(path, "river", index, entry)
    _keys(where, entry, _RIVER_KEYS, {"id", *NAME_KEYS, "mouth", "ends_in"})
    names = _names(where, entry, required=True)
    ends_in = entry["ends_in"]
    if not isinstance(ends_in, str) or not ends_in.strip():
        raise RegisterError(f"{where}: ends_in must name a water body, not {ends_in!r}")
    return River(
        id=_id(where, entry["id"]),
        names=names,
        mouth=_lonlat(where, "mouth", entry["mouth"]),
        ends_in=ends_in.strip(),
        via=_lonlat(where, "via", entry["via"]) if "via" in entry else None,
        parent=_opt_str(where, entry, "parent"),
        basin=_opt_str(where, entry, "basin"),
        note=_opt_str(where, entry, "note") or "",
    )


def _lake(path: Path, index: int, entry: dict) -> Lake:
    where = _where(path, "lake", index, entry)
    _keys(where, entry, _LAKE_KEYS, {"id", "ne_name", "name_en"})
    return Lake(
        id=_id(where, entry["id"]),
        ne_name=str(entry["ne_name"]),
        names=_names(where, entry, required=False),
    )


def _keys(where: str, entry: dict, allowed: set[str], required: set[str]) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise RegisterError(
            f"{where}: unknown key(s) {sorted(unknown)}; accepted: {', '.join(sorted(allowed))}"
        )
    missing = required - set(entry)
    if missing:
        raise RegisterError(f"{where}: missing key(s) {', '.join(sorted(missing))}")


def _names(where: str, entry: dict, *, required: bool) -> dict[str, str]:
    names = {}
    for lang, key in zip(LANGS, NAME_KEYS, strict=True):
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise RegisterError(f"{where}: {key} must be text, not {value!r}")
        if required and not value.strip():
            raise RegisterError(
                f"{where}: {key} is empty; every river needs names in en, kk, ru and zh"
            )
        names[lang] = value.strip()
    return names


def _id(where: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise RegisterError(
            f"{where}: id {value!r} is not accepted; use lower-case letters, digits, '-' or '_'"
        )
    return value


def _lonlat(where: str, key: str, value: object) -> tuple[float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        raise RegisterError(
            f"{where}: {key} = {value!r}; expected [lon, lat] in degrees, "
            "lon -180..180 and lat -90..90"
        )
    return float(value[0]), float(value[1])


def _opt_str(where: str, entry: dict, key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RegisterError(f"{where}: {key} must be non-empty text, not {value!r}")
    return value.strip()


def _unique(path: Path, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise RegisterError(f"{path}: {kind} id {i!r} appears twice; ids must be unique")
        seen.add(i)
