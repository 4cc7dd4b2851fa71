"""The Jinja environment of the maps: templates in ``maps/templates`` and display filters.

``*.html.j2`` and ``*.svg.j2`` templates autoescape every value (names are Cyrillic and Chinese
and may hold ``<``, ``&`` or quotes); ``*.js.j2`` templates pass values only through ``tojson``,
which escapes ``<``, ``>``, ``&`` and ``'`` so nothing can close a ``<script>``.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
NO_FIGURE = "no figure"


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def num(x: object, digits: int = 0) -> str:
    """``1,606`` / ``4.60``; "no figure" for a missing or non-finite value."""
    return NO_FIGURE if _missing(x) else f"{float(x):,.{digits}f}"


def sig(x: object, figures: int = 3) -> str:
    """A figure with at most ``figures`` significant digits as published: 4.6, 10.2, 294."""
    if _missing(x):
        return NO_FIGURE
    v = float(x)
    if v == 0:
        return "0"
    digits = max(0, figures - 1 - int(math.floor(math.log10(abs(v)))))
    return f"{round(v, digits):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"


def latlon(lat: float, lon: float) -> str:
    """``48.0211° N, 85.5581° E`` (WGS 84 degrees, 4 decimals ≈ 10 m)."""
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "svg.j2"), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters.update(num=num, sig=sig)
    env.globals.update(latlon=latlon, NO_FIGURE=NO_FIGURE)
    return env


def template(name: str) -> jinja2.Template:
    return environment().get_template(name)


def render(template_name: str, **context: object) -> Markup:
    """Render a template; the result is marked safe (it was escaped while rendering)."""
    return Markup(template(template_name).render(**context))


@cache
def static(name: str) -> str:
    """The raw text of a static file in the templates folder (our own JS and CSS)."""
    return (TEMPLATES / name).read_text(encoding="utf-8")
