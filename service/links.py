"""Absolute links of the service's documents, built from the request's base URL."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

GEOJSON = "application/geo+json"
JSON_MEDIA = "application/json"
HTML_MEDIA = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GPKG_MEDIA = "application/geopackage+sqlite3"


def base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def href(request: Request, path: str, **params: object) -> str:
    """``base + path`` with the non-None ``params`` as a query string."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base(request)}{path}" + (f"?{query}" if query else "")


def link(href_: str, rel: str, media: str, title: str) -> dict:
    return {"href": href_, "rel": rel, "type": media, "title": title}


def self_and_alternate(
    request: Request, path: str, fmt: str, json_media: str = JSON_MEDIA, **params: object
) -> list[dict]:
    """The ``self`` link in the format served and the ``alternate`` in the other one."""
    as_json = link(
        href(request, path, f="json", **params), "self", json_media, "this document as JSON"
    )
    as_html = link(
        href(request, path, f="html", **params), "self", HTML_MEDIA, "this document as HTML"
    )
    if fmt == "html":
        as_json["rel"] = "alternate"
        return [as_html, as_json]
    as_html["rel"] = "alternate"
    return [as_json, as_html]
