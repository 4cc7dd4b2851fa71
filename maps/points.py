"""Point layers: the border crossings (arrow pointing downstream) and the GRDC gauges (sized
by long-term mean discharge), with their popups. Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.atlas import Atlas
from layers.styles import GAUGE_RADIUS, STYLES
from maps import display, i18n, memo, popups
from maps.elements import GeoLayer
from maps.features import (
    View,
    class_values_of,
    clip,
    clip_rows,
    factorize_styles,
    pane_name,
    path_style,
    per_feature,
)
from maps.figure_rows import rows_for

#: decimals of the points' lon/lat on the page (≈ 11 m)
POINT_DECIMALS = 4


def crossings_layer(atlas: Atlas, view: View, name: str) -> GeoLayer:
    """Every border crossing of the page's rivers as a marker; its arrow points downstream."""
    c = atlas["crossings"]
    rows = np.arange(len(c))
    if len(c):
        rows = np.flatnonzero(
            c["river_id"].isin(view.focus) | c.index.isin(clip(c, view.box).index)
        )
    texts = per_feature(atlas, "crossings", lambda f: _crossing_texts(atlas, f), "flows")
    props = {
        "styles": [{"pane": pane_name("crossings")}],
        "tip": [texts[r][0] for r in rows],
        "popup": [str(i) for i in range(len(rows))],
        "popups": {str(i): texts[r][1] for i, r in enumerate(rows)},
        "angle": [texts[r][2] for r in rows],
        "key": c["crossing_id"].iloc[rows].tolist() if "crossing_id" in c else None,
    }
    geoms = display.page_geometries(c.geometry.values[rows], POINT_DECIMALS)
    return GeoLayer(name, geoms, props, kind="crossing")


def _crossing_texts(atlas: Atlas, c: pd.DataFrame) -> list[tuple]:
    """Per crossing: (tooltip, popup, screen bearing of its arrow in degrees)."""
    names = {v.id: v.names for v in atlas.register.rivers}
    flows = atlas["flows"] if "flows" in atlas else None
    sources = {t.name for t in atlas.flow_tables}
    return [
        (
            popups.tip(
                popups.local_name(r),
                f"{popups.country_name(r['from_country'])} → {popups.country_name(r['to_country'])}",
            ),
            popups.crossing_popup(
                r, names, rows_for(flows, crossing=str(r.get("crossing_id")), sources=sources)
            ),
            _bearing_at(atlas, r["river_id"], r["km_from_source"]),
        )
        for r in c.drop(columns="geometry").to_dict("records")
    ]


def _bearing_at(atlas: Atlas, river_id: str, km: float) -> float:
    course = atlas.traced.course[river_id]
    return float(np.round(display.bearing_along(course, np.array([km * 1000.0]))[0]))


def gauges_layer(atlas: Atlas, view: View, name: str) -> GeoLayer | None:
    """GRDC gauges sized by ``radius_class`` (long-term mean discharge); None without gauges."""
    if "gauges" not in atlas or not atlas.layers["gauges"].spatial:
        return None
    style = STYLES["gauges"]
    rows = clip_rows(atlas["gauges"], view.box)
    g = atlas["gauges"].iloc[rows]
    radius = class_values_of(g, GAUGE_RADIUS.column, GAUGE_RADIUS, style.radius).astype(float)
    styles, index = factorize_styles(
        pd.DataFrame({"radius": radius}), path_style(style, pane=pane_name("gauges"))
    )
    texts = per_feature(atlas, "gauges", lambda f: _gauge_texts(atlas, f), "gauge_climatology")
    props = {
        "styles": styles,
        "style": index,
        "tip": [texts[r][0] for r in rows],
        "popup": [str(i) for i in range(len(rows))],
        "popups": {str(i): texts[r][1] for i, r in enumerate(rows)},
        "key": [texts[r][2] for r in rows],
    }
    geoms = display.page_geometries(g.geometry.values, POINT_DECIMALS)
    return GeoLayer(name, geoms, props, kind="circle")


def _charts(atlas: Atlas) -> dict:
    """grdc_no -> its monthly discharge chart's data (None without a monthly mean): once per
    Atlas, for every language."""
    clim = atlas["gauge_climatology"] if "gauge_climatology" in atlas else None
    if clim is None or "grdc_no" not in clim:
        return {}
    return {k: popups.gauge_chart(t) for k, t in clim.groupby("grdc_no")}


def _gauge_texts(atlas: Atlas, g: pd.DataFrame) -> list[tuple]:
    """Per gauge: (tooltip, popup with its monthly discharge chart, GRDC number as text)."""
    charts = memo.once(
        atlas, ("gauge charts", *memo.frame_ids(atlas, "gauge_climatology")), lambda: _charts(atlas)
    )
    records = g.drop(columns="geometry").to_dict("records")
    for r, pt in zip(records, g.geometry.values, strict=True):
        r.setdefault("lat", pt.y)
        r.setdefault("lon", pt.x)
    return [
        (
            popups.tip(
                r.get("station", ""),
                r.get("river", ""),
                i18n.quantity(r.get("mean_discharge_m3s"), "m3/s", 1),
            ),
            popups.gauge_popup(r, charts.get(r.get("grdc_no"))),
            str(r.get("grdc_no", "")),
        )
        for r in records
    ]
