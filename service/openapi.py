"""``/api``: the service's OpenAPI **3.0** document, written out here (not generated).

OGC API – Features Part 1 asks for OpenAPI 3.0 (FastAPI would emit 3.1). The shared
parameters sit in ``components.parameters`` — QGIS reads ``limit``'s ``default`` and
``maximum`` from there to choose its page size — and each collection has its own
``/collections/{id}/items`` path listing its queryable properties as ``form`` parameters
(newer QGIS versions offer them as filters).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.catalog import Collection
from service.crs import CRS84, SUPPORTED
from service.documents import JSONDoc, document_page, state
from service.links import OPENAPI, href
from service.negotiate import HTML, choose
from service.query import COMMON, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, check_known
from service.schemas import schemas

PROBLEM = "application/problem+json"


def _param(name: str, schema: dict, description: str, *, explode: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": explode,
        "schema": schema,
        "description": description,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def parameters() -> dict:
    crs = {"type": "string", "format": "uri", "enum": list(SUPPORTED)}
    return {
        "limit": _param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            f"Features per page, 1 to {MAX_LIMIT:,} (larger values are clamped).",
        ),
        "offset": _param(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            "Features to skip (paging; follow the 'next' link).",
        ),
        "bbox": _param(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "minx,miny,maxx,maxy in bbox-crs's axis order (CRS84: lon,lat degrees); "
            "6 numbers add heights, which are ignored.",
        ),
        "bbox-crs": _param("bbox-crs", {**crs, "default": CRS84}, "CRS of bbox (Part 2)."),
        "crs": _param("crs", {**crs, "default": CRS84}, "CRS of the response geometries (Part 2)."),
        "datetime": _param(
            "datetime",
            {
                "type": "string",
                "pattern": r"^(\d{4}-\d{2}-\d{2}|\.\.)?(/(\d{4}-\d{2}-\d{2}|\.\.)?)?$",
                "example": "2025-01-01/2025-06-30",
            },
            "Instant or interval (RFC 3339 dates; '..' for an open end). Filters "
            "layers with time (flow period, gauge record); others ignore it.",
        ),
        "f": _param("f", {"type": "string", "enum": ["json", "html"]}, "Format of the response."),
        "f-items": _param(
            "f",
            {"type": "string", "enum": ["json", "html", "gpkg"]},
            "GeoJSON, an HTML map and table, or a GeoPackage of every matching feature.",
        ),
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "A collection id.",
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
            "description": "A feature id (1-based row).",
        },
        "rivers": _param("rivers", {"type": "string"}, "Comma-separated traced river ids."),
        "lang": _param("lang", {"type": "string"}, "Language of the map page."),
    }


def _responses(ok: dict, *, not_found: bool = False) -> dict:
    out = {"200": ok, "400": {"$ref": "#/components/responses/BadRequest"}}
    if not_found:
        out["404"] = {"$ref": "#/components/responses/NotFound"}
    return out


def _content(*media: str, schema: dict | None = None) -> dict:
    return {m: {"schema": schema or {}} for m in media}


def _ok(
    description: str, *media: str, schema: dict | None = None, headers: dict | None = None
) -> dict:
    out = {"description": description, "content": _content(*media, schema=schema)}
    if headers:
        out["headers"] = headers
    return out


def _queryable_params(c: Collection) -> list[dict]:
    return [
        _param(q.name, {"type": q.kind}, f"Equality filter on {q.name}.")
        for q in c.queryables.values()
    ]


def _collection_paths(c: Collection) -> dict:
    geo = "#/components/schemas/featureCollectionGeoJSON"
    crs_header = {
        "Content-Crs": {"schema": {"type": "string"}, "description": "CRS of the geometries."}
    }
    tag = [c.id]
    return {
        f"/collections/{c.id}": {
            "get": {
                "operationId": f"describe_{c.id}",
                "summary": f"{c.title}: description",
                "tags": tag,
                "parameters": [_ref("f")],
                "responses": _responses(
                    _ok(
                        "The collection.",
                        "application/json",
                        "text/html",
                        schema={"$ref": "#/components/schemas/collection"},
                    )
                ),
            }
        },
        f"/collections/{c.id}/items": {
            "get": {
                "operationId": f"items_{c.id}",
                "summary": f"{c.title}: features",
                "tags": tag,
                "parameters": [
                    _ref(n)
                    for n in ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f-items")
                ]
                + _queryable_params(c),
                "responses": _responses(
                    _ok(
                        "A page of features.",
                        "application/geo+json",
                        "text/html",
                        "application/geopackage+sqlite3",
                        schema={"$ref": geo},
                        headers=crs_header,
                    )
                ),
            }
        },
        f"/collections/{c.id}/items/{{featureId}}": {
            "get": {
                "operationId": f"item_{c.id}",
                "summary": f"{c.title}: one feature",
                "tags": tag,
                "parameters": [_ref("featureId"), _ref("crs"), _ref("f")],
                "responses": _responses(
                    _ok(
                        "One feature.",
                        "application/geo+json",
                        "text/html",
                        schema={"$ref": "#/components/schemas/featureGeoJSON"},
                        headers=crs_header,
                    ),
                    not_found=True,
                ),
            }
        },
    }


def document(request: Request) -> dict:
    """The OpenAPI 3.0 document for this service (paths per collection)."""
    st = state(request)
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/exception"}}}
    paths = {
        "/": {
            "get": {
                "operationId": "landing",
                "summary": "Landing page",
                "tags": ["service"],
                "parameters": [_ref("f")],
                "responses": _responses(
                    _ok(
                        "The landing page.",
                        "application/json",
                        "text/html",
                        schema={"$ref": "#/components/schemas/landingPage"},
                    )
                ),
            }
        },
        "/conformance": {
            "get": {
                "operationId": "conformance",
                "summary": "Conformance classes",
                "tags": ["service"],
                "parameters": [_ref("f")],
                "responses": _responses(
                    _ok(
                        "Conformance classes.",
                        "application/json",
                        "text/html",
                        schema={"$ref": "#/components/schemas/confClasses"},
                    )
                ),
            }
        },
        "/api": {
            "get": {
                "operationId": "api",
                "summary": "This document",
                "tags": ["service"],
                "parameters": [_ref("f")],
                "responses": _responses(_ok("The API definition.", OPENAPI, "text/html")),
            }
        },
        "/collections": {
            "get": {
                "operationId": "collections",
                "summary": "The collections",
                "tags": ["service"],
                "parameters": [_ref("f")],
                "responses": _responses(
                    _ok(
                        "The collections.",
                        "application/json",
                        "text/html",
                        schema={"$ref": "#/components/schemas/collections"},
                    )
                ),
            }
        },
    }
    for c in st.collections.values():
        paths.update(_collection_paths(c))
    paths["/maps/{page}.html"] = {
        "get": {
            "operationId": "map",
            "summary": "An offline HTML map (overview or one river)",
            "tags": ["maps"],
            "parameters": [
                {
                    "name": "page",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(st.map_pages)},
                },
                _ref("lang"),
            ],
            "responses": {
                **_responses(_ok("The map page.", "text/html"), not_found=True),
                "503": {"$ref": "#/components/responses/Busy"},
            },
        }
    }
    paths["/exports/rivermap.gpkg"] = {
        "get": {
            "operationId": "export",
            "summary": "GeoPackage of every layer and table",
            "tags": ["exports"],
            "parameters": [_ref("rivers"), _ref("crs")],
            "responses": {
                **_responses(_ok("The GeoPackage.", "application/geopackage+sqlite3")),
                "503": {"$ref": "#/components/responses/Busy"},
            },
        }
    }
    paths["/trace"] = {
        "get": {
            "operationId": "trace",
            "summary": "Traced rivers as JSON (rivermap trace --format json)",
            "tags": ["service"],
            "parameters": [_ref("rivers")],
            "responses": _responses(
                _ok(
                    "One object per river.",
                    "application/json",
                    schema={"type": "array", "items": {"type": "object"}},
                )
            ),
        }
    }
    paths["/healthz"] = {
        "get": {
            "operationId": "health",
            "summary": "Liveness",
            "tags": ["service"],
            "responses": {"200": _ok("Alive.", "application/json")},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "rivermap",
            "version": "1.0.0",
            "description": "Traced rivers from China into Kazakhstan (Irtysh, Ili, Emel): OGC API – "
            "Features Part 1 and 2, offline maps and GeoPackages.",
            "contact": {"name": "rivermap"},
            "license": {"name": "data: see each collection's description"},
        },
        "servers": [{"url": href(request, "") or "/"}],
        "paths": paths,
        "components": {
            "parameters": parameters(),
            "schemas": schemas(),
            "responses": {
                "BadRequest": {
                    "description": "An invalid or unknown parameter.",
                    "content": problem,
                },
                "NotFound": {"description": "No such resource.", "content": problem},
                "Busy": {
                    "description": "The generation pool is full; retry after Retry-After seconds.",
                    "content": problem,
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                },
            },
        },
    }


async def api(request: Request) -> Response:
    check_known(request.query_params, COMMON, "/api")
    doc = document(request)
    if choose(request) == HTML:
        ops = [f"GET {path} — {op['get']['summary']}" for path, op in doc["paths"].items()]
        return document_page(request, "API (OpenAPI 3.0)", ops, "/api")
    return JSONDoc(doc, media_type=OPENAPI)
