"""What the page's panels and controls hold besides the layers: the title with its language
switch, the profile panel, the search entries, the minimap's lines and the attribution.

All text is in the page's language (:mod:`maps.i18n`); names come from the register.
Coordinates are EPSG:4326 (lon/lat degrees; Leaflet's [lat, lon] where marked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import shapely
from babel.lists import format_list
from markupsafe import escape

from geo.course import point_at
from layers.atlas import Atlas
from layers.register import LANGS
from maps import display, features, i18n, memo
from maps.charts import profile_chart
from maps.features import View
from maps.i18n import _
from maps.popups import country_name, drawn_from, lake_index, local_name, place
from maps.templating import render
from maps.views import bounds, fit_box

#: ``links(page, lang)`` gives the address of ``page`` (overview, ili, ...) in language ``lang``
Links = Callable[[str, str], str]


def folder_links(here: str) -> Links:
    """Links between the folders ``rivermap build`` writes: English pages at the top
    (``overview.html``), the others in ``kk/``, ``ru/``, ``zh/``; relative to a page in
    language ``here``."""
    up = "" if here == "en" else "../"

    def link(page: str, lang: str) -> str:
        return f"{up}{'' if lang == 'en' else lang + '/'}{page}.html"

    return link


def query_links(page: str, lang: str) -> str:
    """Links for pages served as ``<page>.html?lang=<lang>`` (the service's ``/maps/``)."""
    return f"{page}.html?lang={lang}"


def language_switch(page: str, links: Links, langs: tuple[str, ...] = i18n.LANGS) -> list[dict]:
    """The page in each language of ``langs`` (those written beside it), named in itself."""
    here = i18n.current().code
    return [
        {"code": k, "name": i18n.ENDONYMS[k], "href": links(page, k), "current": k == here}
        for k in i18n.LANGS
        if k in langs or k == here
    ]


def overview_title(atlas: Atlas) -> tuple[str, list[str]]:
    courses = atlas["river_courses"]
    top = courses.loc[courses["parent"] == ""].drop(columns="geometry").to_dict("records")
    names = format_list([local_name(r) for r in top], locale=i18n.current().locale)
    title = _("%(names)s: rivers from China into Kazakhstan") % {"names": names}
    line = _(
        "Traced on the river network; click a river, a crossing, a gauge or a basin for its "
        "figures."
    )
    return title, [line]


def river_title(atlas: Atlas, river_id: str) -> tuple[str, list[str]]:
    c = atlas["river_courses"].set_index("river_id").loc[river_id]
    title = " · ".join(_names(c))
    per_country = ", ".join(
        f"{country_name(k[len('length_km_') :])} {i18n.quantity(c[k], 'km')}"
        for k in c.index
        if k.startswith("length_km_") and float(c[k] or 0) > 0
    )
    line = _("%(length)s traced (%(per_country)s); ends in %(end)s.") % {
        "length": i18n.quantity(c["length_km"], "km"),
        "per_country": per_country,
        "end": place(c["ends_in"], _lakes(atlas)),
    }
    return title, [line]


def _lakes(atlas: Atlas) -> dict[str, dict]:
    """The register lakes by name (:func:`maps.popups.lake_index`), once per Atlas."""
    lakes = atlas["lakes"]
    return memo.once(atlas, ("lake-index", id(lakes)), lambda: lake_index(lakes))


def title_html(title: str, lines: list[str], switch: list[dict]) -> str:
    return str(render("title.html.j2", title=title, lines=lines, links=switch))


def profile_panel(atlas: Atlas, river_id: str) -> tuple[str, dict] | None:
    """The river's elevation profile panel and its chart data, when the elevation step made
    ``profiles``."""
    if "profiles" not in atlas:
        return None
    p = atlas["profiles"]
    p = p.loc[p["river_id"] == river_id]
    if p.empty:
        return None
    crossings = atlas.traced.crossing_rivers
    crossings = crossings.loc[crossings["river_id"] == river_id]
    row = atlas["river_courses"].set_index("river_id").loc[river_id].to_dict()
    chart = profile_chart(p, crossings)
    note = _(
        "Faint line: the DEM as sampled along the traced course, which climbs in places "
        "(reservoirs, DEM artefacts; up to %(gap)s away). Main line: the closest profile "
        "that never rises downstream. Dashed lines: border crossings."
    ) % {"gap": i18n.quantity(chart["largest_gap_m"], "m")}
    dems = drawn_from(row.get("profile_dem"))
    html = str(render("profile.html.j2", name=local_name(row), note=note, dems=dems))
    return html, chart


# ---------- controls' content ----------


def search_entries(atlas: Atlas, view: View) -> list[dict]:
    """Rivers and named lakes by every name they have (en/kk/ru/zh), the page's first."""
    places = memo.once(
        atlas,
        ("search", view.box, *memo.frame_ids(atlas, "river_courses", "lakes")),
        lambda: _places(atlas, view),
    )
    return [{"names": _names(record), **place} for record, place in places]


def _places(atlas: Atlas, view: View) -> list[tuple[dict, dict]]:
    """The page's rivers and named lakes: (record, where the search takes the map)."""
    places = []
    courses = features.clip(atlas["river_courses"], view.box)
    for r in courses.drop(columns="geometry").to_dict("records"):
        course = atlas.traced.course[r["river_id"]]
        lon, lat = point_at(course, np.array([course.length_m / 2]))[0]
        places.append(
            (
                r,
                {
                    "layer": "rivers",
                    "key": r["river_id"],
                    "bounds": fit_box(
                        bounds(courses.loc[courses["river_id"] == r["river_id"]].geometry.values)
                    ),
                    "at": [round(float(lat), 4), round(float(lon), 4)],
                },
            )
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
            places.append(
                (
                    r,
                    {
                        "layer": "lakes",
                        "key": r["lake_id"],
                        "bounds": fit_box(bounds(np.array([geom]))),
                        "at": [round(spot.y, 4), round(spot.x, 4)],
                    },
                )
            )
    return places


def _names(row: Mapping) -> list[str]:
    """Every distinct name of a feature (``name_en`` … ``name_zh``), the page language's first."""
    here = i18n.current().code
    order = [here, *(k for k in LANGS if k != here)]
    return list(dict.fromkeys(str(row[f"name_{k}"]) for k in order if row.get(f"name_{k}")))


def minimap_lines(atlas: Atlas) -> list:
    """The register rivers, coarsely simplified (0.05°), for the locator minimap."""
    courses = atlas["river_courses"]

    def make() -> list:
        geoms = display.round_coords(shapely.simplify(courses.geometry.values, 0.05), 2)
        return [shapely.geometry.mapping(g) for g in geoms]

    return memo.once(atlas, ("minimap", id(courses)), make)


def attribution(atlas: Atlas) -> list[str]:
    """Every distinct source credit of the page (relief included), each part once, escaped;
    credits are names and stay as their owners write them."""
    texts = [p.attribution for p in atlas.provenance()]
    try:
        texts.append(atlas.sources.about("relief").attribution)
    except KeyError:
        pass
    parts = [part.strip() for t in texts for part in t.split(";")]
    return [str(escape(p)) for p in dict.fromkeys(parts) if p]
