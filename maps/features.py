"""Atlas layers turned into map layers: clipped to the page, simplified, styled, with popups.

Styles come from ``layers.styles`` (the same declarations the GeoPackage uses); a layer's style
columns (``country``, ``width_class``, ``fill_class``, ``radius_class``) are only looked up here.
All geometries are EPSG:4326 lon/lat.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.atlas import Atlas
from layers.basins import basin_id_column
from layers.styles import BASIN_FILL, STYLES, Style, class_value
from maps import display, i18n, memo, popups, tables
from maps.display import Detail
from maps.elements import GeoLayer
from maps.figure_rows import rows_for
from maps.i18n import _

#: drawing order: each layer gets its own map pane so toggling one keeps the stacking
PANES = {
    "basins": 402,
    "lakes": 404,
    "network": 406,
    "borders": 408,
    "casing": 410,
    "rivers": 412,
    "gauges": 414,
    "arrows": 610,
    "crossings": 620,
}


@dataclass(frozen=True)
class View:
    """What one page shows: ``box`` (west, south, east, north; degrees) selects the features
    and cuts the drawn basins, network, lakes and borders (the page's region), ``fit`` is the
    initial view [[S, W], [N, E]], ``focus`` the river ids drawn in full."""

    box: tuple[float, float, float, float]
    fit: list[list[float]]
    detail: Detail
    focus: frozenset[str]
    arrow_spacing_m: float
    #: the basins choropleth is on when the page opens (the overview) or off (river pages)
    basins_shown: bool = True


def clip_rows(frame: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> np.ndarray:
    """Positions of the features that intersect ``box`` (lon/lat), in their original order."""
    return np.sort(frame.sindex.query(shapely.box(*box), predicate="intersects"))


def clip(frame: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The features that intersect ``box`` (whole, not cut), in their original order."""
    return frame.iloc[clip_rows(frame, box)]


def per_feature(atlas: Atlas, layer: str, make, *uses: str) -> list:
    """``make(frame)``: one value per row of the Atlas layer (its popup, tooltip …; or one per
    feature id) in the page's language, made once per Atlas, language and frames (``layer`` and the layers it
    ``uses``): every page of a language takes the rows it shows from the same list."""
    key = ("per-feature", layer, make.__qualname__, i18n.current().code)
    return memo.once(atlas, key + memo.frame_ids(atlas, layer, *uses), lambda: make(atlas[layer]))


def path_style(style: Style, **overrides: object) -> dict:
    """Leaflet path options of a layer style."""
    out = {
        "color": style.color,
        "weight": style.width,
        "opacity": style.opacity,
        "fill": style.kind in ("fill", "point"),
        "fillColor": style.fill_color or style.color,
        "fillOpacity": style.fill_opacity,
        "lineJoin": "round",
        "lineCap": "round",
    }
    if style.dash:
        out["dashArray"] = style.dash
    if style.kind == "point":
        out["radius"] = style.radius
    out.update(overrides)
    return out


def factorize_styles(frame: pd.DataFrame, base: dict) -> tuple[list[dict], list[int]]:
    """Distinct style rows of ``frame`` (columns = Leaflet options) merged over ``base``,
    and each feature's index into them."""
    if frame.empty:
        return [base], []
    codes, uniques = pd.MultiIndex.from_frame(frame).factorize()
    styles = [
        {**base, **dict(zip(frame.columns, (_plain(v) for v in u), strict=True))} for u in uniques
    ]
    return styles, codes.tolist()


def _plain(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


def class_values_of(frame: pd.DataFrame, column: str, classes, default: object) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    codes = pd.to_numeric(frame[column], errors="coerce").fillna(-1).astype(int).to_numpy()
    return class_value(codes, classes)


# ---------- shared by the layers ----------


def shared(atlas: Atlas, layer: str, view: View, make) -> str:
    """A layer's display geometry text, made once per Atlas, layer frame and view (it is the
    same in every language)."""
    return memo.once(atlas, ("geoms", layer, id(atlas[layer]), view.box, view.detail), make)


def line_geometries(geoms: np.ndarray, detail: Detail, keep: np.ndarray) -> str:
    simple = display.simplify_lines(geoms, detail.line_tolerance, keep)
    return display.page_geometries(simple, detail.line_decimals)


def polygon_geometries(
    geoms: np.ndarray, box: tuple[float, float, float, float], tolerance: float, decimals: int
) -> str:
    """Polygons cut at ``box`` (lon/lat), simplified each on its own by ``tolerance`` (degrees)
    and rounded to ``decimals``, as the page's geometry text."""
    simple = display.simplify_polygons(display.clip_to(geoms, box), tolerance, coverage=False)
    return display.page_geometries(simple, decimals)


def pane_name(name: str) -> str:
    return f"rm-{name}-{PANES[name]}"


# ---------- context layers ----------


def network_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """Every reach of the network, thin and not clickable."""
    net = clip(atlas["network"], view.box)
    base = path_style(STYLES["network"], pane=pane_name("network"), interactive=False)

    def make() -> str:
        geoms = display.simplify_lines(net.geometry.values, view.detail.network_tolerance, keep)
        geoms = display.clip_to(geoms, view.box)
        geoms = geoms[~shapely.is_empty(geoms)]
        return display.page_geometries(geoms, view.detail.line_decimals)

    text = shared(atlas, "network", view, make)
    return GeoLayer(name, text, {"styles": [base]})


def borders_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """International boundaries, dashed, with the countries on each side as tooltip."""
    b = clip(atlas["borders"], view.box)
    left, right = _sides(b, "l", "left"), _sides(b, "r", "right")
    tips = [popups.tip(f"{a} | {c}") for a, c in zip(left, right, strict=True)]
    base = path_style(STYLES["borders"], pane=pane_name("borders"))
    return GeoLayer(
        name,
        shared(
            atlas, "borders", view, lambda: line_geometries(b.geometry.values, view.detail, keep)
        ),
        {"styles": [base], "tip": tips},
    )


def _sides(b: pd.DataFrame, code: str, name: str) -> list[str]:
    """The country on one side of each border line: its name in the page's language from the
    ISO code (``adm0_a3_l``/``_r``), else the data's name (``adm0_left``/``_right``)."""
    if f"adm0_a3_{code}" in b:
        return [popups.country_name(c) for c in b[f"adm0_a3_{code}"].fillna("")]
    if f"adm0_{name}" in b:
        return b[f"adm0_{name}"].fillna("").astype(str).tolist()
    return [""] * len(b)


def lakes_layer(atlas: Atlas, view: View, name: str) -> GeoLayer:
    """Lakes and reservoirs; the register's lakes labelled with their name and a popup."""
    frame = atlas["lakes"]
    rows = clip_rows(frame, view.box)
    if "scalerank" in frame:  # labels of the more prominent lakes first (they win overlaps)
        rank = frame["scalerank"].iloc[rows].reset_index(drop=True)
        rows = rows[rank.sort_values(kind="stable").index.to_numpy()]
    lakes = frame.iloc[rows]
    texts = per_feature(atlas, "lakes", lambda f: _lake_texts(atlas, f), "flows")
    named = [texts[r] is not None for r in rows]
    props = {
        "styles": [path_style(STYLES["lakes"], pane=pane_name("lakes"))],
        "tip": [texts[r][0] if n else None for r, n in zip(rows, named, strict=True)],
        "label": named,
        "popup": [str(i) if n else None for i, n in enumerate(named)],
        "popups": {str(i): texts[r][1] for i, r in enumerate(rows) if texts[r] is not None},
        "key": lakes["lake_id"].fillna("").tolist() if "lake_id" in lakes else None,
    }

    text = shared(
        atlas,
        "lakes",
        view,
        lambda: polygon_geometries(
            lakes.geometry.values, view.box, view.detail.line_tolerance, view.detail.line_decimals
        ),
    )
    return GeoLayer(name, text, props)


def _lake_texts(atlas: Atlas, lakes: pd.DataFrame) -> list[tuple | None]:
    """Per lake: (tooltip, popup) of a register lake (it has a ``lake_id``), else None."""
    if "lake_id" not in lakes:
        return [None] * len(lakes)
    flows = atlas["flows"] if "flows" in atlas else None
    named = (lakes["lake_id"].fillna("") != "").to_numpy()
    return [
        (
            popups.tip(popups.local_name(r, str(r.get("display_name", "")))),
            popups.lake_popup(r, rows_for(flows, lake=str(r.get("lake_id")))),
        )
        if n
        else None
        for r, n in zip(lakes.drop(columns="geometry").to_dict("records"), named, strict=True)
    ]


def basins_classed(atlas: Atlas) -> bool:
    """Whether the basins are coloured by P − ET: the flows step set ``fill_class`` or there
    is a monthly water balance (the layer's name and legend say so)."""
    return BASIN_FILL.column in atlas["basins"] or "water_balance_monthly" in atlas


def basins_layer(atlas: Atlas, view: View, name: str, *, show: bool = True) -> GeoLayer:
    """Basins filled by ``fill_class`` (P − ET) where the flows step set it, with area per
    country and the water balance charts in the popup."""
    style = STYLES["basins"]
    rows = clip_rows(atlas["basins"], view.box)
    basins = atlas["basins"].iloc[rows]
    bid = basin_id_column(basins, "basins")
    label = style.label_column if style.label_column in basins else bid
    fill = class_values_of(basins, BASIN_FILL.column, BASIN_FILL, style.fill_color)
    styles, index = factorize_styles(
        pd.DataFrame({"fillColor": fill}), path_style(style, pane=pane_name("basins"))
    )
    texts = per_feature(
        atlas,
        "basins",
        lambda f: _basin_texts(atlas, f, bid, label),
        "water_balance_monthly",
        "water_balance_yearly",
    )
    keys = [texts[r][0] for r in rows]
    pops = {}
    for r in rows:  # a repeated id keeps its first place and its last popup, like a dict literal
        pops[texts[r][0]] = texts[r][2]
    props = {
        "styles": styles,
        "style": index,
        "tip": [texts[r][1] for r in rows],
        "popup": keys,
        "popups": pops,
        "key": keys,
    }

    text = shared(
        atlas,
        "basins",
        view,
        lambda: polygon_geometries(
            basins.geometry.values,
            view.box,
            view.detail.polygon_tolerance,
            view.detail.polygon_decimals,
        ),
    )
    return GeoLayer(name, text, props, show=show)


def _basin_texts(atlas: Atlas, basins: pd.DataFrame, bid: str, label: str) -> list[tuple]:
    """Per basin: (its id as text, tooltip, popup with the water balance charts)."""
    key = ("basin charts", bid, *memo.frame_ids(atlas, "basins", *_BALANCE))
    charts, period = memo.once(atlas, key, lambda: _basin_charts(atlas, basins, bid))
    return [
        (
            str(r[bid]),
            popups.tip(r.get(label, ""), _("click for area and water balance")),
            popups.basin_popup(r, bid, label, charts[i], period),
        )
        for i, r in enumerate(basins.drop(columns="geometry").to_dict("records"))
    ]


_BALANCE = ("water_balance_monthly", "water_balance_yearly")


def _basin_charts(atlas: Atlas, basins: pd.DataFrame, bid: str) -> tuple[list[list[dict]], str]:
    """Per basin row, the data of its water balance charts, and the period: the same in every
    language, made once per Atlas."""
    monthly, yearly, period = _water_balance(atlas, bid)
    charts = [
        popups.basin_charts(
            monthly.loc[monthly[bid] == key] if monthly is not None else None,
            yearly.loc[yearly[bid] == key] if yearly is not None else None,
        )
        for key in basins[bid]
    ]
    return charts, period


def _water_balance(atlas: Atlas, bid: str):
    if "water_balance_monthly" not in atlas:
        return None, None, ""
    wb = atlas["water_balance_monthly"]
    if bid not in wb.columns:
        return None, None, ""
    yearly = atlas["water_balance_yearly"] if "water_balance_yearly" in atlas else None
    return tables.monthly_means(wb, bid), yearly, tables.period_label(wb)


def year_config(atlas: Atlas, view: View) -> dict | None:
    """The year selector's data (see :func:`maps.tables.year_classes`), or None without a
    monthly water balance."""

    def make() -> dict | None:
        basins = clip(atlas["basins"], view.box)
        bid = basin_id_column(basins, "basins")
        _, yearly, _ = _water_balance(atlas, bid)
        if yearly is None or yearly.empty:
            return None
        return tables.year_classes(yearly.loc[yearly[bid].isin(basins[bid])], bid, basins)

    uses = memo.frame_ids(atlas, "basins", "water_balance_monthly", "water_balance_yearly")
    return memo.once(atlas, ("year", view.box, *uses), make)
