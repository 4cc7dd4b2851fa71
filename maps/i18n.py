"""The maps' languages: gettext catalogs (``maps/locale/<lang>/LC_MESSAGES/rivermap.po``) read
with Babel, and numbers and units formatted for the page's locale.

English is the source language (the msgids); ``kk`` (Kazakh, Cyrillic), ``ru`` and ``zh``
(simplified Chinese) are catalogs. The ``.po`` files are read and compiled in memory when a
language is first used (no compile step at install: the wheel carries the ``.po`` files and
the page is built from exactly what a translator edited). Fuzzy messages are not used.

A page is rendered inside ``with using("kk"):``; :func:`_` and the templates' ``{% trans %}``
then translate into that language. The language lives in a context variable, so pages of
different languages can be rendered at the same time in different threads.
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit

from geo.errors import RivermapError
from layers.register import LANGS  # page languages: the register's, English (the source) first

#: what each language calls itself (the language switch)
ENDONYMS = {"en": "English", "kk": "Қазақша", "ru": "Русский", "zh": "中文"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "rivermap"


class LanguageError(RivermapError, ValueError):
    """A language that has no catalog."""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is used (``_(NAMES[k])``)."""
    return message


@dataclass(frozen=True)
class Language:
    """One page language: its catalog and its Babel locale (numbers, units, month names)."""

    code: str
    translations: gettext.NullTranslations
    locale: Locale

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def language(code: str) -> Language:
    """The language ``code`` (one of :data:`LANGS`), its ``.po`` catalog compiled in memory."""
    if code not in LANGS:
        raise LanguageError(f"language {code!r}: no catalog; accepted: {', '.join(LANGS)}")
    translations: gettext.NullTranslations = gettext.NullTranslations()
    path = catalog_path(code)
    if code != "en" or path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=code, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        translations = Translations(buffer, domain=DOMAIN)
    return Language(code, translations, Locale.parse(code))


_current: ContextVar[Language | None] = ContextVar("rivermap_language", default=None)


def current() -> Language:
    """The language of the page being rendered (English outside :func:`using`)."""
    return _current.get() or language("en")


@contextmanager
def using(code: str) -> Iterator[Language]:
    """Render in language ``code`` inside the block."""
    token = _current.set(language(code))
    try:
        yield current()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` in the current page language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


# ---------- numbers and units ----------


def missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def no_figure() -> str:
    return _("no figure")


def number(x: object, digits: int = 0) -> str:
    """``1,195.4`` (en, zh) / ``1 195,4`` (kk, ru) with ``digits`` decimals; "no figure" for a
    missing or non-finite value."""
    if missing(x):
        return no_figure()
    v = float(x)
    return _formatted(v, digits, current().code, math.copysign(1.0, v) < 0)


@lru_cache(maxsize=65536)
def _formatted(x: float, digits: int, code: str, negative: bool) -> str:
    """Babel's formatting of ``x``, once per value, decimals and language (a build formats the
    same figures on every page); ``negative`` keeps -0.0 apart from 0.0, which hash alike."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(x, format=pattern, locale=language(code).locale)


def significant(x: object, figures: int = 3) -> str:
    """A figure with at most ``figures`` significant digits, as published: 4.6, 10.2, 294."""
    if missing(x):
        return no_figure()
    v = float(x)
    if v == 0:
        return number(0)
    digits = max(0, figures - 1 - int(math.floor(math.log10(abs(v)))))
    v = round(v, digits)
    shown = digits
    while shown > 0 and round(v, shown - 1) == v:
        shown -= 1
    return number(v, shown)


#: CLDR units Babel formats itself (short form: km, км, 公里)
CLDR_UNITS = {
    "km": "length-kilometer",
    "km2": "area-square-kilometer",
    "km3": "volume-cubic-kilometer",
    "m": "length-meter",
    "mm": "length-millimeter",
}
#: units CLDR has no pattern for: the catalog gives the whole "value unit" pattern
CATALOG_UNITS = {
    "m3/s": N_("%(value)s m³/s"),
    "mm/yr": N_("%(value)s mm/yr"),
    "km3/yr": N_("%(value)s km³/yr"),
}


#: the same units as the layers write them
UNIT_ALIASES = {"m³/s": "m3/s", "km²": "km2", "km³": "km3", "km³/yr": "km3/yr"}


def quantity(x: object, unit: str, digits: int = 0, *, significant_figures: int = 0) -> str:
    """A number with its unit for the page's locale: ``1,195.4 km``, ``1 195,4 км``,
    ``1,195.4公里``, ``294 м³/с``; "no figure" (without unit) for a missing value.
    ``significant_figures`` > 0 rounds as published (4.6 km³) instead of ``digits``."""
    if missing(x):
        return no_figure()
    value = significant(x, significant_figures) if significant_figures else number(x, digits)
    return with_unit(value, unit)


def with_unit(text: str, unit: str) -> str:
    """Already formatted ``text`` (a number, a range ``0–50``) followed by its unit as the
    page's locale writes it (CLDR patterns through Babel, else the catalog's)."""
    key = UNIT_ALIASES.get(unit, unit)
    if key in CLDR_UNITS:
        # a string value is taken as already formatted (Babel adds only the unit pattern)
        return format_unit(text, CLDR_UNITS[key], length="short", locale=current().locale)
    if key in CATALOG_UNITS:
        return _(CATALOG_UNITS[key]) % {"value": text}
    raise LanguageError(f"unit {unit!r}: accepted: {', '.join([*CLDR_UNITS, *CATALOG_UNITS])}")


def unit_symbol(unit: str) -> str:
    """The unit alone, as the page's locale writes it after a number (axis labels)."""
    return quantity(1, unit).replace(number(1), "").strip()


def degrees(lat: float, lon: float) -> str:
    """``48.0211° N, 85.5581° E`` (WGS 84 degrees, 4 decimals ≈ 10 m) in the page's words."""
    ns = _("%(deg)s° N") if lat >= 0 else _("%(deg)s° S")
    ew = _("%(deg)s° E") if lon >= 0 else _("%(deg)s° W")
    return _("%(lat)s, %(lon)s") % {
        "lat": ns % {"deg": number(abs(lat), 4)},
        "lon": ew % {"deg": number(abs(lon), 4)},
    }


def country(code: object) -> str:
    """A country's name in the page's language from its ISO 3166 alpha-3 code (CLDR via Babel);
    the code itself when it is not known."""
    text = str(code).upper()
    alpha2 = ALPHA3_TO_ALPHA2.get(text)
    if alpha2 is None:
        return str(code)
    return current().locale.territories.get(alpha2, text)


#: the countries of the region (codes used by the layers)
ALPHA3_TO_ALPHA2 = {
    "CHN": "CN",
    "KAZ": "KZ",
    "RUS": "RU",
    "KGZ": "KG",
    "MNG": "MN",
    "UZB": "UZ",
    "TJK": "TJ",
    "AFG": "AF",
    "TKM": "TM",
    "IND": "IN",
    "PAK": "PK",
}


def month_names(width: str = "abbreviated") -> list[str]:
    """Names of the 12 months (``abbreviated``, ``narrow`` or ``wide``), stand-alone forms."""
    months = current().locale.months["stand-alone"][width]
    return [months[m] for m in range(1, 13)]


def number_symbols() -> dict[str, str]:
    """Decimal and group separators of the page's locale (for the charts drawn in the page)."""
    symbols = current().locale.number_symbols["latn"]
    return {"decimal": symbols["decimal"], "group": symbols["group"], "minus": "−"}
