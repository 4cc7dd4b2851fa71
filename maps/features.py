"""Atlas layers turned into map layers: clipped to the page, simplified, styled, with popups.

Styles come from ``layers.styles`` (the same declarations the GeoPackage uses); a layer's style
columns (``country``, ``width_class``, ``fill_class``, ``radius_class``) are only looked up here.
All geometries are EPSG:4326 lon/lat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.course import point_at
from layers.atlas import Atlas
from layers.basins import basin_id_column
from layers.styles import BASIN_FILL, FLOW_WIDTH, STYLES, Style, class_value
from maps import display, i18n, memo, popups, tables
from maps.display import Detail
from maps.elements import ArrowLayer, GeoLayer
from maps.figure_rows import flow_tips, rows_for
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
#: how much less the rivers that are not the page's subject stand out
CONTEXT_OPACITY = 0.5
#: the traced mainstem's casing is this many pixels wider than its widest reach
CASING_PX = 2.5
#: arrows: level k is spacing / 2**k apart (levels 0-3)
ARROW_LEVELS = 4


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


def clip(frame: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The features that intersect ``box`` (whole, not cut), in their original order."""
    hits = np.sort(frame.sindex.query(shapely.box(*box), predicate="intersects"))
    return frame.iloc[hits]


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


# ---------- rivers ----------


def river_layers(
    atlas: Atlas, view: View, keep: np.ndarray, name: str, casing_name: str
) -> tuple[GeoLayer, GeoLayer]:
    """Traced rivers by country (width by ``width_class``) and the traced mainstem of the
    page's rivers as a dark casing under them: ``(rivers, casing)``; add the casing after
    the rivers (it reads their geometries; its pane keeps it below)."""
    style = STYLES["rivers"]
    pieces = clip(atlas["rivers"], view.box)
    colours = {c.value: c.color for c in style.categories}
    width = class_values_of(pieces, FLOW_WIDTH.column, FLOW_WIDTH, style.width).astype(float)
    focus = pieces["river_id"].isin(view.focus).to_numpy()
    modelled = (
        pieces["discharge_kind"].eq("modelled").to_numpy()
        if "discharge_kind" in pieces
        else np.zeros(len(pieces), bool)
    )
    look = pd.DataFrame(
        {
            "color": pieces["country"].map(colours).fillna(style.color).to_numpy(),
            "weight": width,
            "opacity": np.where(focus, 1.0, CONTEXT_OPACITY),
            "dashArray": np.where(modelled, "6 4", ""),
        }
    )
    styles, index = factorize_styles(look, path_style(style, pane=pane_name("rivers")))
    geoms = _shared(
        atlas, "rivers", view, lambda: _lines(pieces.geometry.values, view.detail, keep)
    )
    courses = atlas["river_courses"]
    parents = {r["river_id"]: r for r in courses.drop(columns="geometry").to_dict("records")}
    river_popups = popups.river_popups(
        courses.loc[courses["river_id"].isin(pieces["river_id"])],
        parents,
        popups.lake_index(atlas["lakes"]),
        atlas["flows"] if "flows" in atlas else None,
    )
    lang = i18n.current().code
    local = pieces[f"name_{lang}"] if f"name_{lang}" in pieces else pieces["name_en"]
    flow = flow_tips(pieces)
    tips = [
        popups.tip(
            n or en,
            popups.country_name(c),
            _("km %(start)s–%(end)s from the source")
            % {"start": i18n.number(a), "end": i18n.number(b)},
            f,
        )
        for n, en, c, a, b, f in zip(
            local.fillna(""),
            pieces["name_en"],
            pieces["country"],
            pieces["km_from_source_start"],
            pieces["km_from_source_end"],
            flow,
            strict=True,
        )
    ]
    props = {
        "styles": styles,
        "style": index,
        "tip": tips,
        "popup": pieces["river_id"].tolist(),
        "popups": river_popups,
        "key": pieces["river_id"].tolist(),
    }
    rivers = GeoLayer(name, geoms, props)
    return rivers, _casing(rivers, np.flatnonzero(focus), width[focus], casing_name)


def _casing(rivers: GeoLayer, rows: np.ndarray, width: np.ndarray, name: str) -> GeoLayer:
    """The traced mainstem of the page's rivers: a dark line ``CASING_PX`` wider than each
    reach, drawn under it (own pane); it reuses the rivers layer's geometries in the page."""
    styles, index = factorize_styles(
        pd.DataFrame({"weight": width + CASING_PX}),
        path_style(
            STYLES["river_courses"], pane=pane_name("casing"), interactive=False, opacity=0.85
        ),
    )
    geoms = (
        f"{json.dumps(rows.tolist())}.map(function (i) {{ return {rivers.get_name()}_geoms[i]; }})"
    )
    return GeoLayer(name, geoms, {"styles": styles, "style": index})


def _shared(atlas: Atlas, layer: str, view: View, make) -> str:
    """A layer's display geometry text, made once per Atlas, layer frame and view (it is the
    same in every language)."""
    return memo.once(atlas, ("geoms", layer, id(atlas[layer]), view.box, view.detail), make)


def _lines(geoms: np.ndarray, detail: Detail, keep: np.ndarray) -> str:
    simple = display.simplify_lines(geoms, detail.line_tolerance, keep)
    return display.geojson_array(display.round_coords(simple, detail.line_decimals))


def pane_name(name: str) -> str:
    return f"rm-{name}-{PANES[name]}"


def arrow_layer(atlas: Atlas, view: View, name: str) -> ArrowLayer:
    """Arrows pointing downstream along each traced river, on the reaches it owns (a
    headwater's arrows are placed by the headwater), every ``spacing / 2**level`` metres."""
    pieces = clip(atlas["rivers"], view.box)
    step = view.arrow_spacing_m / 2 ** (ARROW_LEVELS - 1)
    rows = []
    for rid, own in pieces.groupby("river_id"):
        course = atlas.traced.course[rid]
        k = np.arange(int(course.length_m // step) + 1)
        d = (k + 0.5) * step
        start = own["km_from_source_start"].to_numpy() * 1000.0
        end = own["km_from_source_end"].to_numpy() * 1000.0
        inside = ((d[:, None] >= start) & (d[:, None] < end)).any(axis=1)
        d, k = d[inside], k[inside]
        at = point_at(course, d)
        bearing = display.screen_bearing(point_at(course, d - 500.0), point_at(course, d + 500.0))
        level = np.select([k % 8 == 0, k % 4 == 0, k % 2 == 0], [0, 1, 2], 3)
        rows.append(np.c_[np.round(at[:, 1], 4), np.round(at[:, 0], 4), np.round(bearing), level])
    points = np.vstack(rows).tolist() if rows else []
    return ArrowLayer(name, points, spacing_m=view.arrow_spacing_m, pane=pane_name("arrows"))


# ---------- context layers ----------


def network_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """Every reach of the network, thin and not clickable."""
    net = clip(atlas["network"], view.box)
    base = path_style(STYLES["network"], pane=pane_name("network"), interactive=False)

    def make() -> str:
        geoms = display.simplify_lines(net.geometry.values, view.detail.network_tolerance, keep)
        geoms = display.clip_to(geoms, view.box)
        geoms = geoms[~shapely.is_empty(geoms)]
        return display.geojson_array(display.round_coords(geoms, view.detail.line_decimals))

    text = _shared(atlas, "network", view, make)
    return GeoLayer(name, text, {"styles": [base]})


def borders_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """International boundaries, dashed, with the countries on each side as tooltip."""
    b = clip(atlas["borders"], view.box)
    left, right = _sides(b, "l", "left"), _sides(b, "r", "right")
    tips = [popups.tip(f"{a} | {c}") for a, c in zip(left, right, strict=True)]
    base = path_style(STYLES["borders"], pane=pane_name("borders"))
    return GeoLayer(
        name,
        _shared(atlas, "borders", view, lambda: _lines(b.geometry.values, view.detail, keep)),
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
    lakes = clip(atlas["lakes"], view.box)
    if "scalerank" in lakes:  # labels of the more prominent lakes first (they win overlaps)
        lakes = lakes.sort_values("scalerank", kind="stable")
    named = (
        (lakes["lake_id"].fillna("") != "").to_numpy()
        if "lake_id" in lakes
        else np.zeros(len(lakes), bool)
    )
    records = lakes.drop(columns="geometry").to_dict("records")
    flows = atlas["flows"] if "flows" in atlas else None
    pops = {
        str(i): popups.lake_popup(r, rows_for(flows, lake=str(r.get("lake_id"))))
        for i, (r, n) in enumerate(zip(records, named, strict=True))
        if n
    }
    props = {
        "styles": [path_style(STYLES["lakes"], pane=pane_name("lakes"))],
        "tip": [
            popups.tip(popups.local_name(r, str(r.get("display_name", "")))) if n else None
            for r, n in zip(records, named, strict=True)
        ],
        "label": named.tolist(),
        "popup": [str(i) if n else None for i, n in enumerate(named)],
        "popups": pops,
        "key": lakes["lake_id"].fillna("").tolist() if "lake_id" in lakes else None,
    }

    def make() -> str:
        geoms = display.simplify_polygons(
            display.clip_to(lakes.geometry.values, view.box),
            view.detail.line_tolerance,
            coverage=False,
        )
        return display.geojson_array(display.round_coords(geoms, view.detail.line_decimals))

    text = _shared(atlas, "lakes", view, make)
    return GeoLayer(name, text, props)


def basins_layer(atlas: Atlas, view: View, name: str, *, show: bool = True) -> GeoLayer:
    """Basins filled by ``fill_class`` (P − ET) where the flows step set it, with area per
    country and the water balance charts in the popup."""
    style = STYLES["basins"]
    basins = clip(atlas["basins"], view.box)
    bid = basin_id_column(basins, "basins")
    label = style.label_column if style.label_column in basins else bid
    fill = class_values_of(basins, BASIN_FILL.column, BASIN_FILL, style.fill_color)
    styles, index = factorize_styles(
        pd.DataFrame({"fillColor": fill}), path_style(style, pane=pane_name("basins"))
    )
    monthly, yearly, period = _water_balance(atlas, bid)
    records = basins.drop(columns="geometry").to_dict("records")
    pops = {
        str(r[bid]): popups.basin_popup(
            r,
            bid,
            label,
            monthly.loc[monthly[bid] == r[bid]] if monthly is not None else None,
            yearly.loc[yearly[bid] == r[bid]] if yearly is not None else None,
            period,
        )
        for r in records
    }
    props = {
        "styles": styles,
        "style": index,
        "tip": [
            popups.tip(r.get(label, ""), _("click for area and water balance")) for r in records
        ],
        "popup": [str(r[bid]) for r in records],
        "popups": pops,
        "key": [str(r[bid]) for r in records],
    }

    def make() -> str:
        geoms = display.simplify_polygons(
            display.clip_to(basins.geometry.values, view.box),
            view.detail.polygon_tolerance,
            coverage=False,
        )
        return display.geojson_array(display.round_coords(geoms, view.detail.polygon_decimals))

    text = _shared(atlas, "basins", view, make)
    return GeoLayer(name, text, props, show=show)


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
    basins = clip(atlas["basins"], view.box)
    bid = basin_id_column(basins, "basins")
    _, yearly, _ = _water_balance(atlas, bid)
    if yearly is None or yearly.empty:
        return None
    return tables.year_classes(yearly.loc[yearly[bid].isin(basins[bid])], bid, basins)
