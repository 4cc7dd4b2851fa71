"""Shared fixtures: the Atlas built once from the embedded data (session scope)."""

from __future__ import annotations

import pytest

from layers.atlas import Atlas, build_atlas


@pytest.fixture(scope="session")
def atlas_core() -> Atlas:
    """The embedded data traced, without the optional steps (flows, elevation)."""
    return build_atlas(steps=())


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
