"""The maps: an overview of the region and one page per top-level river, as offline HTML.

Each page is a short pipeline: choose the view → basemaps → layers → controls → write.
Coordinates are EPSG:4326 lon/lat; the page displays them in Web Mercator (Leaflet's default).
"""

from __future__ import annotations

from pathlib import Path

import folium
import numpy as np
import rasterio
import shapely
import xyzservices.providers as xyz
from markupsafe import escape
from rasterio.warp import transform_bounds

from geo.atomic import atomic_path
from geo.course import point_at
from geo.errors import OutputError, RasterError, RegisterError
from layers.atlas import Atlas
from layers.basins import basin_id_column
from layers.register import LANGS
from layers.styles import BASIN_FILL, STYLES
from maps import display, features
from maps.assets import inline_assets
from maps.charts import profile_chart
from maps.elements import Controls, OfflineMap
from maps.features import View
from maps.legend import legend_html
from maps.popups import country_name
from maps.raster import crop, raster_overlay, read_window
from maps.templating import num, render

#: layer names in the layer control (also the legend sections' keys)
NAMES = {
    "basins": "Basins: P − ET",
    "lakes": STYLES["lakes"].title,
    "network": STYLES["network"].title,
    "borders": STYLES["borders"].title,
    "casing": "Traced mainstem",
    "rivers": "Traced rivers (colour: country)",
    "arrows": "Flow direction",
    "crossings": STYLES["crossings"].title,
    "gauges": "GRDC gauges (size: mean discharge)",
    "hillshade": "Hillshade (computed from the DEM)",
    "relief": "Shaded relief (offline)",
}
ONLINE_BASEMAPS = (
    ("OpenStreetMap (online)", xyz.OpenStreetMap.Mapnik),
    ("Esri World Imagery (online)", xyz.Esri.WorldImagery),
    ("OpenTopoMap (online)", xyz.OpenTopoMap),
)
#: level-0 spacing of the flow arrows (metres along the river)
ARROW_SPACING_M = {"overview": 200_000.0, "river": 100_000.0}
MAP_HEIGHT = "100%"
#: room left for the panels when the page opens (px): left column, right column
FIT_PADDING = ((56, 90), (330, 20))
#: on pages with the elevation profile panel (bottom left), keep the river above it
FIT_PADDING_PROFILE = ((56, 90), (330, 230))
#: river pages wider than this (degrees of longitude) are drawn with the overview's detail
FINE_DETAIL_UP_TO_DEG = 10.0


def layer_names(atlas: Atlas) -> dict[str, str]:
    """:data:`NAMES`, the basins named for what colours them (plain "Basins" without the
    water balance figures)."""
    classed = BASIN_FILL.column in atlas["basins"] or "water_balance_monthly" in atlas
    return NAMES if classed else {**NAMES, "basins": "Basins"}


# ---------- views ----------


def top_level_rivers(atlas: Atlas) -> list[str]:
    """Ids of the traced register rivers that have no ``parent`` (irtysh, ili, emel)."""
    return [r.id for r in atlas.rivers if not r.parent]


def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    w, s, e, n = shapely.total_bounds(np.asarray(geoms))
    return float(w), float(s), float(e), float(n)


def _pad(box: tuple[float, float, float, float], frac: float, least: float) -> tuple[float, ...]:
    w, s, e, n = box
    dx, dy = max((e - w) * frac, least), max((n - s) * frac, least)
    return (w - dx, s - dy, e + dx, n + dy)


def _fit(box: tuple[float, ...]) -> list[list[float]]:
    w, s, e, n = box
    return [[round(s, 4), round(w, 4)], [round(n, 4), round(e, 4)]]


def region_box(atlas: Atlas) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds of the relief raster: the region the embedded data covers."""
    path = _relief_path(atlas)
    if path is None:
        return None
    with rasterio.open(path) as src:
        w, s, e, n = transform_bounds(src.crs, 4326, *src.bounds)
    return (w, s, e, n)


def _relief_path(atlas: Atlas) -> Path | None:
    try:
        path = Path(atlas.sources.path("relief"))
    except KeyError:
        return None
    return path if path.exists() else None


def overview_view(atlas: Atlas) -> View:
    """All traced rivers, framed on their basins (``River.basin``) and courses; the data is
    cut at the relief's region (else at that frame)."""
    ids = [r.id for r in atlas.rivers]
    courses = atlas["river_courses"]
    geoms = [courses.geometry.values]
    basins = atlas["basins"]
    wanted = {r.basin for r in atlas.rivers if r.basin}
    bid = basin_id_column(basins, "basins")
    geoms.append(basins.loc[basins[bid].astype(str).isin(wanted)].geometry.values)
    fit = _pad(_bounds(np.concatenate(geoms)), 0.0, 0.0)
    box = region_box(atlas) or _pad(fit, 0.05, 0.5)
    return View(box, _fit(fit), display.OVERVIEW, frozenset(ids), ARROW_SPACING_M["overview"], True)


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
    fit = _pad(_bounds(np.concatenate([shown, end_lakes])), 0.06, 0.4)
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
    return View(box, _fit(fit), detail, frozenset(focus), ARROW_SPACING_M["river"], False)


# ---------- pages ----------


def overview_map(atlas: Atlas, *, online_basemaps: bool = False) -> folium.Map:
    """The whole region: every traced river, crossing, gauge and basin."""
    names = ", ".join(atlas["river_courses"].loc[lambda c: c["parent"] == "", "name_en"])
    title = f"{names}: rivers from China into Kazakhstan"
    lines = [
        "Traced on the river network; click a river, a crossing, a gauge or a basin "
        "for its figures.",
    ]
    return _page(atlas, overview_view(atlas), title, lines, None, online_basemaps)


def river_map(atlas: Atlas, river_id: str, *, online_basemaps: bool = False) -> folium.Map:
    """One river (with its headwaters) from its source to its mouth, with its profile."""
    view = river_view(atlas, river_id)
    c = atlas["river_courses"].set_index("river_id").loc[river_id]
    title = " · ".join(dict.fromkeys(str(c[f"name_{lang}"]) for lang in LANGS if c[f"name_{lang}"]))
    per_country = ", ".join(
        f"{country_name(k[len('length_km_') :])} {num(c[k])} km"
        for k in c.index
        if k.startswith("length_km_") and float(c[k] or 0) > 0
    )
    lines = [f"{num(c['length_km'])} km traced ({per_country}); ends in {c['ends_in']}."]
    return _page(atlas, view, title, lines, _profile(atlas, river_id), online_basemaps)


def _page(
    atlas: Atlas,
    view: View,
    title: str,
    lines: list[str],
    profile: str | None,
    online_basemaps: bool,
) -> folium.Map:
    """One page: basemaps, layers in drawing order, the layer list, then the controls."""
    m = OfflineMap(
        location=[(view.fit[0][0] + view.fit[1][0]) / 2, (view.fit[0][1] + view.fit[1][1]) / 2],
        zoom_start=5,
        tiles=None,
        zoom_control=False,
        height=MAP_HEIGHT,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.get_root().title = str(escape(title))
    m.add_child(inline_assets())
    relief = _basemaps(m, atlas, view, online_basemaps)
    layers = _layers(m, atlas, view)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    panels = {
        "title": render("title.html.j2", title=title, lines=lines),
        "legend": legend_html(atlas, view, layers, layer_names(atlas)),
    }
    if profile:
        panels["profile"] = profile
    config = {
        "search": _search(atlas, view),
        "profile": bool(profile),
        "year": features.year_config(atlas, view),
        "region": overview_view(atlas).fit,
        "minimap": _minimap_lines(atlas),
        "attribution": _attribution(atlas),
    }
    roles = {k: layers[k].get_name() for k in ("basins", "rivers", "lakes") if k in layers}
    m.add_child(Controls(config, panels, roles, relief.get_name() if relief else None))
    top_left, bottom_right = FIT_PADDING_PROFILE if profile else FIT_PADDING
    m.fit_bounds(view.fit, padding_top_left=top_left, padding_bottom_right=bottom_right)
    return m


def _basemaps(m: folium.Map, atlas: Atlas, view: View, online: bool):
    """The embedded shaded relief (default), the hillshade overlay and online tiles."""
    relief = None
    path = _relief_path(atlas)
    if path is not None:
        array, transform, crs = read_window(str(path), view.box)
        if array.dtype != np.uint8 or array.shape[0] not in (1, 3, 4):
            raise RasterError(
                f"{path}: a relief basemap must be an 8-bit image (1, 3 or 4 bands of uint8); "
                f"this raster has {array.shape[0]} band(s) of {array.dtype}"
            )
        relief = raster_overlay(
            array, transform, crs, name=NAMES["relief"], fmt="jpeg", overlay=False
        )
        relief.options["pane"] = "tilePane"
        m.add_child(relief)
    if online:
        for name, provider in ONLINE_BASEMAPS:
            folium.TileLayer(provider, name=name, overlay=False, show=relief is None).add_to(m)
    shade = atlas.rasters.get("hillshade")
    if shade is not None:
        array, transform, crs = crop(*shade, view.box)
        layer = raster_overlay(
            array,
            transform,
            crs,
            name=NAMES["hillshade"],
            opacity=0.6,
            blend="multiply",
            show=False,
        )
        layer.options["pane"] = "tilePane"
        m.add_child(layer)
    return relief


def _layers(m: folium.Map, atlas: Atlas, view: View) -> dict:
    """Add every vector layer in drawing order; returns them by role."""
    names = layer_names(atlas)
    keep = display.end_points(atlas["network"].geometry.values, atlas["rivers"].geometry.values)
    layers: dict = {
        "basins": features.basins_layer(atlas, view, names["basins"], show=view.basins_shown),
        "lakes": features.lakes_layer(atlas, view, names["lakes"]),
        "network": features.network_layer(atlas, view, keep, names["network"]),
        "borders": features.borders_layer(atlas, view, keep, names["borders"]),
    }
    layers["rivers"], layers["casing"] = features.river_layers(
        atlas, view, keep, names["rivers"], names["casing"]
    )
    layers["arrows"] = features.arrow_layer(atlas, view, names["arrows"])
    gauges = features.gauges_layer(atlas, view, names["gauges"])
    if gauges is not None:
        layers["gauges"] = gauges
    layers["crossings"] = features.crossings_layer(atlas, view, names["crossings"])
    for layer in layers.values():
        m.add_child(layer)
    return layers


# ---------- controls' content ----------


def _search(atlas: Atlas, view: View) -> list[dict]:
    """Rivers and named lakes by every name they have (en/kk/ru/zh)."""
    entries = []
    courses = features.clip(atlas["river_courses"], view.box)
    for r in courses.drop(columns="geometry").to_dict("records"):
        course = atlas.traced.course[r["river_id"]]
        lon, lat = point_at(course, np.array([course.length_m / 2]))[0]
        entries.append(
            {
                "names": _names(r),
                "layer": "rivers",
                "key": r["river_id"],
                "bounds": _fit(
                    _bounds(courses.loc[courses["river_id"] == r["river_id"]].geometry.values)
                ),
                "at": [round(float(lat), 4), round(float(lon), 4)],
            }
        )
    lakes = features.clip(atlas["lakes"], view.box)
    if "lake_id" in lakes:
        lakes = lakes.loc[lakes["lake_id"].fillna("") != ""]
        spots = shapely.point_on_surface(lakes.geometry.values)
        for r, geom, spot in zip(
            lakes.drop(columns="geometry").to_dict("records"),
            lakes.geometry.values,
            spots,
            strict=True,
        ):
            entries.append(
                {
                    "names": _names(r),
                    "layer": "lakes",
                    "key": r["lake_id"],
                    "bounds": _fit(_bounds(np.array([geom]))),
                    "at": [round(spot.y, 4), round(spot.x, 4)],
                }
            )
    return entries


def _names(row: dict) -> list[str]:
    return list(
        dict.fromkeys(str(row[f"name_{lang}"]) for lang in LANGS if row.get(f"name_{lang}"))
    )


def _minimap_lines(atlas: Atlas) -> list:
    """The register rivers, coarsely simplified (0.05°), for the locator minimap."""
    courses = atlas["river_courses"]
    geoms = display.round_coords(shapely.simplify(courses.geometry.values, 0.05), 2)
    return [shapely.geometry.mapping(g) for g in geoms]


def _attribution(atlas: Atlas) -> list[str]:
    """Every distinct source credit of the page (relief included), each part once, escaped."""
    texts = [p.attribution for p in atlas.provenance()]
    try:
        texts.append(atlas.sources.about("relief").attribution)
    except KeyError:
        pass
    parts = [part.strip() for t in texts for part in t.split(";")]
    return [str(escape(p)) for p in dict.fromkeys(parts) if p]


def _profile(atlas: Atlas, river_id: str) -> str | None:
    """The river's elevation profile panel, when the elevation step made ``profiles``."""
    if "profiles" not in atlas:
        return None
    p = atlas["profiles"]
    p = p.loc[p["river_id"] == river_id]
    if p.empty:
        return None
    crossings = atlas.traced.crossing_rivers
    crossings = crossings.loc[crossings["river_id"] == river_id].assign(
        direction=lambda c: c["from_country"] + " → " + c["to_country"]
    )
    course = atlas["river_courses"].set_index("river_id").loc[river_id]
    name = course["name_en"]
    chart = profile_chart(p, crossings)
    dems = course.get("profile_dem") or "the embedded DEM"
    note = f"Elevation along the traced course from {dems}; dashed lines: border crossings."
    return str(render("profile.html.j2", name=name, chart=chart, note=note))


# ---------- files ----------


def write_html(m: folium.Map, path: Path) -> Path:
    """Write a map's HTML atomically (temporary file in the same folder, then rename)."""
    html = m.get_root().render()
    with atomic_path(path, what="the map") as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def write_maps(atlas: Atlas, out_dir: str | Path, *, online_basemaps: bool = False) -> list[Path]:
    """Write ``overview.html`` and ``<river_id>.html`` per top-level river into ``out_dir``."""
    out = Path(out_dir)
    if not out.is_dir():
        raise OutputError(f"{out}: not a folder; create it first or choose another --out")
    pages = [("overview", overview_map(atlas, online_basemaps=online_basemaps))]
    pages += [
        (rid, river_map(atlas, rid, online_basemaps=online_basemaps))
        for rid in top_level_rivers(atlas)
    ]
    return [write_html(m, out / f"{name}.html") for name, m in pages]
