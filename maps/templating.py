"""The Jinja environment of the maps: templates in ``maps/templates`` and display filters.

Templates translate with Jinja2's i18n extension (``{% trans %}``, ``_()``) into the language
of the page being rendered (:func:`maps.i18n.using`).

``*.html.j2`` and ``*.svg.j2`` templates autoescape every value (names are Cyrillic and Chinese
and may hold ``<``, ``&`` or quotes); ``*.js.j2`` templates pass values only through ``tojson``,
which escapes ``<``, ``>``, ``&`` and ``'`` so nothing can close a ``<script>``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from maps import i18n

TEMPLATES = Path(__file__).parent / "templates"

#: display filters, all in the page's language (see maps.i18n)
num = i18n.number
sig = i18n.significant
latlon = i18n.degrees


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
        extensions=["jinja2.ext.i18n"],
        # the templates ship with the package: no file checks on every lookup
        auto_reload=False,
    )
    # the catalog is looked up when a template renders: the language of the page being rendered
    env.install_gettext_callables(
        gettext=lambda message: i18n.current().gettext(message),
        ngettext=lambda s, p, n: i18n.current().ngettext(s, p, n),
        newstyle=True,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters.update(num=num, sig=sig, qty=i18n.quantity, country=i18n.country)
    env.globals.update(latlon=latlon, no_figure=i18n.no_figure, missing=i18n.missing)
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
