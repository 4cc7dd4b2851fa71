"""The traced rivers on a page: pieces coloured by country and sized by discharge, the casing of
the page's mainstems under them, and the flow-direction arrows. Geometries are EPSG:4326."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo.course import point_at
from layers.atlas import Atlas
from layers.styles import FLOW_WIDTH, STYLES
from maps import display, i18n, memo, popups
from maps.elements import ArrowLayer, GeoLayer
from maps.features import (
    View,
    class_values_of,
    clip,
    clip_rows,
    factorize_styles,
    line_geometries,
    pane_name,
    path_style,
    per_feature,
    shared,
)
from maps.figure_rows import flow_tips
from maps.i18n import _

#: how much less the rivers that are not the page's subject stand out
CONTEXT_OPACITY = 0.5
#: the traced mainstem's casing is this many pixels wider than its widest reach
CASING_PX = 2.5
#: arrows: level k is spacing / 2**k apart (levels 0-3)
ARROW_LEVELS = 4


def river_layers(
    atlas: Atlas, view: View, keep: np.ndarray, name: str, casing_name: str
) -> tuple[GeoLayer, GeoLayer]:
    """Traced rivers by country (width by ``width_class``) and the traced mainstem of the
    page's rivers as a dark casing under them: ``(rivers, casing)``; add the casing after
    the rivers (it reads their geometries; its pane keeps it below)."""
    style = STYLES["rivers"]
    rows = clip_rows(atlas["rivers"], view.box)
    pieces = atlas["rivers"].iloc[rows]
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
    geoms = shared(
        atlas, "rivers", view, lambda: line_geometries(pieces.geometry.values, view.detail, keep)
    )
    every = per_feature(
        atlas, "river_courses", lambda f: _course_popups(atlas, f), "lakes", "flows"
    )
    shown = set(pieces["river_id"])
    river_popups = {rid: popup for rid, popup in every.items() if rid in shown}
    tips = per_feature(atlas, "rivers", _piece_tips)
    tips = [tips[r] for r in rows]
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


def _course_popups(atlas: Atlas, courses: pd.DataFrame) -> dict:
    """River id -> popup of every traced course (``maps.popups.river_popups``)."""
    parents = {r["river_id"]: r for r in courses.drop(columns="geometry").to_dict("records")}
    return popups.river_popups(
        courses,
        parents,
        popups.lake_index(atlas["lakes"]),
        atlas["flows"] if "flows" in atlas else None,
    )


def _piece_tips(pieces: pd.DataFrame) -> list:
    """Each piece's tooltip: its name, country, stretch (km from the source) and discharge."""
    lang = i18n.current().code
    local = pieces[f"name_{lang}"] if f"name_{lang}" in pieces else pieces["name_en"]
    return [
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
            flow_tips(pieces),
            strict=True,
        )
    ]


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


def arrow_layer(atlas: Atlas, view: View, name: str) -> ArrowLayer:
    """Arrows pointing downstream along each traced river, on the reaches it owns (a
    headwater's arrows are placed by the headwater), every ``spacing / 2**level`` metres;
    placed once per Atlas and view (they are the same in every language)."""
    key = ("arrows", id(atlas["rivers"]), view.box, view.arrow_spacing_m)
    points = memo.once(atlas, key, lambda: _arrow_points(atlas, view))
    return ArrowLayer(name, points, spacing_m=view.arrow_spacing_m, pane=pane_name("arrows"))


def _arrow_points(atlas: Atlas, view: View) -> list:
    """``[[lat, lon, screen bearing°, level], ...]`` of the page's arrows."""
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
        bearing = display.bearing_along(course, d)
        level = np.select([k % 8 == 0, k % 4 == 0, k % 2 == 0], [0, 1, 2], 3)
        rows.append(np.c_[np.round(at[:, 1], 4), np.round(at[:, 0], 4), np.round(bearing), level])
    return np.vstack(rows).tolist() if rows else []
