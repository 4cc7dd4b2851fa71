"""Flow units: conversions with the real period length and the basin's area, there and back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import FlowTableError, UnitError
from layers.units import (
    KM3,
    M3S,
    UNITS,
    Period,
    convert,
    convert_each,
    mean_rate_m3s,
    parse_unit,
)

H1_2025 = Period.parse("2025-01-01", "2025-06-30")


def test_half_year_lengths_are_real_calendar_days():
    assert H1_2025.days == 181
    assert Period.parse("2024-01-01", "2024-06-30").days == 182  # leap year
    assert Period.parse("2024-01-01", "2024-12-31").days == 366
    assert Period.parse("01.07.2025", "31.12.2025").days == 184
    assert H1_2025.label == "2025-01-01/2025-06-30"


def test_article_volumes_as_mean_discharge():
    # 4.6 km³ over the 181 days of H1 2025: 4.6e9 m³ / (181 * 86400 s)
    assert mean_rate_m3s(4.6, "km3", H1_2025) == pytest.approx(294.1477, abs=1e-3)
    assert mean_rate_m3s(5.6, "bcm", H1_2025) == pytest.approx(358.0929, abs=1e-3)
    # the same volume over the leap half-year 2024 is a smaller mean
    h1_2024 = Period.parse("2024-01-01", "2024-06-30")
    assert mean_rate_m3s(4.6, "km3", h1_2024) == pytest.approx(4.6e9 / (182 * 86400))


def test_volume_of_a_mean_discharge_over_a_period():
    # Buran's 297.09 m³/s over a Julian year is the catalogue's 9.37 km³/yr
    assert convert(297.09, "m3/s", "km3/yr") == pytest.approx(9.3754, abs=1e-4)
    assert convert(294.1477, M3S, KM3, period=H1_2025) == pytest.approx(4.6, abs=1e-5)


def test_depth_over_a_basin_area():
    assert convert(1.0, "mm", "m3", area_km2=1000.0) == pytest.approx(1e6)
    assert convert(1.0, "km3", "mm", area_km2=1000.0) == pytest.approx(1000.0)
    # the Ertis basin's 56.26 mm/yr of P - ET over its 492,520 km² (equal-area)
    assert convert(56.258333, "mm/yr", "km3/yr", area_km2=492520.24) == pytest.approx(
        27.708, abs=1e-3
    )
    # one area per value
    got = convert([1.0, 2.0], "mm", "km3", area_km2=np.array([1000.0, 500.0]))
    assert got == pytest.approx([0.001, 0.001])


@pytest.mark.parametrize(
    "text, name",
    [
        ("km3", "km3"),
        ("km³", "km3"),
        ("BCM", "km3"),
        ("billion m3", "km3"),
        ("млрд м3", "km3"),
        ("m³/s", "m3/s"),
        ("cumecs", "m3/s"),
        ("mln m3", "million m3"),
        ("%", "percent"),
        ("mm/year", "mm/yr"),
    ],
)
def test_unit_spellings(text, name):
    assert parse_unit(text).name == name


def test_unknown_unit_lists_the_accepted_ones():
    with pytest.raises(UnitError, match=r"unknown unit 'acre-feet'; accepted: m3/s .*km3") as e:
        parse_unit("acre-feet", where="flows.csv, column 'Q'")
    assert "flows.csv, column 'Q'" in str(e.value)
    assert "\n" not in str(e.value)
    assert isinstance(e.value, FlowTableError)  # UnitError is a FlowTableError


def test_conversions_that_need_more_say_what():
    with pytest.raises(UnitError, match="needs the period"):
        convert(4.6, "km3", "m3/s")
    with pytest.raises(UnitError, match="needs the basin's area"):
        convert(10.0, "mm", "km3")
    with pytest.raises(UnitError, match="different kinds"):
        convert(70.0, "percent", "km3")
    with pytest.raises(UnitError, match="must be > 0"):
        convert(10.0, "mm", "km3", area_km2=0.0)
    with pytest.raises(UnitError, match="ends before it starts"):
        Period.parse("2025-06-30", "2025-01-01")
    with pytest.raises(UnitError, match=r"'31.02.2025' is not a date"):
        Period.parse("31.02.2025", "2025-06-30")


def test_percent_and_fraction():
    assert convert(70.0, "percent", "fraction") == pytest.approx(0.7)
    assert convert(0.32, "m", "m") == pytest.approx(0.32)


def test_convert_each_groups_by_unit():
    got = convert_each(
        np.array([4.6, 5600.0, 294.1477]),
        np.array(["km3", "million m3", "m3/s"]),
        "km3",
        period_days=np.array([181, 181, 181]),
    )
    assert got == pytest.approx([4.6, 5.6, 4.6], abs=1e-5)


WATER = [u for u in UNITS if u.kind == "water"]


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(
        lambda v: v == 0 or abs(v) > 1e-9
    ),
    a=st.sampled_from(WATER),
    b=st.sampled_from(WATER),
    start=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=40 * 366),
    area=st.floats(min_value=0.01, max_value=5e6),
)
def test_there_and_back_returns_the_input(value, a, b, start, days, area):
    period = Period(start, start + dt.timedelta(days=days - 1))
    there = convert(value, a, b, period=period, area_km2=area)
    back = convert(there, b, a, period=period, area_km2=area)
    assert float(back) == pytest.approx(value, rel=1e-9, abs=1e-9)
