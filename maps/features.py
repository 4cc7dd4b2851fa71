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
from layers.styles import BASIN_FILL, FLOW_WIDTH, GAUGE_RADIUS, STYLES, Style, class_value
from maps import display, popups, tables
from maps.display import Detail
from maps.elements import ArrowLayer, GeoLayer
from maps.templating import num

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


def _class_values(frame: pd.DataFrame, column: str, classes, default: object) -> np.ndarray:
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
    width = _class_values(pieces, FLOW_WIDTH.column, FLOW_WIDTH, style.width).astype(float)
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
    styles, index = factorize_styles(look, path_style(style, pane=_pane("rivers")))
    geoms = _lines(pieces.geometry.values, view.detail, keep)
    courses = atlas["river_courses"]
    names = dict(zip(courses["river_id"], courses["name_en"], strict=True))
    river_popups = popups.river_popups(
        courses.loc[courses["river_id"].isin(pieces["river_id"])], names
    )
    flow = _flow_tips(pieces)
    tips = [
        popups.tip(n, popups.country_name(c), f"km {a:,.0f}–{b:,.0f} from the source", f)
        for n, c, a, b, f in zip(
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


def _flow_tips(pieces: pd.DataFrame) -> list[str]:
    """Each piece's discharge for its tooltip: ``294 m³/s (crossing, 2025-01-01/2025-06-30)``."""
    if "discharge_kind" not in pieces:
        return [""] * len(pieces)
    return [
        f"{num(v)} m³/s ({k}{', ' + p if p else ''})" if k else ""
        for v, k, p in zip(
            pieces["mean_discharge_m3s"],
            pieces["discharge_kind"].fillna(""),
            pieces["flow_period"].fillna(""),
            strict=True,
        )
    ]


def _casing(rivers: GeoLayer, rows: np.ndarray, width: np.ndarray, name: str) -> GeoLayer:
    """The traced mainstem of the page's rivers: a dark line ``CASING_PX`` wider than each
    reach, drawn under it (own pane); it reuses the rivers layer's geometries in the page."""
    styles, index = factorize_styles(
        pd.DataFrame({"weight": width + CASING_PX}),
        path_style(STYLES["river_courses"], pane=_pane("casing"), interactive=False, opacity=0.85),
    )
    geoms = (
        f"{json.dumps(rows.tolist())}.map(function (i) {{ return {rivers.get_name()}_geoms[i]; }})"
    )
    return GeoLayer(name, geoms, {"styles": styles, "style": index})


def _lines(geoms: np.ndarray, detail: Detail, keep: np.ndarray) -> str:
    simple = display.simplify_lines(geoms, detail.line_tolerance, keep)
    return display.geojson_array(display.round_coords(simple, detail.line_decimals))


def _pane(name: str) -> str:
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
    return ArrowLayer(name, points, spacing_m=view.arrow_spacing_m, pane=_pane("arrows"))


# ---------- context layers ----------


def network_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """Every reach of the network, thin and not clickable."""
    net = clip(atlas["network"], view.box)
    base = path_style(STYLES["network"], pane=_pane("network"), interactive=False)
    geoms = display.simplify_lines(net.geometry.values, view.detail.network_tolerance, keep)
    geoms = display.clip_to(geoms, view.box)
    geoms = geoms[~shapely.is_empty(geoms)]
    text = display.geojson_array(display.round_coords(geoms, view.detail.line_decimals))
    return GeoLayer(name, text, {"styles": [base]})


def borders_layer(atlas: Atlas, view: View, keep: np.ndarray, name: str) -> GeoLayer:
    """International boundaries, dashed, with the countries on each side as tooltip."""
    b = clip(atlas["borders"], view.box)
    left = b["adm0_left"] if "adm0_left" in b else pd.Series("", index=b.index)
    right = b["adm0_right"] if "adm0_right" in b else pd.Series("", index=b.index)
    tips = [popups.tip(f"{a} | {c}") for a, c in zip(left, right, strict=True)]
    base = path_style(STYLES["borders"], pane=_pane("borders"))
    return GeoLayer(
        name, _lines(b.geometry.values, view.detail, keep), {"styles": [base], "tip": tips}
    )


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
    geoms = display.simplify_polygons(
        display.clip_to(lakes.geometry.values, view.box), view.detail.line_tolerance, coverage=False
    )
    records = lakes.drop(columns="geometry").to_dict("records")
    pops = {
        str(i): popups.lake_popup(r)
        for i, (r, n) in enumerate(zip(records, named, strict=True))
        if n
    }
    props = {
        "styles": [path_style(STYLES["lakes"], pane=_pane("lakes"))],
        "tip": [
            popups.tip(r.get("display_name", "")) if n else None
            for r, n in zip(records, named, strict=True)
        ],
        "label": named.tolist(),
        "popup": [str(i) if n else None for i, n in enumerate(named)],
        "popups": pops,
        "key": lakes["lake_id"].fillna("").tolist() if "lake_id" in lakes else None,
    }
    text = display.geojson_array(display.round_coords(geoms, view.detail.line_decimals))
    return GeoLayer(name, text, props)


def basins_layer(atlas: Atlas, view: View, name: str, *, show: bool = True) -> GeoLayer:
    """Basins filled by ``fill_class`` (P − ET) where the flows step set it, with area per
    country and the water balance charts in the popup."""
    style = STYLES["basins"]
    basins = clip(atlas["basins"], view.box)
    bid = basin_id_column(basins, "basins")
    label = style.label_column if style.label_column in basins else bid
    fill = _class_values(basins, BASIN_FILL.column, BASIN_FILL, style.fill_color)
    styles, index = factorize_styles(
        pd.DataFrame({"fillColor": fill}), path_style(style, pane=_pane("basins"))
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
    geoms = display.simplify_polygons(
        display.clip_to(basins.geometry.values, view.box),
        view.detail.polygon_tolerance,
        coverage=False,
    )
    props = {
        "styles": styles,
        "style": index,
        "tip": [popups.tip(r.get(label, ""), "click for area and water balance") for r in records],
        "popup": [str(r[bid]) for r in records],
        "popups": pops,
        "key": [str(r[bid]) for r in records],
    }
    text = display.geojson_array(display.round_coords(geoms, view.detail.polygon_decimals))
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


# ---------- points ----------


def crossings_layer(atlas: Atlas, view: View, name: str) -> GeoLayer:
    """Every border crossing of the page's rivers as a marker; its arrow points downstream."""
    c = atlas["crossings"]
    if len(c):
        c = c.loc[c["river_id"].isin(view.focus) | c.index.isin(clip(c, view.box).index)]
    angle = [
        _bearing_at(atlas, r, km) for r, km in zip(c["river_id"], c["km_from_source"], strict=True)
    ]
    records = c.drop(columns="geometry").to_dict("records")
    props = {
        "styles": [{"pane": _pane("crossings")}],
        "tip": [
            popups.tip(
                r["name_en"],
                f"{popups.country_name(r['from_country'])} → {popups.country_name(r['to_country'])}",
            )
            for r in records
        ],
        "popup": [str(i) for i in range(len(records))],
        "popups": {
            str(i): popups.crossing_popup(r, {v.id: v.name for v in atlas.register.rivers})
            for i, r in enumerate(records)
        },
        "angle": angle,
        "key": c["crossing_id"].tolist() if "crossing_id" in c else None,
    }
    geoms = display.geojson_array(display.round_coords(c.geometry.values, 4))
    return GeoLayer(name, geoms, props, kind="crossing")


def _bearing_at(atlas: Atlas, river_id: str, km: float) -> float:
    course = atlas.traced.course[river_id]
    d = np.array([km * 1000.0 - 500.0]), np.array([km * 1000.0 + 500.0])
    return float(
        np.round(display.screen_bearing(point_at(course, d[0]), point_at(course, d[1]))[0])
    )


def gauges_layer(atlas: Atlas, view: View, name: str) -> GeoLayer | None:
    """GRDC gauges sized by ``radius_class`` (long-term mean discharge); None without gauges."""
    if "gauges" not in atlas or not atlas.layers["gauges"].spatial:
        return None
    style = STYLES["gauges"]
    g = clip(atlas["gauges"], view.box)
    radius = _class_values(g, GAUGE_RADIUS.column, GAUGE_RADIUS, style.radius).astype(float)
    styles, index = factorize_styles(
        pd.DataFrame({"radius": radius}), path_style(style, pane=_pane("gauges"))
    )
    clim = atlas["gauge_climatology"] if "gauge_climatology" in atlas else None
    by_gauge = (
        dict(tuple(clim.groupby("grdc_no"))) if clim is not None and "grdc_no" in clim else {}
    )
    records = g.drop(columns="geometry").to_dict("records")
    for r, pt in zip(records, g.geometry.values, strict=True):
        r.setdefault("lat", pt.y)
        r.setdefault("lon", pt.x)
    props = {
        "styles": styles,
        "style": index,
        "tip": [
            popups.tip(
                r.get("station", ""),
                r.get("river", ""),
                f"{num(r.get('mean_discharge_m3s'), 1)} m³/s",
            )
            for r in records
        ],
        "popup": [str(i) for i in range(len(records))],
        "popups": {
            str(i): popups.gauge_popup(r, by_gauge.get(r.get("grdc_no")))
            for i, r in enumerate(records)
        },
        "key": [str(r.get("grdc_no", "")) for r in records],
    }
    geoms = display.geojson_array(display.round_coords(g.geometry.values, 4))
    return GeoLayer(name, geoms, props, kind="circle")
