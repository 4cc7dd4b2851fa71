"""HTML pages of the service, rendered from Jinja2 templates (autoescaped) in ``templates/``.

Leaflet for the small collection maps comes from the installed package through
:mod:`maps.assets` and is served by the service itself (no CDN: the pages work offline).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from maps.assets import leaflet_css, leaflet_js

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # the templates ship with the package: no file checks on every request (as maps)
        auto_reload=False,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def page(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context
) -> Response:
    """A rendered template as a ``text/html`` response."""
    html = environment().get_template(name).render(**context)
    return Response(
        html, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


@lru_cache(maxsize=1)
def _assets() -> dict[str, tuple[bytes, str]]:
    return {
        "leaflet.js": (leaflet_js().encode(), "text/javascript; charset=utf-8"),
        "leaflet.css": (leaflet_css().encode(), "text/css; charset=utf-8"),
    }


async def asset(request: Request) -> Response:
    """``/assets/leaflet.js`` and ``/assets/leaflet.css`` (from the installed Leaflet)."""
    from service.errors import NotFound

    name = request.path_params["name"]
    if name not in _assets():
        raise NotFound(f"/assets/{name}: no such asset; accepted: {', '.join(_assets())}")
    body, media = _assets()[name]
    return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
