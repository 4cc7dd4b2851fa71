"""The notebook API: load, trace, join, map, export — each step one call.

>>> from rivermap import api
>>> atlas = api.load(rivers=["ili"])            # read + trace + join flows   # doctest: +SKIP
>>> atlas["river_courses"][["name_en", "length_km"]]                          # doctest: +SKIP
"""

from __future__ import annotations

import sys
from pathlib import Path

from layers.atlas import Atlas, build_atlas
from layers.register import DEFAULT_REGISTER, load_register
from layers.sources import default_sources, with_overrides


def _progress(quiet: bool):
    if quiet:
        return lambda _msg: None
    return lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)


def load(
    rivers: list[str] | None = None,
    data: dict[str, str] | None = None,
    register: str | Path | None = None,
    *,
    fix_geometries: bool = False,
    quiet: bool = True,
    steps: tuple[str, ...] | None = None,
) -> Atlas:
    """Read the sources (embedded data unless ``data`` names your own files per role), trace
    the register rivers (all unless ``rivers`` lists ids) and build the Atlas of layers.
    """
    sources = with_overrides(default_sources(), data or {})
    reg = load_register(register or DEFAULT_REGISTER)
    return build_atlas(
        sources,
        reg,
        rivers,
        fix_geometries=fix_geometries,
        progress=_progress(quiet),
        steps=steps,
    )
