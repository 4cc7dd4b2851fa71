"""Query strings parsed once into frozen dataclasses; handlers then only read typed values.

:func:`items_query` turns the parameters of ``/collections/{id}/items`` into an
:class:`ItemsQuery` or raises :class:`service.errors.ParameterError` with a one-line message
(the exception handler makes it a 400). Unknown parameters are refused, never ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from service.catalog import Collection
from service.crs import CRS84, parse_crs
from service.errors import ParameterError

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
#: the largest offset accepted (far beyond any layer; keeps arithmetic in range)
MAX_OFFSET = 10**9
COMMON = frozenset({"f"})
ITEMS = frozenset({"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"})


@dataclass(frozen=True)
class Period:
    """A closed time interval in seconds (``None`` for an open end)."""

    start: np.datetime64 | None
    end: np.datetime64 | None


@dataclass(frozen=True)
class ItemsQuery:
    """The validated parameters of one items request.

    ``bbox`` is in ``bbox_crs``'s axis order and units; ``crs`` the URI of the output CRS;
    ``filters`` pairs of (queryable, value) already converted to the column's type.
    """

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: str = CRS84
    crs: str = CRS84
    datetime: Period | None = None
    filters: tuple[tuple[str, object], ...] = ()
    format: str | None = None


def check_known(params: Mapping[str, str], known: frozenset[str] | set[str], where: str) -> None:
    """ParameterError for the first parameter not in ``known`` (or given twice)."""
    for name in params:
        if name not in known:
            raise ParameterError(
                f"{name}={params[name]!r}: unknown parameter for {where}; accepted: "
                f"{', '.join(sorted(known))}"
            )
    multi = getattr(params, "getlist", None)
    if multi:
        for name in params:
            if len(multi(name)) > 1:
                raise ParameterError(f"{name}: given {len(multi(name))} times; give it once")


def crs_param(params: Mapping[str, str], name: str = "crs") -> str:
    """The URI of the CRS named by ``params[name]`` (:func:`service.crs.parse_crs`), CRS84
    when the parameter is absent."""
    return parse_crs(params[name], name) if name in params else CRS84


def parse_offset(text: str | None) -> int:
    """``offset``: 0 … 10⁹ features to skip."""
    if text is None:
        return 0
    if not re.fullmatch(r"\s*\+?\d+\s*", text) or int(text) > MAX_OFFSET:
        raise ParameterError(
            f"offset={text!r}: not a whole number from 0 to {MAX_OFFSET:,}; follow the 'next' link"
        )
    return int(text)


def parse_limit(text: str | None) -> int:
    """``limit``: 1 … 10,000 (larger values are clamped to 10,000, not refused)."""
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"\s*\+?\d+\s*", text):
        raise ParameterError(
            f"limit={text!r}: not a whole number; accepted: 1 to {MAX_LIMIT:,} (larger values "
            "are clamped)"
        )
    value = int(text)
    if value < 1:
        raise ParameterError(f"limit={text!r}: below 1; accepted: 1 to {MAX_LIMIT:,}")
    return min(value, MAX_LIMIT)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``bbox``: 4 numbers (minx, miny, maxx, maxy) or 6 (with min and max height, ignored)."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise ParameterError(
            f"bbox={text!r}: expected 4 numbers 'minx,miny,maxx,maxy' (or 6 with heights), "
            "comma-separated, in bbox-crs axis order (CRS84: lon,lat)"
        )
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if values[1] > values[3]:
        raise ParameterError(
            f"bbox={text!r}: the second value ({values[1]:g}) is above the fourth "
            f"({values[3]:g}); accepted: minx,miny,maxx,maxy"
        )
    return (values[0], values[1], values[2], values[3])


_DATE = r"\d{4}-\d{2}-\d{2}"
_INSTANT = re.compile(
    rf"({_DATE})(?:[Tt ](\d{{2}}:\d{{2}}:\d{{2}})(?:\.\d+)?(Z|z|[+-]\d{{2}}:\d{{2}})?)?"
)


def _instant(text: str, whole: str, *, end: bool) -> np.datetime64 | None:
    if text in ("", ".."):
        return None
    m = _INSTANT.fullmatch(text)
    value = None
    if m:
        date, time, zone = m.groups()
        try:
            value = np.datetime64(f"{date}T{time or ('23:59:59' if end else '00:00:00')}", "s")
            if zone and zone.upper() != "Z":
                sign = 1 if zone[0] == "+" else -1
                hours, minutes = int(zone[1:3]), int(zone[4:6])
                value = value - sign * np.timedelta64(hours * 3600 + minutes * 60, "s")
        except ValueError:
            value = None
    if value is None:
        raise ParameterError(
            f"datetime={whole!r}: {text!r} is not an RFC 3339 date or date-time; accepted: "
            "'2025-03-01', '2025-03-01T12:00:00Z', '2025-01-01/2025-06-30', '../2025-06-30', "
            "'2025-01-01/..'"
        )
    return value


def parse_datetime(text: str) -> Period:
    """``datetime``: an instant or an interval (``start/end``, either end ``..`` or empty)."""
    if "/" in text:
        a, _, b = text.partition("/")
        if "/" in b:
            raise ParameterError(f"datetime={text!r}: more than one '/'; accepted: 'start/end'")
        period = Period(_instant(a, text, end=False), _instant(b, text, end=True))
        if period.start is None and period.end is None:
            raise ParameterError(f"datetime={text!r}: both ends open; give at least one date")
    else:
        if text in ("", ".."):
            raise ParameterError(f"datetime={text!r}: empty; accepted: a date or an interval")
        period = Period(_instant(text, text, end=False), _instant(text, text, end=True))
    if period.start is not None and period.end is not None and period.start > period.end:
        raise ParameterError(f"datetime={text!r}: the start is after the end")
    return period


def _filter_value(collection: Collection, name: str, text: str) -> object:
    q = collection.queryables[name]
    if q.kind == "string":
        return text
    if q.kind == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ParameterError(f"{name}={text!r}: not a boolean; accepted: true, false")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise ParameterError(f"{name}={text!r}: not a number; {name} holds {q.kind} values")
    return value


def items_query(collection: Collection, params: Mapping[str, str]) -> ItemsQuery:
    """Validate the items parameters against ``collection`` (its queryables) once."""
    known = ITEMS | set(collection.queryables)
    check_known(params, known, f"/collections/{collection.id}/items")
    get = params.get
    bbox = parse_bbox(get("bbox")) if get("bbox") is not None else None
    bbox_crs = crs_param(params, "bbox-crs")
    if get("bbox-crs") is not None and bbox is None:
        raise ParameterError(f"bbox-crs={get('bbox-crs')!r}: given without bbox")
    filters = tuple(
        (name, _filter_value(collection, name, value))
        for name, value in params.items()
        if name in collection.queryables
    )
    return ItemsQuery(
        limit=parse_limit(get("limit")),
        offset=parse_offset(get("offset")),
        bbox=bbox,
        bbox_crs=bbox_crs,
        crs=crs_param(params),
        datetime=parse_datetime(get("datetime")) if get("datetime") is not None else None,
        filters=filters,
        format=get("f"),
    )
