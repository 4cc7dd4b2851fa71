"""Small SVG charts for popups and panels, drawn from Jinja templates (no chart library).

Each function scales the figures it is given to pixel positions with numpy and renders one
``chart_*.svg.j2`` template; every label is escaped by the template. Values are shown as given:
a missing value is left out of the drawing and named "no figure" in its label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup

from layers.styles import COUNTRY_COLOURS, COUNTRY_NAMES, OTHER_COLOUR
from maps.templating import num, render

MONTHS = "JFMAMJJASOND"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Frame:
    """The plotting area of a chart in SVG pixels: ``width``×``height`` with margins."""

    width: int = 300
    height: int = 130
    left: int = 36
    right: int = 6
    top: int = 8
    bottom: int = 18

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top


def nice_ticks(lo: float, hi: float, n: int = 4) -> np.ndarray:
    """Round tick values (1, 2, 2.5, 5 × 10^k steps) covering ``[lo, hi]``."""
    if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** np.floor(np.log10(raw))
    step = mag * min((s for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10)
    return np.arange(np.floor(lo / step) * step, hi + step * 0.999, step)


def _scale(values: np.ndarray, lo: float, hi: float, a: float, b: float) -> np.ndarray:
    return a + (np.asarray(values, dtype=float) - lo) / (hi - lo) * (b - a)


def _y_axis(frame: Frame, ticks: np.ndarray, unit: str) -> list[dict]:
    ys = _scale(ticks, ticks[0], ticks[-1], frame.y0, frame.y1)
    return [
        {"y": round(y, 1), "label": num(t, 0 if t == int(t) else 1)}
        for t, y in zip(ticks, ys, strict=True)
    ]


def climatology_chart(table: pd.DataFrame, unit: str = "m³/s") -> Markup:
    """Band of the long-term monthly low–high discharge with the mean as a line.

    ``table``: one row per calendar month with ``month`` (1–12), ``lq``, ``mq``, ``hq``.
    """
    t = table.sort_values("month")
    f = Frame()
    ticks = nice_ticks(0.0, float(np.nanmax(t[["lq", "mq", "hq"]].to_numpy(dtype=float))))
    x = _scale(t["month"].to_numpy(), 0.5, 12.5, f.x0, f.x1)
    y = {
        k: _scale(t[k].to_numpy(dtype=float), ticks[0], ticks[-1], f.y0, f.y1)
        for k in ("lq", "mq", "hq")
    }
    band_ok = np.isfinite(y["lq"]) & np.isfinite(y["hq"])
    band = np.r_[np.c_[x, y["hq"]][band_ok], np.c_[x, y["lq"]][band_ok][::-1]]
    mean_ok = np.isfinite(y["mq"])
    points = [
        {
            "x": round(xi, 1),
            "y": round(yi, 1),
            "title": f"{MONTH_NAMES[int(m) - 1]}: mean {num(mq)} {unit} "
            f"(lowest {num(lq)}, highest {num(hq)})",
        }
        for xi, yi, m, lq, mq, hq in zip(
            x[mean_ok],
            y["mq"][mean_ok],
            t["month"][mean_ok],
            t["lq"][mean_ok],
            t["mq"][mean_ok],
            t["hq"][mean_ok],
            strict=True,
        )
    ]
    return render(
        "chart_climatology.svg.j2",
        f=f,
        band=_path(band, close=True),
        line=_path(np.c_[x, y["mq"]][mean_ok]),
        points=points,
        yaxis=_y_axis(f, ticks, unit),
        xaxis=[
            {"x": round(v, 1), "label": MONTHS[i]}
            for i, v in enumerate(_scale(np.arange(1, 13), 0.5, 12.5, f.x0, f.x1))
        ],
        unit=unit,
    )


def water_balance_chart(table: pd.DataFrame) -> Markup:
    """Monthly precipitation and evapotranspiration (mm) side by side, one pair per month.

    ``table``: ``month`` (1–12), ``precipitation_mm``, ``evapotranspiration_mm``.
    """
    t = table.sort_values("month")
    f = Frame(height=120)
    values = t[["precipitation_mm", "evapotranspiration_mm"]].to_numpy(dtype=float)
    ticks = nice_ticks(0.0, float(np.nanmax(values)) if np.isfinite(values).any() else 1.0)
    slot = (f.x1 - f.x0) / 12.0
    x = f.x0 + (t["month"].to_numpy() - 1) * slot
    bars = []
    for k, (col, cls, label) in enumerate(
        (("precipitation_mm", "rm-p", "P"), ("evapotranspiration_mm", "rm-et", "ET"))
    ):
        v = t[col].to_numpy(dtype=float)
        top = _scale(np.nan_to_num(v), ticks[0], ticks[-1], f.y0, f.y1)
        bars += [
            {
                "x": round(xi + slot * (0.12 + 0.38 * k), 1),
                "y": round(yi, 1),
                "w": round(slot * 0.38, 1),
                "h": round(f.y0 - yi, 1),
                "cls": cls,
                "title": f"{MONTH_NAMES[int(m) - 1]}: {label} {num(vi)} mm",
            }
            for xi, yi, m, vi in zip(x, top, t["month"], v, strict=True)
            if np.isfinite(vi)
        ]
    return render(
        "chart_water_balance.svg.j2",
        f=f,
        bars=bars,
        yaxis=_y_axis(f, ticks, "mm"),
        xaxis=[{"x": round(f.x0 + (i + 0.5) * slot, 1), "label": MONTHS[i]} for i in range(12)],
    )


def annual_chart(years: np.ndarray, values: np.ndarray, label: str = "P − ET") -> Markup:
    """Bars of one figure per year from a zero line (blue above, red below), each bar
    classed ``rm-yb-<year>`` so the page can highlight the selected year."""
    years = np.asarray(years, dtype=int)
    v = np.asarray(values, dtype=float)
    f = Frame(height=90, bottom=16)
    finite = v[np.isfinite(v)]
    lo, hi = (min(0.0, finite.min()), max(0.0, finite.max())) if finite.size else (0.0, 1.0)
    ticks = nice_ticks(lo, hi, 3)
    slot = (f.x1 - f.x0) / max(len(years), 1)
    zero = float(_scale(0.0, ticks[0], ticks[-1], f.y0, f.y1))
    ys = _scale(np.nan_to_num(v), ticks[0], ticks[-1], f.y0, f.y1)
    bars = [
        {
            "x": round(f.x0 + k * slot + slot * 0.12, 1),
            "y": round(min(y, zero), 1),
            "w": round(slot * 0.76, 1),
            "h": round(abs(zero - y), 1),
            "year": int(yr),
            "cls": "rm-pos" if vi >= 0 else "rm-neg",
            "title": f"{yr}: {label} {num(vi)} mm",
        }
        for k, (yr, vi, y) in enumerate(zip(years, v, ys, strict=True))
        if np.isfinite(vi)
    ]
    marks = [0, len(years) // 2, len(years) - 1] if len(years) else []
    xaxis = [
        {"x": round(f.x0 + (k + 0.5) * slot, 1), "label": str(years[k])} for k in sorted(set(marks))
    ]
    return render(
        "chart_annual.svg.j2",
        f=f,
        bars=bars,
        zero=round(zero, 1),
        yaxis=_y_axis(f, ticks, "mm"),
        xaxis=xaxis,
    )


def profile_chart(profile: pd.DataFrame, crossings: pd.DataFrame) -> Markup:
    """Elevation (m) along a river from its source (km), coloured by country, with the
    border crossings as dashed lines. ``profile``: ``km_from_source``, ``elevation_m``,
    ``country``; ``crossings``: ``km_from_source``, ``direction``."""
    p = profile.sort_values("km_from_source")
    f = Frame(width=480, height=150, left=44, right=18, bottom=22)
    km = p["km_from_source"].to_numpy(dtype=float)
    z = p["elevation_m"].to_numpy(dtype=float)
    ok = np.isfinite(km) & np.isfinite(z)
    km, z, country = km[ok], z[ok], p["country"].to_numpy()[ok]
    end = float(km.max()) if km.size and km.max() > 0 else 1.0
    xt = nice_ticks(0.0, end, 5)
    xt = xt[xt <= end]
    yt = nice_ticks(float(z.min()) if z.size else 0.0, float(z.max()) if z.size else 1.0, 4)
    x = _scale(km, 0.0, end, f.x0, f.x1)
    y = _scale(z, yt[0], yt[-1], f.y0, f.y1)
    # one polyline per run of the same country, sharing the boundary vertex
    change = np.flatnonzero(country[1:] != country[:-1]) + 1
    starts, ends = np.r_[0, change], np.r_[change, len(km)]
    runs = (
        [
            {
                "d": _path(np.c_[x, y][a : min(b + 1, len(km))]),
                "color": COUNTRY_COLOURS.get(str(country[a]), OTHER_COLOUR),
                "name": COUNTRY_NAMES.get(str(country[a]), str(country[a])),
            }
            for a, b in zip(starts, ends, strict=True)
        ]
        if km.size
        else []
    )
    area = _path(np.r_[np.c_[x, y], [[x[-1], f.y0], [x[0], f.y0]]], close=True) if km.size else ""
    cx = _scale(crossings["km_from_source"].to_numpy(dtype=float), 0.0, end, f.x0, f.x1)
    marks = [
        {"x": round(xi, 1), "label": str(d), "title": f"{d} at km {num(k)}"}
        for xi, d, k in zip(cx, crossings["direction"], crossings["km_from_source"], strict=True)
    ]
    legend = list({r["name"]: r for r in runs}.values())
    return render(
        "chart_profile.svg.j2",
        f=f,
        runs=runs,
        area=area,
        marks=marks,
        legend=legend,
        yaxis=_y_axis(f, yt, "m"),
        xaxis=[
            {"x": round(v, 1), "label": num(t)}
            for t, v in zip(xt, _scale(xt, 0.0, end, f.x0, f.x1), strict=True)
        ],
    )


def _path(xy: np.ndarray, *, close: bool = False, tolerance: float = 0.3) -> str:
    """SVG path data ``Mx,y Lx,y ...`` (numbers only) for ``(n, 2)`` pixel positions,
    simplified to ``tolerance`` pixels."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        return ""
    if len(xy) > 2:
        xy = shapely.get_coordinates(shapely.simplify(shapely.LineString(xy), tolerance))
    r = np.round(xy, 1).astype(str)
    pts = np.char.add(np.char.add(r[:, 0], ","), r[:, 1])
    return "M" + " L".join(pts.tolist()) + (" Z" if close else "")
