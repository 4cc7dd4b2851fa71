"""Chart data for popups and panels; the page draws the charts itself (``RM.chart`` in
rivermap.js) when a popup or panel opens, so a page carries the figures once instead of an SVG
per popup.

Each function returns a small JSON-ready dict: numbers rounded for display, ``None`` where the
data has no figure (left out of the drawing and named "no figure" in its label). The labels
come from :func:`chart_strings` in the page's language; numbers are formatted in the page with
the locale's separators (:func:`maps.i18n.number_symbols`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.styles import COUNTRY_COLOURS, OTHER_COLOUR
from maps import i18n
from maps.i18n import _


def _values(x: np.ndarray, decimals: int = 1) -> list[float | None]:
    v = np.round(np.asarray(x, dtype=float), decimals)
    return [float(a) if np.isfinite(a) else None for a in v]


def _by_month(table: pd.DataFrame, column: str) -> list[float | None]:
    """12 values (January first) of ``column``; None for a month without a figure (a month
    given twice keeps its first row)."""
    months = pd.to_numeric(table["month"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = pd.to_numeric(table[column], errors="coerce")
    values = values.to_numpy(dtype=float, na_value=np.nan)
    calendar = np.isin(months, np.arange(1, 13))
    out = np.full(12, np.nan)
    # written last to first, so the first row of a month is the one that stays
    out[months[calendar][::-1].astype(int) - 1] = values[calendar][::-1]
    return _values(out)


def climatology_chart(table: pd.DataFrame) -> dict:
    """Band of the long-term monthly low–high discharge (m³/s) with the mean as a line.

    ``table``: one row per calendar month with ``month`` (1–12), ``lq``, ``mq``, ``hq``.
    """
    return {
        "kind": "climatology",
        "low": _by_month(table, "lq"),
        "mean": _by_month(table, "mq"),
        "high": _by_month(table, "hq"),
    }


def water_balance_chart(table: pd.DataFrame) -> dict:
    """Monthly precipitation and evapotranspiration (mm) side by side, one pair per month.

    ``table``: ``month`` (1–12), ``precipitation_mm``, ``evapotranspiration_mm``.
    """
    return {
        "kind": "balance",
        "p": _by_month(table, "precipitation_mm"),
        "et": _by_month(table, "evapotranspiration_mm"),
    }


def annual_chart(years: np.ndarray, values: np.ndarray) -> dict:
    """Bars of P − ET (mm) per year from a zero line; the page outlines the selected year."""
    order = np.argsort(np.asarray(years, dtype=int))
    return {
        "kind": "annual",
        "years": np.asarray(years, dtype=int)[order].tolist(),
        "values": _values(np.asarray(values, dtype=float)[order]),
    }


def profile_chart(profile: pd.DataFrame, crossings: pd.DataFrame) -> dict:
    """Elevation (m) along a river from its source (km), coloured by country: the DEM as
    sampled (``raw``, drawn faintly) and the closest never-rising profile (``line``, the main
    one, the ``profiles`` layer's ``elevation_never_rising_m``), with the border crossings.

    ``profile``: ``km_from_source``, ``elevation_m``, ``elevation_never_rising_m``,
    ``country``; ``crossings``: ``km_from_source``, ``from_country``, ``to_country``.
    """
    p = profile.sort_values("km_from_source")
    km = p["km_from_source"].to_numpy(dtype=float)
    z = p["elevation_m"].to_numpy(dtype=float)
    ok = np.isfinite(km) & np.isfinite(z)
    km, z, country = km[ok], z[ok], p["country"].astype(str).to_numpy()[ok]
    line = p["elevation_never_rising_m"].to_numpy(dtype=float)[ok]
    change = np.flatnonzero(country[1:] != country[:-1]) + 1
    starts = np.r_[0, change] if km.size else np.array([], dtype=int)
    codes = list(dict.fromkeys(country.tolist()))
    return {
        "kind": "profile",
        "km": _values(km, 2),
        "raw": _values(z, 1),
        "line": _values(line, 1),
        "runs": [[int(a), str(country[a])] for a in starts],
        "countries": {
            c: {"name": i18n.country(c), "color": COUNTRY_COLOURS.get(c, OTHER_COLOUR)}
            for c in codes
        },
        "crossings": [
            {
                "km": round(float(k), 1),
                "label": f"{i18n.country(a)} → {i18n.country(b)}",
            }
            for k, a, b in zip(
                crossings["km_from_source"],
                crossings["from_country"],
                crossings["to_country"],
                strict=True,
            )
        ],
        "largest_gap_m": round(float(np.nanmax(np.abs(z - line))), 0) if km.size else 0.0,
    }


def chart_strings() -> dict:
    """The charts' words in the page's language (axis titles, legends, hover texts)."""
    return {
        "months": i18n.month_names("abbreviated"),
        "month_letters": i18n.month_names("narrow"),
        "number": i18n.number_symbols(),
        "no_figure": i18n.no_figure(),
        "m3s": i18n.unit_symbol("m3/s"),
        "mm": i18n.unit_symbol("mm"),
        "m": i18n.unit_symbol("m"),
        "km": i18n.unit_symbol("km"),
        "p": _("P"),
        "et": _("ET"),
        "p_long": _("precipitation"),
        "et_long": _("evapotranspiration"),
        "p_minus_et": _("P − ET"),
        "mean": _("mean"),
        "lowest": _("lowest"),
        "highest": _("highest"),
        "band": _("lowest–highest monthly mean on record"),
        "km_axis": _("km from the source"),
        "m_axis": _("m above sea level"),
        "dem_raw": _("DEM as sampled"),
        "consistent": _("never rising downstream"),
        "at_km": _("at km %(km)s"),
        "climatology_label": _("Monthly discharge: lowest, mean and highest"),
        "balance_label": _("Monthly precipitation and evapotranspiration"),
        "annual_label": _("Yearly precipitation minus evapotranspiration"),
        "profile_label": _("Elevation profile from source to mouth"),
    }
