"""The Starlette application: routes over plain functions, one exception handler, and three
small ASGI middlewares (access log, request bounds and path safety, time limit).

>>> from rivermap import api                                    # doctest: +SKIP
>>> from service.app import create_app                          # doctest: +SKIP
>>> app = create_app(api.load(), cache_dir="/tmp/rivermap-cache")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.errors import OutputError, RivermapError
from layers.atlas import Atlas
from service import documents, downloads, html, items, openapi
from service.errors import Busy
from service.state import ServiceState, build_state

log = logging.getLogger("rivermap.access")

#: bounds on what a request may send
MAX_PATH = 512
MAX_QUERY = 2048
#: seconds a request may take before it gets a 503 (generation keeps running in the pool)
REQUEST_TIMEOUT = 30.0
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    414: "URI Too Long",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An RFC 9457 problem document (``application/problem+json``), one-line ``detail``;
    ``code``/``description`` repeat it for OGC's exception schema."""
    title = TITLES.get(status, "Error")
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": title,
        "description": detail,
    }
    return documents.JSONDoc(body, status_code=status, media_type=PROBLEM, headers=headers)


async def project_error(request: Request, exc: Exception) -> Response:
    """The one handler for the project's errors: a 4xx (or 503) with the one-line message."""
    # a file the service could not write (disk full, cache not writable) is its own fault
    status = getattr(exc, "status", 500 if isinstance(exc, OutputError) else 400)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return problem(status, first, headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
    if exc.status_code == 404:
        detail = f"{request.url.path}: no such resource; start at / (the landing page)"
    elif exc.status_code == 405:
        detail = f"{request.method} {request.url.path}: only GET and HEAD are served"
    return problem(exc.status_code, detail, getattr(exc, "headers", None))


async def unexpected(request: Request, exc: Exception) -> Response:
    logging.getLogger("rivermap").exception("unexpected error on %s", request.url.path)
    return problem(500, f"unexpected {type(exc).__name__} (a bug; it was logged)")


async def healthz(request: Request) -> Response:
    st: ServiceState = request.app.state.service
    return documents.JSONDoc(
        {
            "status": "ok",
            "pid": os.getpid(),
            "collections": len(st.collections),
            "building": st.pool.pending if st.pool else 0,
        }
    )


async def favicon(request: Request) -> Response:
    """No icon (204), so that browsers log no failed load on the served maps."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


ROUTES = [
    Route("/", documents.landing),
    Route("/conformance", documents.conformance),
    Route("/api", openapi.api),
    Route("/collections", documents.collections),
    Route("/collections/{collectionId}", documents.collection),
    Route("/collections/{collectionId}/queryables", documents.queryables),
    Route("/collections/{collectionId}/items", items.items),
    Route("/collections/{collectionId}/items/{featureId}", items.item),
    Route("/maps/{page}.html", downloads.map_page),
    Route("/exports/rivermap.gpkg", downloads.export),
    Route("/trace", downloads.trace),
    Route("/assets/{name}", html.asset),
    Route("/healthz", healthz),
    Route("/favicon.ico", favicon),
]


class AccessLog:
    """One line per request: method, path, status, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = [500]

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            ms = (time.perf_counter() - start) * 1000
            log.info("%s %s %d %.1f ms", scope["method"], scope["path"][:MAX_PATH], status[0], ms)


_SUSPECT = (b"%2e", b"%2f", b"%5c", b"%00", b"%25", b"\\")


class Guard:
    """Bounds and path safety before routing: GET/HEAD only, no body, path and query length
    bounded, ``..`` (also encoded, double-encoded or with backslashes) is a 404; and a time
    limit per request (503 with Retry-After when it is over)."""

    def __init__(self, app: ASGIApp, timeout: float = REQUEST_TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal = self._refusal(scope)
        if refusal is not None:
            return await refusal(scope, receive, send)
        try:
            async with asyncio.timeout(self.timeout):
                await self.app(scope, receive, send)
        except TimeoutError:
            busy = problem(
                503,
                f"{scope['path'][:200]}: took longer than {self.timeout:g} s; retry shortly",
                {"Retry-After": "10"},
            )
            with contextlib.suppress(Exception):  # the response may have started already
                await busy(scope, receive, send)

    @staticmethod
    def _refusal(scope: Scope) -> Response | None:
        path: str = scope["path"]
        raw: bytes = scope.get("raw_path") or path.encode()
        query: bytes = scope.get("query_string", b"")
        if len(raw) > MAX_PATH or len(query) > MAX_QUERY:
            return problem(
                414,
                f"request line too long: at most {MAX_PATH} bytes of path and "
                f"{MAX_QUERY} of query string",
            )
        segments = path.split("/")
        lowered = raw.lower()
        if (
            ".." in segments
            or "." in segments[1:]
            or "\x00" in path
            or any(s in lowered for s in _SUSPECT)
        ):
            return problem(404, f"{path[:200]}: no such resource")
        if scope["method"] not in ("GET", "HEAD"):
            return problem(
                405,
                f"{scope['method']} {path[:200]}: only GET and HEAD are served",
                {"Allow": "GET, HEAD"},
            )
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if b"transfer-encoding" in headers or not length.isdigit() or int(length) > 0:
            return problem(
                413, "requests carry no body here; send the parameters in the query string"
            )
        return None


def create_app(
    atlas: Atlas | ServiceState,
    cache_dir: str | Path | None = None,
    *,
    pool_workers: int = 2,
    pool_queue: int = 8,
    build_timeout: float = 60.0,
    request_timeout: float = REQUEST_TIMEOUT,
    base_url: str | None = None,
) -> Starlette:
    """The ASGI application serving ``atlas`` (read-only). ``cache_dir`` holds generated
    maps and GeoPackages (shared by workers); ``pool_workers`` builds run at once and
    ``pool_queue`` more may wait before requests get 503. ``base_url``: the public URL
    links are built on (behind a reverse proxy), checked by
    :func:`service.links.public_base_url`."""
    from service.links import public_base_url

    public = public_base_url(base_url) if base_url else None
    if isinstance(atlas, ServiceState):
        st = atlas
    else:
        if cache_dir is None:
            raise ValueError("create_app: cache_dir is needed with an Atlas")
        st = build_state(
            atlas,
            cache_dir,
            pool_workers=pool_workers,
            pool_queue=pool_queue,
            build_timeout=build_timeout,
        )
    st.cache.prepare()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        st.start()
        try:
            yield
        finally:
            st.stop()

    app = Starlette(
        routes=ROUTES,
        exception_handlers={
            RivermapError: project_error,
            HTTPException: http_error,
            Exception: unexpected,
        },
        lifespan=lifespan,
    )
    app.state.service = st
    app.state.base_url = public
    app.add_middleware(Guard, timeout=request_timeout)
    app.add_middleware(AccessLog)
    return app
