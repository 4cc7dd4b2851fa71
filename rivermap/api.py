"""The notebook API: load, trace, join, map, export — each step one call.

>>> from rivermap import api
>>> atlas = api.load(rivers=["ili"])                 # read, trace, join flows  # doctest: +SKIP
>>> atlas["river_courses"][["name_en", "length_km"]]                            # doctest: +SKIP
>>> api.write_maps(atlas, "out")                      # offline HTML maps        # doctest: +SKIP
>>> api.write_maps(atlas, "out/kk", lang="kk")        # ... in Kazakh            # doctest: +SKIP
>>> api.export(atlas, "out/rivermap.gpkg")            # styled GeoPackage        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from geo import numeric
from geo.atomic import reason
from geo.atomic_folder import (
    atomic_folder,
    check_file_target,
    check_folder_target,
    staged,
)
from geo.containers import is_sqlite
from geo.errors import OutputError
from geo.io import parse_crs
from layers.atlas import STEPS, Atlas, build_atlas
from layers.register import DEFAULT_REGISTER, load_register
from layers.sources import default_sources, with_overrides

CORE_STEPS = 3  # reading the network, borders/countries/lakes, tracing
#: the GeoPackage's name in a build's output folder
GPKG_NAME = "rivermap.gpkg"


def step_count(steps: tuple[str, ...] | None = None) -> int:
    """How many progress steps :func:`load` reports (for a progress bar)."""
    return CORE_STEPS + len(STEPS if steps is None else steps)


def load(
    rivers: list[str] | None = None,
    data: dict[str, str] | None = None,
    register: str | Path | None = None,
    *,
    fix_geometries: bool = False,
    assume_crs: str | None = None,
    nodata: list[str] | None = None,
    bad_values: str = "error",
    progress: Callable[[str], None] | None = None,
    steps: tuple[str, ...] | None = None,
) -> Atlas:
    """Read the sources (embedded data unless ``data`` names your own files per role, e.g.
    ``{"rivers": "HydroRIVERS_v10_as.gpkg"}``), trace the register rivers (all unless
    ``rivers`` lists ids) and build the Atlas of layers (EPSG:4326).

    ``assume_crs``: the CRS of vector inputs that declare none; ``nodata``: the markers read
    as "no value" in numeric attributes (default :data:`geo.numeric.DEFAULT_MARKERS`);
    ``bad_values``: ``"error"`` or ``"warning"`` for numeric attributes that are not finite
    numbers.
    """
    if assume_crs is not None:
        parse_crs(assume_crs, what="--assume-crs")
    sources = with_overrides(default_sources(), data or {})
    reg = load_register(register or DEFAULT_REGISTER)
    with numeric.using(nodata):
        return build_atlas(
            sources,
            reg,
            rivers,
            fix_geometries=fix_geometries,
            assume_crs=assume_crs,
            bad_values=bad_values,
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

    out = check_file_target(out)
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
    out = check_folder_target(folder)
    if not out.exists():
        try:
            out.mkdir()
        except FileExistsError:
            pass  # another run created it meanwhile
        except OSError as exc:
            raise OutputError(f"--out {out}: cannot create the folder ({reason(exc)})") from exc
    return out


def check_outputs(out_dir: str | Path, cog_out: str | Path | None = None) -> None:
    """OutputError unless every output of :func:`write_outputs` can be written (nothing is
    written): the folders exist or can be created, are writable, and an existing
    ``rivermap.gpkg`` there is a GeoPackage (another file is never replaced)."""
    out = check_folder_target(out_dir)
    gpkg = out / GPKG_NAME
    if gpkg.exists() and (not gpkg.is_file() or not is_sqlite(gpkg)):
        raise OutputError(
            f"--out {out}: {gpkg.name} there is not a GeoPackage; not replaced (remove it or "
            "choose another --out)"
        )
    if cog_out is not None and _inside(cog_out, out_dir) is None:
        check_folder_target(cog_out, option="--cog-out")
    elif cog_out is not None and Path(cog_out).exists() and not Path(cog_out).is_dir():
        raise OutputError(f"--cog-out {cog_out}: exists and is not a folder")


def _inside(folder: str | Path, out_dir: str | Path) -> Path | None:
    """``folder`` relative to ``out_dir`` when it lies inside it (or is it), else None."""
    inner, outer = Path(folder).resolve(), Path(out_dir).resolve()
    return inner.relative_to(outer) if inner.is_relative_to(outer) else None


def check_export(path: str | Path) -> None:
    """OutputError unless the GeoPackage ``path`` can be written (nothing is written)."""
    from layers.gpkg import check_target

    check_target(check_file_target(path))


def write_outputs(
    atlas: Atlas,
    out_dir: str | Path,
    *,
    crs: str | None = None,
    langs: list[str] | None = None,
    cog_out: str | Path | None = None,
    online_basemaps: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the HTML maps (every language of ``langs``, see :func:`write_all_languages`) and
    ``rivermap.gpkg`` into ``out_dir`` (and the COGs into ``cog_out``) as one: everything is
    written into temporary folders beside the targets and swapped in together at the end
    (:func:`geo.atomic_folder.atomic_folder`), so a run that fails at any step leaves every earlier
    output as it was. Returns the final paths."""
    progress = progress or (lambda _msg: None)
    check_outputs(out_dir, cog_out)
    within = _inside(cog_out, out_dir) if cog_out is not None else None
    with ExitStack() as stack:
        out = stack.enter_context(atomic_folder(out_dir))
        cog = None
        if within is not None:  # --cog-out inside --out: staged with it
            cog = out / within
            cog.mkdir(parents=True, exist_ok=True)
        elif cog_out is not None:
            cog = stack.enter_context(atomic_folder(cog_out, option="--cog-out"))
        progress("writing HTML maps")
        written = write_all_languages(atlas, out, langs, online_basemaps=online_basemaps)
        progress("writing the GeoPackage")
        written.append(export(atlas, out / GPKG_NAME, crs=crs))
        cogs = export_elevation(atlas, cog) if cog is not None else []
    if within is not None:
        return staged([*written, *cogs], out, Path(out_dir))
    final = staged(written, out, Path(out_dir))
    return final + (staged(cogs, cog, Path(cog_out)) if cog is not None else [])


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
