"""What each page shows: its region (the relief's), the features it selects and its first view.

Boxes are (west, south, east, north) in degrees of EPSG:4326; fits are Leaflet's
[[south, west], [north, east]].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.warp import transform_bounds

from geo.errors import RegisterError
from layers.atlas import Atlas
from layers.basins import basin_id_column
from maps import display, memo
from maps.features import View

#: level-0 spacing of the flow arrows (metres along the river)
ARROW_SPACING_M = {"overview": 200_000.0, "river": 100_000.0}
#: river pages wider than this (degrees of longitude) are drawn with the overview's detail
FINE_DETAIL_UP_TO_DEG = 10.0


def top_level_rivers(atlas: Atlas) -> list[str]:
    """Ids of the traced register rivers that have no ``parent`` (irtysh, ili, emel)."""
    return [r.id for r in atlas.rivers if not r.parent]


def bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    w, s, e, n = shapely.total_bounds(np.asarray(geoms))
    return float(w), float(s), float(e), float(n)


def _pad(box: tuple[float, float, float, float], frac: float, least: float) -> tuple[float, ...]:
    w, s, e, n = box
    dx, dy = max((e - w) * frac, least), max((n - s) * frac, least)
    return (w - dx, s - dy, e + dx, n + dy)


def fit_box(box: tuple[float, ...]) -> list[list[float]]:
    w, s, e, n = box
    return [[round(s, 4), round(w, 4)], [round(n, 4), round(e, 4)]]


def region_box(atlas: Atlas) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds of the relief raster: the region the embedded data covers."""
    path = relief_path(atlas)
    if path is None:
        return None
    with rasterio.open(path) as src:
        w, s, e, n = transform_bounds(src.crs, 4326, *src.bounds)
    return (w, s, e, n)


def relief_path(atlas: Atlas) -> Path | None:
    try:
        path = Path(atlas.sources.path("relief"))
    except KeyError:
        return None
    return path if path.exists() else None


def overview_view(atlas: Atlas) -> View:
    """All traced rivers: the first view fits their courses; the data is cut at the relief's
    region (else at the rivers' basins, ``River.basin``, with a margin). Made once per Atlas:
    every page of every language asks for it (the overview draws it, each page's minimap
    shows its fit)."""
    key = ("overview view", *memo.frame_ids(atlas, "river_courses", "basins"))
    return memo.once(atlas, key, lambda: _overview_view(atlas))


def _overview_view(atlas: Atlas) -> View:
    ids = [r.id for r in atlas.rivers]
    courses = atlas["river_courses"]
    fit = _pad(bounds(courses.geometry.values), 0.02, 0.1)
    basins = atlas["basins"]
    wanted = {r.basin for r in atlas.rivers if r.basin}
    bid = basin_id_column(basins, "basins")
    drained = basins.loc[basins[bid].astype(str).isin(wanted)].geometry.values
    frame = bounds(np.concatenate([courses.geometry.values, drained]))
    box = region_box(atlas) or _pad(frame, 0.05, 0.5)
    return View(
        box, fit_box(fit), display.OVERVIEW, frozenset(ids), ARROW_SPACING_M["overview"], True
    )


def river_view(atlas: Atlas, river_id: str) -> View:
    """One river and its headwaters (register rivers whose ``parent`` is it), with context;
    finer detail unless the river spans more than ``FINE_DETAIL_UP_TO_DEG`` of longitude."""
    known = [r.id for r in atlas.rivers]
    if river_id not in known:
        raise RegisterError(f"river map: no traced river {river_id!r}; traced: {', '.join(known)}")
    focus = {river_id} | {r.id for r in atlas.rivers if r.parent == river_id}
    courses = atlas["river_courses"]
    shown = courses.loc[courses["river_id"].isin(focus)].geometry.values
    # the lake the river ends in belongs in the picture (the Emel's Alakol, the Ili's Balkhash)
    lakes = atlas["lakes"]
    ends_in = {r.ends_in for r in atlas.rivers if r.id == river_id}
    end_lakes = lakes.loc[lakes["display_name"].isin(ends_in)].geometry.values
    fit = _pad(bounds(np.concatenate([shown, end_lakes])), 0.06, 0.4)
    box = _pad(fit, 0.35, 0.8)
    region = region_box(atlas)
    if region is not None:
        box = (
            max(box[0], region[0]),
            max(box[1], region[1]),
            min(box[2], region[2]),
            min(box[3], region[3]),
        )
    detail = display.RIVER if fit[2] - fit[0] <= FINE_DETAIL_UP_TO_DEG else display.OVERVIEW
    return View(box, fit_box(fit), detail, frozenset(focus), ARROW_SPACING_M["river"], False)
