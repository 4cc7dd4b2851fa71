"""Absolute links of the service's documents, built from the request's base URL, or from the
public base URL the service was started with (``rivermap serve --base-url``: behind a reverse
proxy, where the request's own URL is the proxy's view of 127.0.0.1)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request

from geo.errors import RivermapError

GEOJSON = "application/geo+json"
JSON_MEDIA = "application/json"
HTML_MEDIA = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GPKG_MEDIA = "application/geopackage+sqlite3"


def public_base_url(text: str) -> str:
    """``text`` checked as the service's public base URL (``https://host[:port][/prefix]``),
    without its trailing slash; RivermapError naming what is accepted otherwise."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise RivermapError(
            f"--base-url {text!r}: not a public base URL; accepted: http(s)://HOST[:PORT][/PREFIX] "
            "without query or fragment, e.g. https://maps.example.org/rivermap"
        )
    return text.strip().rstrip("/")


def base(request: Request) -> str:
    """The base of every link: the ``--base-url`` given at start-up, else the request's."""
    public = getattr(request.app.state, "base_url", None)
    return public or str(request.base_url).rstrip("/")


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
