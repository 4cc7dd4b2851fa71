"""Point layers: the border crossings (arrow pointing downstream) and the GRDC gauges (sized
by long-term mean discharge), with their popups. Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.course import point_at
from layers.atlas import Atlas
from layers.styles import GAUGE_RADIUS, STYLES
from maps import display, i18n, popups
from maps.elements import GeoLayer
from maps.features import View, class_values_of, clip, factorize_styles, pane_name, path_style
from maps.figure_rows import rows_for


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
        "styles": [{"pane": pane_name("crossings")}],
        "tip": [
            popups.tip(
                popups.local_name(r),
                f"{popups.country_name(r['from_country'])} → {popups.country_name(r['to_country'])}",
            )
            for r in records
        ],
        "popup": [str(i) for i in range(len(records))],
        "popups": {
            str(i): popups.crossing_popup(
                r,
                {v.id: v.names for v in atlas.register.rivers},
                rows_for(
                    atlas["flows"] if "flows" in atlas else None,
                    crossing=str(r.get("crossing_id")),
                    sources={t.name for t in atlas.flow_tables},
                ),
            )
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
    radius = class_values_of(g, GAUGE_RADIUS.column, GAUGE_RADIUS, style.radius).astype(float)
    styles, index = factorize_styles(
        pd.DataFrame({"radius": radius}), path_style(style, pane=pane_name("gauges"))
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
                i18n.quantity(r.get("mean_discharge_m3s"), "m3/s", 1),
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
