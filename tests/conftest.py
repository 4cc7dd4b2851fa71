"""Shared fixtures: the Atlas built once from the embedded data (session scope)."""

from __future__ import annotations

import pytest

from layers.atlas import Atlas, build_atlas


@pytest.fixture(scope="session")
def atlas_core() -> Atlas:
    """The embedded data traced, with basins but without flows and elevation."""
    return build_atlas(steps=("basins",))


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The full Atlas built from the embedded data (every step)."""
    return build_atlas()


@pytest.fixture(scope="session")
def map_pages(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The HTML maps of the full Atlas (``write_maps``), by page name: overview, irtysh, ..."""
    from maps.render import write_maps

    out = tmp_path_factory.mktemp("maps")
    return {p.stem: p for p in write_maps(atlas, out)}


@pytest.fixture(scope="session")
def hostile_map_pages(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Overview and Ili maps of the Atlas with ``tests.common.HOSTILE_NAME`` as the Ili's name."""
    from maps.render import overview_map, river_map, write_html
    from tests.common import with_hostile_names

    hostile = with_hostile_names(atlas)
    out = tmp_path_factory.mktemp("hostile-maps")
    pages = {"overview": overview_map(hostile), "ili": river_map(hostile, "ili")}
    return {name: write_html(m, out / f"{name}.html") for name, m in pages.items()}
