"""Folium elements of the offline maps, each rendered from a template in ``maps/templates``.

branca's ``MacroElement`` re-parses the text its macros produce as a new Jinja template, so a
name holding ``{{`` would be evaluated. These elements add their macro output verbatim instead
(:func:`render_macros`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import folium
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement

from maps.templating import template


class Verbatim(Element):
    """Text placed into the page as it is (already escaped where it came from)."""

    _template = template("verbatim.j2")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


def render_macros(element: MacroElement, kwargs: dict) -> None:
    """Like ``MacroElement.render`` but without re-parsing the macros' output."""
    figure = element.get_root()
    module = element._template.module.__dict__
    targets = {"header": figure.header, "html": figure.html, "script": figure.script}
    for part, target in targets.items():
        macro = module.get(part)
        if macro is not None:
            target.add_child(Verbatim(str(macro(element, kwargs))), name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


class Macro(MacroElement):
    """A page element drawn by one template with ``header``/``html``/``script`` macros."""

    template_name: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self._template = template(self.template_name)

    def render(self, **kwargs: Any) -> None:
        render_macros(self, kwargs)


class MacroLayer(folium.map.Layer):
    """A layer listed in the layer control, drawn by one template."""

    template_name: ClassVar[str]

    def __init__(self, name: str, *, overlay: bool = True, show: bool = True) -> None:
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._template = template(self.template_name)

    def render(self, **kwargs: Any) -> None:
        if self.show:
            self.add_child(
                ElementAddToElement(self.get_name(), self._parent.get_name()),
                name=self.get_name() + "_add",
            )
        render_macros(self, kwargs)


class OfflineMap(folium.Map):
    """A folium Map that links nothing: no jQuery, Bootstrap or Leaflet from a CDN.

    Leaflet and our own JS/CSS are inlined by :class:`InlineAssets` (see ``maps.assets``).
    """

    default_js: ClassVar[list] = []
    default_css: ClassVar[list] = []

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = self.get_root()
        root._template = template("figure.j2")  # branca's, with <html lang>
        root.lang = lang


class InlineAssets(Macro):
    """Leaflet 1.9.4 (from the installed django-js-lib-leaflet) and our JS/CSS, inlined."""

    template_name = "assets.js.j2"

    def __init__(self, leaflet_css: str, leaflet_js: str, css: str, js: str) -> None:
        super().__init__()
        self.leaflet_css, self.leaflet_js, self.css, self.js = leaflet_css, leaflet_js, css, js


class ImageLayer(MacroLayer):
    """A georeferenced image (data URI) between lat/lon ``bounds`` [[S, W], [N, E]]."""

    template_name = "image_layer.js.j2"

    def __init__(
        self,
        url: str,
        bounds: list[list[float]],
        *,
        name: str,
        overlay: bool = True,
        show: bool = True,
        opacity: float = 1.0,
        blend: str = "",
    ) -> None:
        super().__init__(name, overlay=overlay, show=show)
        self._name = "ImageLayer"
        self.url, self.bounds = url, bounds
        #: what another layer of the same image needs besides url, bounds and name
        self.style = {"opacity": opacity, "blend": blend}
        self.options = {
            "opacity": opacity,
            "interactive": False,
            "className": f"rm-image rm-blend-{blend}" if blend else "rm-image",
            "alt": name,
        }


class GeoLayer(MacroLayer):
    """Features from columnar data: ``geoms`` (a JSON array of GeoJSON geometries, numbers
    only) and ``props`` (styles, style index, tooltips, keys; see rivermap.js).

    ``props["popups"]`` maps a popup key to its (escaped) HTML or a ``maps.popups.Popup``
    (HTML and the data of its charts, drawn by the page) and ``props["popup"]`` gives each
    feature's key; the HTML goes into ``<template>`` elements of the page rather than into
    the script, where JSON escaping of ``<``/``>`` would double its size.
    """

    template_name = "geo_layer.js.j2"

    def __init__(
        self, name: str, geoms: str, props: dict, *, kind: str = "path", show: bool = True
    ) -> None:
        super().__init__(name, show=show)
        self._name = "GeoLayer"
        props = dict(props)
        popups = props.pop("popups", None) or {}
        position = {key: k for k, key in enumerate(popups)}
        if props.get("popup") is not None:
            props["popup"] = [position.get(key) for key in props["popup"]]
        self.popup_html = [getattr(p, "html", p) for p in popups.values()]
        charts = [getattr(p, "charts", []) for p in popups.values()]
        if any(charts):
            props["charts"] = charts
        self.geoms, self.props = geoms, props
        self.options = {"kind": kind, "templates": f"{self.get_name()}-popups"}


class ArrowLayer(MacroLayer):
    """Flow-direction arrows: ``points`` = [[lat, lon, screen bearing°, level], ...]."""

    template_name = "arrow_layer.js.j2"

    def __init__(
        self, name: str, points: list, *, spacing_m: float, pane: str, show: bool = True
    ) -> None:
        super().__init__(name, show=show)
        self._name = "ArrowLayer"
        self.points, self.options = points, {"spacing_m": spacing_m, "pane": pane}


class Controls(Macro):
    """Title, zoom, fullscreen, measure, search, scale, minimap, legend, year, profile and
    attribution: one element so they are added after every layer, in a fixed order.

    ``panels`` (title, legend, profile) are escaped HTML put in ``<template id=rm-panel-*>``
    elements; ``config`` holds the rest as JSON; ``layers`` maps roles to layer variables."""

    template_name = "controls.js.j2"

    def __init__(
        self, config: dict, panels: dict[str, str], layers: dict[str, str], image: str | None
    ) -> None:
        super().__init__()
        self._name = "Controls"
        self.config, self.panels, self.layers, self.image = config, panels, layers, image
