"""Babel extractors for the words of the embedded data that the maps show as text: the river
register's ``note`` and ``ends_in`` (``layers/data/rivers.toml``) and the flow table's ``note``
column (``layers/data/seed_flows.csv``). Names are never extracted: they come from the
register in every language.

Used by ``pybabel extract -F maps/babel.cfg`` (see ``make catalogs``); the maps translate these
texts with the catalog when they show them, and show an analyst's own texts as written.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterator

Message = tuple[int, str, str, list[str]]


def _line_of(text: str, value: str) -> int:
    at = text.find(value)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def register(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    """``note`` and ``ends_in`` of every river of a register file."""
    text = fileobj.read().decode("utf-8")
    for river in tomllib.loads(text).get("river", []):
        for key in ("ends_in", "note"):
            value = river.get(key)
            if value:
                yield _line_of(text, value), "", value, [f"register: {river.get('id')}.{key}"]


def flow_notes(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    """The ``note`` column of a flow table."""
    text = fileobj.read().decode("utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        value = (row.get("note") or "").strip()
        if value:
            yield _line_of(text, value), "", value, [f"flow table: {row.get('subject')}"]
