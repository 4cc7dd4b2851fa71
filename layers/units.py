"""Flow units and their conversions, with the real length of the period and the basin's area.

A flow figure is a *rate* (m³/s), a *volume* over a period (m³, km³ = bcm = "billion m3",
million m³), a *depth* of water over a basin's area (mm), or one of those per year (km³/yr,
mm/yr; a year is the Julian year of 365.25 days). Converting between them needs:

- the period (:class:`Period`, dates inclusive, real calendar days: H1 2025 = 181 days,
  H1 2024 = 182 days) to turn a volume into a mean rate and back;
- the basin's area in km² (measured in an equal-area CRS, the basins layer's ``area_km2``)
  to turn a depth into a volume and back.

Other units (percent/fraction, metres of lake level, flags) are kept as they are and only
convert within their own kind (percent <-> fraction). Unknown units raise :class:`UnitError`
listing the accepted ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import UnitError

SECONDS_PER_DAY = 86_400.0
#: the Julian year, used by the per-year units (km³/yr, mm/yr)
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Unit:
    """A unit: ``kind`` is ``water`` (rates, volumes, depths) or a name of its own.

    For water units, ``scale`` converts to m³ (volume) or m (depth); ``per_second`` is the
    time divisor in seconds (``None`` for a volume over the whole period); ``depth`` marks
    units of water depth over an area (mm) rather than of volume.
    """

    name: str
    label: str
    kind: str
    scale: float
    depth: bool = False
    per_second: float | None = None

    @property
    def is_rate(self) -> bool:
        return self.per_second is not None


M3S = Unit("m3/s", "m³/s", "water", 1.0, per_second=1.0)
M3 = Unit("m3", "m³", "water", 1.0)
MILLION_M3 = Unit("million m3", "million m³", "water", 1e6)
KM3 = Unit("km3", "km³", "water", 1e9)
MM = Unit("mm", "mm", "water", 1e-3, depth=True)
KM3_PER_YEAR = Unit("km3/yr", "km³/yr", "water", 1e9, per_second=DAYS_PER_YEAR * SECONDS_PER_DAY)
MM_PER_YEAR = Unit(
    "mm/yr", "mm/yr", "water", 1e-3, depth=True, per_second=DAYS_PER_YEAR * SECONDS_PER_DAY
)
PERCENT = Unit("percent", "%", "ratio", 0.01)
FRACTION = Unit("fraction", "fraction", "ratio", 1.0)
METRE = Unit("m", "m", "level", 1.0)
FLAG = Unit("flag", "flag", "flag", 1.0)

UNITS: tuple[Unit, ...] = (
    M3S,
    M3,
    MILLION_M3,
    KM3,
    MM,
    KM3_PER_YEAR,
    MM_PER_YEAR,
    PERCENT,
    FRACTION,
    METRE,
    FLAG,
)

#: spellings accepted for each unit (compared after lower-casing, ³ -> 3, spaces squeezed)
ALIASES: dict[str, Unit] = {
    **{u.name: u for u in UNITS},
    "m3s": M3S,
    "m3 s-1": M3S,
    "m3/sec": M3S,
    "cms": M3S,
    "cumecs": M3S,
    "cubic metres per second": M3S,
    "cubic meters per second": M3S,
    "м3/с": M3S,
    "bcm": KM3,
    "billion m3": KM3,
    "billion cubic metres": KM3,
    "billion cubic meters": KM3,
    "млрд м3": KM3,
    "км3": KM3,
    "mcm": MILLION_M3,
    "hm3": MILLION_M3,
    "mln m3": MILLION_M3,
    "million cubic metres": MILLION_M3,
    "million cubic meters": MILLION_M3,
    "млн м3": MILLION_M3,
    "cubic metres": M3,
    "cubic meters": M3,
    "м3": M3,
    "мм": MM,
    "millimetres": MM,
    "millimeters": MM,
    "km3/year": KM3_PER_YEAR,
    "km3 yr-1": KM3_PER_YEAR,
    "km3 per year": KM3_PER_YEAR,
    "bcm/yr": KM3_PER_YEAR,
    "mm/year": MM_PER_YEAR,
    "mm yr-1": MM_PER_YEAR,
    "mm per year": MM_PER_YEAR,
    "%": PERCENT,
    "pct": PERCENT,
    "per cent": PERCENT,
    "metres": METRE,
    "meters": METRE,
}


def accepted_units() -> str:
    """The accepted unit names, for error messages."""
    return ", ".join(f"{u.name} ({u.label})" for u in UNITS) + "; also bcm, billion m3, cms"


def _norm(text: str) -> str:
    t = str(text).strip().lower().replace("³", "3").replace("·", " ").replace("^3", "3")
    return re.sub(r"\s+", " ", t)


def parse_unit(text: str | Unit, *, where: str = "unit") -> Unit:
    """The :class:`Unit` named by ``text`` (``"km3"``, ``"bcm"``, ``"m³/s"`` …).

    ``where`` names the input for the error message (file and column, or CLI option).
    """
    if isinstance(text, Unit):
        return text
    unit = ALIASES.get(_norm(text))
    if unit is None:
        raise UnitError(f"{where}: unknown unit {text!r}; accepted: {accepted_units()}")
    return unit


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends included (calendar dates, no time zone)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UnitError(f"period {self.label}: ends before it starts")

    @classmethod
    def parse(cls, start: str | dt.date, end: str | dt.date) -> Period:
        """From ISO dates (``2025-01-01``) or ``DD.MM.YYYY`` strings, or date objects."""
        return cls(_as_date(start, "period start"), _as_date(end, "period end"))

    @property
    def days(self) -> int:
        """Number of calendar days, both ends included (H1 2025: 181)."""
        return (self.end - self.start).days + 1

    @property
    def seconds(self) -> float:
        return self.days * SECONDS_PER_DAY

    @property
    def label(self) -> str:
        """ISO 8601 interval ``2025-01-01/2025-06-30``."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def _as_date(value: str | dt.date, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise UnitError(f"{what}: {value!r} is not a date; accepted: YYYY-MM-DD or DD.MM.YYYY")


def convert(
    values: float | np.ndarray,
    from_unit: str | Unit,
    to_unit: str | Unit,
    *,
    period: Period | np.ndarray | None = None,
    area_km2: float | np.ndarray | None = None,
) -> np.ndarray:
    """Convert values (a number or an array) from one unit to another.

    Between a volume and a rate the period's real length is used (``period``: a
    :class:`Period`, or an array of period lengths in days, one per value); between a depth
    (mm) and a volume the area in km² (``area_km2``, equal-area; one per value or one for
    all). Raises :class:`UnitError` when the conversion needs a period or area not given, or
    the kinds differ (a percentage is not a volume).
    """
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    x = np.asarray(values, dtype=float)
    if src.kind != dst.kind:
        raise UnitError(f"cannot convert {src.label} to {dst.label}: different kinds of quantity")
    if src.kind != "water":
        return x * (src.scale / dst.scale)
    # to m³ (or m of depth) per second or over the period, then across depth/volume and time
    x = x * src.scale
    if src.depth != dst.depth:
        area_m2 = _area_m2(area_km2, src, dst)
        x = x * area_m2 if src.depth else x / area_m2
    x = _across_time(x, src, dst, period)
    return x / dst.scale


def _area_m2(area_km2: float | np.ndarray | None, src: Unit, dst: Unit) -> np.ndarray:
    if area_km2 is None:
        raise UnitError(
            f"converting {src.label} to {dst.label} needs the basin's area (area_km2); none given"
        )
    area = np.asarray(area_km2, dtype=float)
    if np.any(~(area > 0)):
        raise UnitError(f"converting {src.label} to {dst.label}: basin area must be > 0 km²")
    return area * 1e6


def _across_time(
    x: np.ndarray, src: Unit, dst: Unit, period: Period | np.ndarray | None
) -> np.ndarray:
    """Between per-second-of-something and over-the-period amounts (x already in SI scale)."""
    if src.per_second == dst.per_second:
        return x
    if src.is_rate and dst.is_rate:
        return x * (dst.per_second / src.per_second)
    if period is None:
        raise UnitError(
            f"converting {src.label} to {dst.label} needs the period the figure covers; none given"
        )
    seconds = (
        period.seconds
        if isinstance(period, Period)
        else np.asarray(period, dtype=float) * SECONDS_PER_DAY
    )
    if src.is_rate:  # rate -> amount over the period
        return x / src.per_second * seconds
    return x / seconds * dst.per_second  # amount over the period -> rate


def mean_rate_m3s(volume: float | np.ndarray, unit: str | Unit, period: Period) -> np.ndarray:
    """Mean discharge (m³/s) of a volume received over a period (4.6 km³ in H1 2025 -> 294)."""
    return convert(volume, unit, M3S, period=period)


def convert_each(
    values: np.ndarray,
    units: np.ndarray,
    to_unit: str | Unit,
    *,
    period_days: np.ndarray | None = None,
    area_km2: np.ndarray | None = None,
) -> np.ndarray:
    """Convert values each given in its own unit (one unit name per value) to one unit.

    ``period_days``/``area_km2``: one per value where the conversion needs them. Values are
    converted in groups of equal unit, vectorised.
    """
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=object)
    out = np.full(values.size, np.nan)
    for name in pd.unique(units):
        m = units == name
        out[m] = convert(
            values[m],
            name,
            to_unit,
            period=None if period_days is None else np.asarray(period_days, dtype=float)[m],
            area_km2=None if area_km2 is None else np.asarray(area_km2, dtype=float)[m],
        )
    return out
