"""The maps: an overview of the region and one page per top-level river, as offline HTML, in
English, Kazakh, Russian and Chinese.

Each page is a short pipeline: choose the view → basemaps → layers → controls → write, inside
``i18n.using(lang)`` so every word is the page language's. Coordinates are EPSG:4326 lon/lat;
the page displays them in Web Mercator (Leaflet's default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import xyzservices.providers as xyz
from markupsafe import escape

from geo.atomic import atomic_path
from geo.errors import OutputError, RasterError
from layers.atlas import Atlas
from maps import display, features, i18n, memo, panels, points, rivers_layer, words
from maps.assets import inline_assets
from maps.elements import Controls, ImageLayer, OfflineMap
from maps.features import View
from maps.i18n import _
from maps.legend import legend_html
from maps.raster import crop, raster_overlay, read_window
from maps.views import overview_view, region_box, relief_path, river_view, top_level_rivers

__all__ = [
    "overview_map",
    "river_map",
    "write_maps",
    "write_languages",
    "write_html",
    "top_level_rivers",
    "overview_view",
    "river_view",
    "region_box",
]

ONLINE_BASEMAPS = (
    ("osm", xyz.OpenStreetMap.Mapnik),
    ("esri", xyz.Esri.WorldImagery),
    ("topo", xyz.OpenTopoMap),
)
MAP_HEIGHT = "100%"


def layer_names(atlas: Atlas) -> dict[str, str]:
    """The layer control's names in the page's language, the basins named for what colours
    them (plain "Basins" without the water balance figures)."""
    return words.layer_names(features.basins_classed(atlas))


# ---------- pages ----------


def overview_map(
    atlas: Atlas,
    *,
    online_basemaps: bool = False,
    lang: str = "en",
    links: panels.Links | None = None,
    switch: tuple[str, ...] = i18n.LANGS,
) -> folium.Map:
    """The whole region: every traced river, crossing, gauge and basin."""
    with i18n.using(lang):
        title, lines = panels.overview_title(atlas)
        page = _Page("overview", title, lines, None, links, switch)
        return _page(atlas, overview_view(atlas), page, online_basemaps)


def river_map(
    atlas: Atlas,
    river_id: str,
    *,
    online_basemaps: bool = False,
    lang: str = "en",
    links: panels.Links | None = None,
    switch: tuple[str, ...] = i18n.LANGS,
) -> folium.Map:
    """One river (with its headwaters) from its source to its mouth, with its profile."""
    view = river_view(atlas, river_id)
    with i18n.using(lang):
        title, lines = panels.river_title(atlas, river_id)
        profile = panels.profile_panel(atlas, river_id)
        page = _Page(river_id, title, lines, profile, links, switch)
        return _page(atlas, view, page, online_basemaps)


@dataclass(frozen=True)
class _Page:
    """What tells one page from another besides its view: its name, title, description
    lines, profile panel (HTML and chart data) and the languages its switch links to."""

    name: str
    title: str
    lines: list[str]
    profile: tuple[str, dict] | None
    links: panels.Links | None
    switch: tuple[str, ...]


def _page(atlas: Atlas, view: View, page: _Page, online_basemaps: bool) -> folium.Map:
    """One page: basemaps, layers in drawing order, the layer list, then the controls."""
    lang = i18n.current().code
    title, lines, profile = page.title, page.lines, page.profile
    m = OfflineMap(
        lang=lang,
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
    links = page.links or panels.folder_links(lang)
    switch = panels.language_switch(page.name, links, page.switch)
    html = {
        "title": panels.title_html(title, lines, switch),
        "legend": legend_html(atlas, view, layers, layer_names(atlas)),
    }
    if profile:
        html["profile"] = profile[0]
    config = {
        "search": panels.search_entries(atlas, view),
        "profile": profile[1] if profile else None,
        "year": features.year_config(atlas, view),
        "region": overview_view(atlas).fit,
        "fit": view.fit,
        "frame": panels.fit_box(view.box) if relief is None else relief.bounds,
        "minimap": panels.minimap_lines(atlas),
        "attribution": panels.attribution(atlas),
        "text": words.ui_strings(),
    }
    roles = {k: layers[k].get_name() for k in ("basins", "rivers", "lakes") if k in layers}
    m.add_child(Controls(config, html, roles, relief.get_name() if relief else None))
    return m


def _basemaps(m: folium.Map, atlas: Atlas, view: View, online: bool):
    """The embedded shaded relief (default), the hillshade overlay and online tiles."""
    names = layer_names(atlas)
    relief = None
    path = relief_path(atlas)
    if path is not None:
        relief = _relief(atlas, path, region_box(atlas) or view.box, names["relief"])
        relief.options["pane"] = "tilePane"
        m.add_child(relief)
    if online:
        for key, provider in ONLINE_BASEMAPS:
            folium.TileLayer(
                provider, name=_(words.ONLINE_BASEMAPS[key]), overlay=False, show=relief is None
            ).add_to(m)
    shade = atlas.rasters.get("hillshade")
    if shade is not None:
        image = memo.once(
            atlas,
            ("hillshade", id(shade), view.box),
            lambda: raster_overlay(*crop(*shade, view.box), name="", opacity=0.6, blend="multiply"),
        )
        layer = ImageLayer(
            image.url, image.bounds, name=names["hillshade"], show=False, **image.style
        )
        layer.options["pane"] = "tilePane"
        m.add_child(layer)
    return relief


def _relief(atlas: Atlas, path: Path, box: tuple, name: str) -> ImageLayer:
    """The relief over ``box`` (the whole region, not only the page's box: the map can pan and
    zoom out as far as the relief reaches; it is small, 2′), encoded once per Atlas."""

    def make() -> ImageLayer:
        array, transform, crs = read_window(str(path), box)
        if array.dtype != np.uint8 or array.shape[0] not in (1, 3, 4):
            raise RasterError(
                f"{path}: a relief basemap must be an 8-bit image (1, 3 or 4 bands of uint8); "
                f"this raster has {array.shape[0]} band(s) of {array.dtype}"
            )
        return raster_overlay(array, transform, crs, name="", fmt="webp", overlay=False)

    image = memo.once(atlas, ("relief", str(path), box), make)
    return ImageLayer(image.url, image.bounds, name=name, overlay=False, **image.style)


def _layers(m: folium.Map, atlas: Atlas, view: View) -> dict:
    """Add every vector layer in drawing order; returns them by role."""
    names = layer_names(atlas)
    keep = memo.once(
        atlas,
        ("end points",) + memo.frame_ids(atlas, "network", "rivers"),
        lambda: display.end_points(
            atlas["network"].geometry.values, atlas["rivers"].geometry.values
        ),
    )
    layers: dict = {
        "basins": features.basins_layer(atlas, view, names["basins"], show=view.basins_shown),
        "lakes": features.lakes_layer(atlas, view, names["lakes"]),
        "network": features.network_layer(atlas, view, keep, names["network"]),
        "borders": features.borders_layer(atlas, view, keep, names["borders"]),
    }
    layers["rivers"], layers["casing"] = rivers_layer.river_layers(
        atlas, view, keep, names["rivers"], names["casing"]
    )
    layers["arrows"] = rivers_layer.arrow_layer(atlas, view, names["arrows"])
    gauges = points.gauges_layer(atlas, view, names["gauges"])
    if gauges is not None:
        layers["gauges"] = gauges
    layers["crossings"] = points.crossings_layer(atlas, view, names["crossings"])
    for layer in layers.values():
        m.add_child(layer)
    return layers


# ---------- files ----------


def write_html(m: folium.Map, path: Path) -> Path:
    """Write a map's HTML atomically (temporary file in the same folder, then rename)."""
    html = m.get_root().render()
    with atomic_path(path, what="the map") as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def write_maps(
    atlas: Atlas,
    out_dir: str | Path,
    *,
    online_basemaps: bool = False,
    lang: str = "en",
    links: panels.Links | None = None,
    switch: Iterable[str] = i18n.LANGS,
) -> list[Path]:
    """Write ``overview.html`` and ``<river_id>.html`` per top-level river into ``out_dir``,
    in language ``lang`` (en, kk, ru, zh). ``links(page, lang)`` addresses the language
    switch's sibling pages (default: the folders :func:`write_languages` writes;
    :func:`maps.panels.query_links` for ``page.html?lang=xx``) of the languages ``switch``."""
    i18n.language(lang)  # an unknown language is refused before anything is drawn
    out = Path(out_dir)
    if not out.is_dir():
        raise OutputError(f"{out}: not a folder; create it first or choose another --out")
    options = {
        "online_basemaps": online_basemaps,
        "lang": lang,
        "links": links,
        "switch": tuple(switch),
    }
    pages = [("overview", overview_map(atlas, **options))]
    pages += [(rid, river_map(atlas, rid, **options)) for rid in top_level_rivers(atlas)]
    return [write_html(m, out / f"{name}.html") for name, m in pages]


def write_languages(
    atlas: Atlas,
    out_dir: str | Path,
    langs: Iterable[str] = i18n.LANGS,
    *,
    online_basemaps: bool = False,
) -> list[Path]:
    """Every page in every language of ``langs``: English in ``out_dir`` itself, the others
    in ``out_dir/kk``, ``out_dir/ru``, ``out_dir/zh`` (created), linked to each other."""
    langs = list(dict.fromkeys(langs))
    for lang in langs:
        i18n.language(lang)
    out = Path(out_dir)
    written = []
    for lang in langs:
        folder = out if lang == "en" else out / lang
        if lang != "en" and not folder.exists():
            try:
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"{folder}: cannot create the folder ({exc.strerror})") from exc
        written += write_maps(
            atlas, folder, online_basemaps=online_basemaps, lang=lang, switch=langs
        )
    return written
