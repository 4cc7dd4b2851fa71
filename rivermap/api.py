"""The notebook API: load, trace, join, map, export — each step one call.

>>> from rivermap import api
>>> atlas = api.load(rivers=["ili"])                 # read, trace, join flows  # doctest: +SKIP
>>> atlas["river_courses"][["name_en", "length_km"]]                            # doctest: +SKIP
>>> api.write_maps(atlas, "out")                      # offline HTML maps        # doctest: +SKIP
>>> api.write_maps(atlas, "out/kk", lang="kk")        # ... in Kazakh            # doctest: +SKIP
>>> api.export(atlas, "out/rivermap.gpkg")            # styled GeoPackage        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError
from layers.atlas import STEPS, Atlas, build_atlas
from layers.register import DEFAULT_REGISTER, load_register
from layers.sources import default_sources, with_overrides

CORE_STEPS = 3  # reading the network, borders/countries/lakes, tracing


def step_count(steps: tuple[str, ...] | None = None) -> int:
    """How many progress steps :func:`load` reports (for a progress bar)."""
    return CORE_STEPS + len(STEPS if steps is None else steps)


def load(
    rivers: list[str] | None = None,
    data: dict[str, str] | None = None,
    register: str | Path | None = None,
    *,
    fix_geometries: bool = False,
    progress: Callable[[str], None] | None = None,
    steps: tuple[str, ...] | None = None,
) -> Atlas:
    """Read the sources (embedded data unless ``data`` names your own files per role, e.g.
    ``{"rivers": "HydroRIVERS_v10_as.gpkg"}``), trace the register rivers (all unless
    ``rivers`` lists ids) and build the Atlas of layers (EPSG:4326).
    """
    sources = with_overrides(default_sources(), data or {})
    reg = load_register(register or DEFAULT_REGISTER)
    return build_atlas(
        sources,
        reg,
        rivers,
        fix_geometries=fix_geometries,
        progress=progress or (lambda _msg: None),
        steps=steps,
    )


def merge_network(out: str | Path, data: dict[str, str] | None = None) -> list[str]:
    """Write a river network extended upstream with a secondary source's headwaters.

    ``data`` names ``rivers`` (the primary network) and ``headwaters`` (the secondary lines);
    without them, the embedded pair (portal lines + World Data Bank II) that the default
    network ``rivers_merged.geojson`` is built from. Returns the merge's notes.
    """
    from layers.river_network import embedded_pair, merge_network_files

    out = Path(out)
    if not out.parent.exists():
        raise OutputError(f"--out {out}: folder {out.parent} does not exist")
    return merge_network_files(with_overrides(embedded_pair(), data or {}), out)


def join_flow_table(atlas: Atlas, path: str | Path, **options):
    """Join an analyst's flow table to the Atlas (CSV, Excel, Parquet), with a report in
    ``atlas.notes``; call it once per table: each keeps its own columns (``user_…``,
    ``user_2_…`` or ``user_<table_id>_…``) and its rows in ``flows``. Options: ``key``,
    ``value``, ``unit``, ``key_kind`` (river, crossing, basin, reach), ``period``
    ("2025-01-01/2025-06-30"), ``sheet``, ``encoding``, ``policy``
    (:class:`layers.joins.JoinPolicy`), ``table_id``. Returns the
    :class:`layers.user_flows.JoinedTable`. Example::

        api.join_flow_table(atlas, "flows.xlsx", key="river", value="Q", unit="m3/s",
                            key_kind="river", period="2024-01-01/2024-12-31")
    """
    from layers.user_flows import attach_user_flow_file

    return attach_user_flow_file(atlas, path, **options)


def prepare_folder(folder: str | Path) -> Path:
    """Create the output folder if its parent exists; OutputError if it cannot be used."""
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: exists and is not a folder")
    if not out.exists():
        if not out.parent.exists():
            raise OutputError(f"--out {out}: parent folder {out.parent} does not exist")
        try:
            out.mkdir()
        except OSError as exc:
            raise OutputError(f"--out {out}: cannot create the folder ({exc.strerror})") from exc
    return out


@contextmanager
def output_folder(folder: str | Path) -> Iterator[Path]:
    """:func:`prepare_folder` for a block of writes; a folder this call created is removed
    again if the block fails before anything was written into it."""
    out = Path(folder)
    created = not out.exists()
    out = prepare_folder(out)
    try:
        yield out
    except BaseException:
        if created and not any(out.iterdir()):
            out.rmdir()
        raise


def write_maps(
    atlas: Atlas,
    out_dir: str | Path,
    *,
    online_basemaps: bool = False,
    lang: str = "en",
    links: Callable[[str, str], str] | None = None,
) -> list[Path]:
    """Write the overview and per-river HTML maps (self-contained, offline) into ``out_dir``
    in one language: ``lang`` is en, kk, ru or zh. ``links(page, lang)`` gives the address of
    a sibling page for the language switch (default: ``rivermap build``'s folders, English
    at the top and ``kk/``, ``ru/``, ``zh/`` beside it; ``maps.panels.query_links`` for pages
    served as ``overview.html?lang=kk``)."""
    from maps.render import write_maps as _write_maps

    return _write_maps(
        atlas, prepare_folder(out_dir), online_basemaps=online_basemaps, lang=lang, links=links
    )


def write_all_languages(
    atlas: Atlas,
    out_dir: str | Path,
    langs: list[str] | None = None,
    *,
    online_basemaps: bool = False,
) -> list[Path]:
    """Every map in every language of ``langs`` (default en, kk, ru, zh): English in
    ``out_dir``, the others in ``out_dir/kk``, ``out_dir/ru``, ``out_dir/zh``."""
    from maps.i18n import LANGS
    from maps.render import write_languages

    return write_languages(
        atlas, prepare_folder(out_dir), langs or LANGS, online_basemaps=online_basemaps
    )


def export(
    atlas: Atlas, path: str | Path, *, crs: str | None = None, rivers: list[str] | None = None
) -> Path:
    """Write the GeoPackage (every layer, QGIS styles, metadata), atomically, to ``path``."""
    from layers.gpkg import write_geopackage

    return write_geopackage(atlas, Path(path), crs=crs, rivers=rivers)


def export_elevation(atlas: Atlas, out_dir: str | Path) -> list[Path]:
    """Write the clipped DEM(s) and the hillshade as Cloud-Optimised GeoTIFFs into ``out_dir``."""
    from layers.elevation import export_elevation_cogs

    return export_elevation_cogs(atlas, prepare_folder(out_dir))
