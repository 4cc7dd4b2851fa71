"""Which representation a request gets: ``f=json|html`` first, then the Accept header."""

from __future__ import annotations

from starlette.requests import Request

from service.errors import ParameterError

JSON, HTML, GPKG = "json", "html", "gpkg"
_MEDIA = {
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "application/json": JSON,
    "application/geo+json": JSON,
    "application/vnd.oai.openapi+json": JSON,
    "application/problem+json": JSON,
    "application/geopackage+sqlite3": GPKG,
}


def _accepted(header: str) -> list[tuple[float, int, str]]:
    out = []
    for i, part in enumerate(header.split(",")[:32]):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out.append((q, -i, media.lower()))
    return sorted(out, reverse=True)


def choose(request: Request, offered: tuple[str, ...] = (JSON, HTML)) -> str:
    """The format for this request among ``offered`` (JSON when nothing says otherwise).

    An ``f`` that is not offered is a 400 naming the accepted values; an Accept header that
    names nothing offered gets the default (JSON), as HTTP allows.
    """
    f = request.query_params.get("f")
    if f is not None:
        if f not in offered:
            raise ParameterError(f"f={f!r}: not offered here; accepted: {', '.join(offered)}")
        return f
    for q, _, media in _accepted(request.headers.get("accept", "")):
        fmt = _MEDIA.get(media)
        if q > 0 and fmt in offered:
            return fmt
        if q > 0 and media in ("*/*", "application/*"):
            return offered[0]
    return offered[0]
