"""Layer styles, declared once and used by both the Folium maps and the GeoPackage's QGIS styles.

Styles are data: a layer's features carry *style columns* computed here, vectorised (a category
such as ``country``, a class number such as ``width_class`` from ``pd.cut`` of a flow figure);
the map's style function and the QML/SLD documents only look those columns up. Widths are
screen pixels (QGIS gets millimetres: 1 px = 0.26 mm at 96 dpi).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PX_TO_MM = 0.26

#: one colour per country code, colour-blind-safe (Okabe-Ito), used wherever a country is coloured
COUNTRY_COLOURS: dict[str, str] = {
    "CHN": "#D55E00",
    "KAZ": "#0072B2",
    "RUS": "#009E73",
    "KGZ": "#CC79A7",
    "MNG": "#E69F00",
    "UZB": "#F0E442",
    "TJK": "#56B4E9",
}
OTHER_COLOUR = "#777777"

COUNTRY_NAMES: dict[str, str] = {
    "CHN": "China",
    "KAZ": "Kazakhstan",
    "RUS": "Russia",
    "KGZ": "Kyrgyzstan",
    "MNG": "Mongolia",
    "UZB": "Uzbekistan",
    "TJK": "Tajikistan",
}


@dataclass(frozen=True)
class Category:
    """One value of a categorical style column: its colour and legend label."""

    value: str
    color: str
    label: str


@dataclass(frozen=True)
class Classes:
    """Numeric classes of a style column: ``bins`` edges (len n+1) and one value per class.

    ``values`` are widths in px (for lines), radii in px (for points) or colours (fills).
    Class ``-1`` means "no figure" and uses ``missing``.
    """

    column: str
    source_column: str
    unit: str
    bins: tuple[float, ...]
    values: tuple[float | str, ...]
    missing: float | str
    labels: tuple[str, ...] = ()

    def legend(
        self,
        number: Callable[[float], str] | None = None,
        with_unit: Callable[[str, str], str] | None = None,
        no_figure: str = "no figure",
    ) -> list[tuple[str, float | str]]:
        """``(label, style value)`` per class then for "no figure"; open-ended classes read
        ``< 0 mm/yr`` and ``≥ 400 m³/s`` (used by the HTML legend and the QGIS styles alike).

        ``number`` formats a class edge and ``with_unit(text, unit)`` adds the unit (the maps
        pass their locale's; the defaults write ``1,000`` and ``text unit``)."""
        number = number or _fmt
        with_unit = with_unit or (lambda text, unit: f"{text} {unit}")
        labels = self.labels or tuple(
            with_unit(_class_range(a, b, number), self.unit)
            for a, b in zip(self.bins[:-1], self.bins[1:], strict=True)
        )
        return [*zip(labels, self.values, strict=True), (no_figure, self.missing)]


def _class_range(lo: float, hi: float, number: Callable[[float], str]) -> str:
    if np.isinf(lo):
        return f"< {number(hi)}"
    if np.isinf(hi):
        return f"≥ {number(lo)}"
    return f"{number(lo)}–{number(hi)}"


@dataclass(frozen=True)
class Style:
    """How one layer is drawn.

    ``kind``: ``line``, ``fill`` or ``point``. ``color``/``width``/``radius``: defaults;
    ``color_by``: categorical style column with its categories; ``width_by``/``radius_by``/
    ``fill_by``: numeric class columns. ``dash`` is an SVG dash array ("6 4") or empty.
    """

    layer: str
    title: str
    kind: str
    color: str
    width: float = 1.0
    opacity: float = 1.0
    fill_color: str = ""
    fill_opacity: float = 0.0
    radius: float = 5.0
    dash: str = ""
    label_column: str = ""
    #: labels only at map scales of 1:label_max_scale or larger (zoomed in); 0: always
    label_max_scale: float = 0.0
    #: QGIS label priority 0–10 (higher wins where labels collide)
    label_priority: int = 5
    color_by: str = ""
    categories: tuple[Category, ...] = ()
    width_by: Classes | None = None
    radius_by: Classes | None = None
    fill_by: Classes | None = None
    #: ``(column, value)``: lines whose ``column`` equals ``value`` are drawn dashed (as the
    #: HTML maps draw them), whatever rule picked their colour and width
    dash_when: tuple[str, str] = ()
    extra: dict = field(default_factory=dict)

    def color_of(self, value: object) -> str:
        for c in self.categories:
            if c.value == value:
                return c.color
        return self.color


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:g}"


def country_categories(codes: list[str] | None = None) -> tuple[Category, ...]:
    codes = codes or list(COUNTRY_COLOURS)
    return tuple(
        Category(c, COUNTRY_COLOURS.get(c, OTHER_COLOUR), COUNTRY_NAMES.get(c, c)) for c in codes
    )


#: line width of traced rivers by mean discharge (m³/s) where a figure exists
FLOW_WIDTH = Classes(
    column="width_class",
    source_column="mean_discharge_m3s",
    unit="m³/s",
    bins=(0.0, 50.0, 150.0, 400.0, np.inf),
    values=(2.5, 4.0, 6.0, 8.5),
    missing=3.0,
)

#: gauge marker radius by long-term mean discharge (m³/s)
GAUGE_RADIUS = Classes(
    column="radius_class",
    source_column="mean_discharge_m3s",
    unit="m³/s",
    bins=(0.0, 10.0, 50.0, 200.0, 500.0, np.inf),
    values=(3.0, 5.0, 7.0, 9.0, 12.0),
    missing=3.0,
)

#: basin fill by mean annual precipitation minus evapotranspiration (mm/yr), 2000–2023
BASIN_FILL = Classes(
    column="fill_class",
    source_column="p_minus_et_mm_per_year",
    unit="mm/yr",
    bins=(-np.inf, 0.0, 20.0, 40.0, 80.0, np.inf),
    values=("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"),
    missing="#dddddd",
)


#: monthly basin fill by that month's precipitation minus evapotranspiration (mm)
MONTHLY_FILL = Classes(
    column="delta_s_class",
    source_column="delta_s_mm",
    unit="mm",
    bins=(-np.inf, -20.0, 0.0, 10.0, 25.0, np.inf),
    values=BASIN_FILL.values,
    missing="#dddddd",
)


def classify(values: pd.Series | np.ndarray, classes: Classes) -> np.ndarray:
    """Class number (0..n-1) of each value by ``classes.bins``; -1 where there is no figure."""
    codes = pd.cut(
        pd.to_numeric(pd.Series(values), errors="coerce"),
        bins=list(classes.bins),
        labels=False,
        include_lowest=True,
    )
    return codes.fillna(-1).astype(int).to_numpy()


def class_value(codes: np.ndarray, classes: Classes) -> np.ndarray:
    """The style value (width, radius or colour) of each class number."""
    table = np.asarray([*classes.values, classes.missing], dtype=object)
    return table[np.where(np.asarray(codes) < 0, len(classes.values), codes)]


STYLES: dict[str, Style] = {
    "basins": Style(
        "basins",
        "Basins",
        "fill",
        color="#555555",
        width=1.0,
        fill_color="#dddddd",
        fill_opacity=0.25,
        label_column="WATERSHED_NAME",
        fill_by=BASIN_FILL,
    ),
    "basins_monthly": Style(
        "basins_monthly",
        "Basins by month (P − ET of the month)",
        "fill",
        color="#555555",
        width=0.6,
        fill_color="#dddddd",
        fill_opacity=0.6,
        fill_by=MONTHLY_FILL,
    ),
    "lakes": Style(
        "lakes",
        "Lakes and reservoirs",
        "fill",
        color="#1f78b4",
        width=0.8,
        fill_color="#a6cee3",
        fill_opacity=0.85,
        label_column="name_en",  # NULL for an unnamed lake: no "unnamed lake" labels in QGIS
        label_max_scale=12_000_000,
    ),
    "borders": Style(
        "borders", "International borders", "line", color="#222222", width=1.6, dash="6 4"
    ),
    "network": Style(
        "network",
        "River network",
        "line",
        color="#5b8db8",
        width=0.9,
        opacity=0.8,
        label_column="name",  # where the network has names: only when zoomed in
        label_max_scale=1_000_000,
    ),
    "rivers": Style(
        "rivers",
        "Traced rivers (colour: country of the reach)",
        "line",
        color=OTHER_COLOUR,
        width=3.0,
        # no label: the river's name is on its course (river_courses), once, not per piece
        color_by="country",
        categories=country_categories(),
        width_by=FLOW_WIDTH,
        # a modelled discharge (not measured, not published) is dashed, as on the HTML maps
        dash_when=("discharge_kind", "modelled"),
    ),
    "river_courses": Style(
        "river_courses",
        "River courses (mainstem)",
        "line",
        color="#08306b",
        width=1.2,
        opacity=0.9,
        label_column="name_en",
        label_priority=8,
    ),
    "crossings": Style(
        "crossings",
        "Border crossings",
        "point",
        color="#000000",
        fill_color="#ffd700",
        fill_opacity=1.0,
        radius=8.0,
        label_column="direction",
        label_priority=7,
    ),
    "gauges": Style(
        "gauges",
        "GRDC gauges (size: long-term mean discharge)",
        "point",
        color="#08306b",
        fill_color="#6baed6",
        fill_opacity=0.9,
        radius=5.0,
        label_column="station",
        label_max_scale=2_500_000,  # 54 gauges: named only when zoomed in
        radius_by=GAUGE_RADIUS,
    ),
}
