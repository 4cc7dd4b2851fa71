"""The OGC API – Features documents: landing page, conformance, collections, queryables.

Each handler is a plain function: choose the format (``f`` or Accept), assemble the JSON
document from the read-only state, render it as JSON or through a template.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service import html
from service.catalog import Collection, describe_sources
from service.crs import STORAGE_CRS, SUPPORTED
from service.errors import NotFound
from service.links import (
    GEOJSON,
    GPKG_MEDIA,
    HTML_MEDIA,
    JSON_MEDIA,
    OPENAPI,
    href,
    link,
    self_and_alternate,
)
from service.negotiate import HTML, choose
from service.query import COMMON, check_known

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
TITLE = "rivermap: the Irtysh, Ili and Emel from China into Kazakhstan"
DESCRIPTION = (
    "Traced rivers, border crossings, gauges, basins and lakes of the three rivers that flow "
    "from China into Kazakhstan, as OGC API – Features collections, offline HTML maps and "
    "styled GeoPackages."
)


class JSONDoc(JSONResponse):
    """JSON that keeps Kazakh, Russian and Chinese names readable."""

    def render(self, content: object) -> bytes:
        from service.catalog import json_dumps

        return json_dumps(content).encode("utf-8")


def state(request: Request):
    return request.app.state.service


def collection_of(request: Request) -> Collection:
    """The collection named in the path (allow-list: the Atlas's layers), else 404."""
    cid = request.path_params["collectionId"]
    found = state(request).collections.get(cid)
    if found is None:
        raise NotFound(
            f"collection {cid!r} does not exist; accepted: {', '.join(state(request).collections)}"
        )
    return found


async def landing(request: Request) -> Response:
    check_known(request.query_params, COMMON, "/")
    fmt = choose(request)
    st = state(request)
    links = [
        *self_and_alternate(request, "/", fmt),
        link(href(request, "/api"), "service-desc", OPENAPI, "the API definition (OpenAPI 3.0)"),
        link(href(request, "/api", f="html"), "service-doc", HTML_MEDIA, "the API documentation"),
        link(href(request, "/conformance"), "conformance", JSON_MEDIA, "conformance classes"),
        link(href(request, "/collections"), "data", JSON_MEDIA, "the collections"),
        *(
            link(href(request, f"/maps/{name}.html"), "alternate", HTML_MEDIA, f"map: {name}")
            for name in st.map_pages
        ),
        link(
            href(request, "/exports/rivermap.gpkg"),
            "enclosure",
            GPKG_MEDIA,
            "GeoPackage of every layer",
        ),
        link(
            href(request, "/trace"), "describedby", JSON_MEDIA, "the traced rivers (rivermap trace)"
        ),
    ]
    doc = {"title": TITLE, "description": DESCRIPTION, "links": links}
    if fmt == HTML:
        return html.page(
            "landing.html.j2",
            doc=doc,
            base=href(request, ""),
            collections=_documents(request, st.collections.values()),
            maps=[(name, _map_title(st, name)) for name in st.map_pages],
            rivers=st.river_ids,
        )
    return JSONDoc(doc)


def _map_title(st, name: str) -> str:
    if name == "overview":
        return "Overview: every traced river, crossing, gauge and basin"
    row = st.traces[name]
    names = " / ".join(v for v in (row["name"], *row["names"].values()) if v)
    return f"{names} ({row['length_km']:,.1f} km)"


def document_page(request: Request, title: str, items: Iterable[str], path: str) -> Response:
    """The HTML of a document that is a plain list (conformance, queryables, the API's
    operations), linking to its JSON at ``path``."""
    return html.page(
        "document.html.j2",
        title=title,
        items=items,
        json_href=href(request, path, f="json"),
        base=href(request, ""),
    )


async def conformance(request: Request) -> Response:
    check_known(request.query_params, COMMON, "/conformance")
    doc = {"conformsTo": list(CONFORMANCE)}
    if choose(request) == HTML:
        return document_page(request, "Conformance classes", CONFORMANCE, "/conformance")
    return JSONDoc(doc)


def collection_document(request: Request, c: Collection) -> dict:
    """The JSON description of one collection (extent, CRS list, links)."""
    path = f"/collections/{c.id}"
    extent: dict = {"spatial": {"bbox": [list(c.bbox)], "crs": STORAGE_CRS}}
    if c.interval:
        extent["temporal"] = {
            "interval": [c.interval],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return {
        "id": c.id,
        "title": c.title,
        "description": f"{c.description} {describe_sources(c.layer)}",
        "itemType": "feature",
        "extent": extent,
        "crs": list(SUPPORTED),
        "storageCrs": STORAGE_CRS,
        "numberOfFeatures": len(c),
        "links": [
            link(href(request, path, f="json"), "self", JSON_MEDIA, f"{c.title} (JSON)"),
            link(href(request, path, f="html"), "alternate", HTML_MEDIA, f"{c.title} (HTML)"),
            link(
                href(request, f"{path}/items", f="json"), "items", GEOJSON, f"{c.title}: features"
            ),
            link(
                href(request, f"{path}/items", f="html"),
                "items",
                HTML_MEDIA,
                f"{c.title}: map and table",
            ),
            link(
                href(request, f"{path}/items", f="gpkg"),
                "enclosure",
                GPKG_MEDIA,
                f"{c.title}: GeoPackage",
            ),
            link(
                href(request, f"{path}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                f"{c.title}: queryable properties",
            ),
        ],
    }


def _documents(request: Request, collections) -> list[dict]:
    return [collection_document(request, c) for c in collections]


async def collections(request: Request) -> Response:
    check_known(request.query_params, COMMON, "/collections")
    fmt = choose(request)
    st = state(request)
    doc = {
        "links": self_and_alternate(request, "/collections", fmt),
        "collections": _documents(request, st.collections.values()),
        "crs": list(SUPPORTED),
    }
    if fmt == HTML:
        return html.page("collections.html.j2", doc=doc, base=href(request, ""), single=False)
    return JSONDoc(doc)


async def collection(request: Request) -> Response:
    c = collection_of(request)
    check_known(request.query_params, COMMON, f"/collections/{c.id}")
    fmt = choose(request)
    doc = collection_document(request, c)
    if fmt == HTML:
        return html.page(
            "collections.html.j2", doc={"collections": [doc]}, base=href(request, ""), single=True
        )
    return JSONDoc(doc)


async def queryables(request: Request) -> Response:
    """``/collections/{id}/queryables``: the properties usable as ``name=value`` filters."""
    c = collection_of(request)
    check_known(request.query_params, COMMON, f"/collections/{c.id}/queryables")
    fmt = choose(request)
    props = {q.name: {"title": q.name, "type": q.kind} for q in c.queryables.values()}
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": href(request, f"/collections/{c.id}/queryables"),
        "type": "object",
        "title": c.title,
        "properties": props,
        "additionalProperties": False,
    }
    if fmt == HTML:
        return document_page(
            request,
            f"{c.title}: queryables",
            [f"{k} ({v['type']})" for k, v in props.items()],
            f"/collections/{c.id}/queryables",
        )
    return JSONDoc(doc, media_type="application/schema+json")
