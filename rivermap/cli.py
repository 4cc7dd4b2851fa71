"""``rivermap``: a thin command line over the library (each command a few calls into it).

Errors print one line and exit with the codes of :mod:`rivermap.handling` (1 bad input, 2 bad
usage, 3 output, 70 a bug, 130 / 143 signals), never a traceback. The entry point is :func:`rivermap.__main__.run`, which installs the signal handlers
before this module's imports.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from rivermap.flow_tables import join_user_flows, read_user_flows
from rivermap.handling import handled, print_notes
from rivermap.options import (
    crs_option,
    data_option,
    nodata_option,
    rivers_option,
    with_data_options,
    with_flow_options,
)
from rivermap.progress import steps

# The library (geopandas, folium, rasterio, …) is imported inside the commands that use it, so
# that ``rivermap --help`` and usage errors answer at once.


@contextmanager
def _reading(kw: dict) -> Iterator[None]:
    """Checks of the reading options before anything is read, and the nodata markers in
    force for the whole command."""
    from geo import numeric
    from geo.io import parse_crs

    if kw.get("assume_crs"):
        parse_crs(kw["assume_crs"], what="--assume-crs")
    if kw.get("crs"):
        from layers.gpkg import export_crs

        export_crs(kw["crs"])
    with numeric.using(nodata_option(kw.get("nodata"))):
        yield


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quiet", "-q", is_flag=True, help="No progress output (for scripts).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="rivermap")
@click.pass_context
def main(ctx: click.Context, quiet: bool, debug: bool) -> None:
    """Trace the Irtysh, Ili and Emel from China into Kazakhstan; build offline maps and a
    styled GeoPackage.

    Exit codes: 0 ok, 1 bad input data, 2 bad usage, 3 output not writable, 70 unexpected
    error (a bug: run with --debug), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
    """
    ctx.obj = {"quiet": quiet}


def _load(kw: dict, steps: tuple[str, ...] | None, progress):
    from rivermap import api

    return api.load(
        rivers=rivers_option(kw["rivers"]),
        data=data_option(kw["data"]),
        register=kw["register_path"],
        fix_geometries=kw["fix_geometries"],
        assume_crs=kw["assume_crs"],
        nodata=nodata_option(kw["nodata"]),
        bad_values=kw["on_bad_values"],
        progress=progress,
        steps=steps,
    )


@contextmanager
def export_warnings(ctx):
    """The GeoPackage writer's warnings (a CRS meant for a smaller area) as one line each on
    stderr, "warning: …", also with --quiet."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        yield
    for w in caught:
        if issubclass(w.category, UserWarning) and w.category.__module__.startswith("layers."):
            click.echo(f"warning: {w.message}", err=True)


def _notes(ctx, atlas) -> None:
    print_notes(ctx, atlas.notes)


@main.command()
@with_data_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output as readable tables or as JSON.",
)
@click.pass_context
@handled
def trace(ctx, fmt, **kw):
    """Print, per river: total length, length per country, border crossings, where it ends.

    Lengths are geodesic on the WGS 84 ellipsoid, in km; crossings give lon/lat in degrees,
    the direction taken from the network's flow, and km from the source along the river.
    """
    from rivermap import api, report

    with _reading(kw), steps(api.step_count(()), quiet=ctx.obj["quiet"]) as progress:
        atlas = _load(kw, (), progress)
    rows = report.trace_rows(atlas)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(report.trace_text(rows))
    _notes(ctx, atlas)


def _langs_option(text: str) -> list[str]:
    """``--lang en,kk`` -> ["en", "kk"]; an unknown language is a usage error naming it."""
    from maps.i18n import LANGS

    langs = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in langs if t not in LANGS]
    if unknown or not langs:
        raise click.BadParameter(
            f"{', '.join(unknown) or repr(text)}; accepted: {', '.join(LANGS)} (comma-separated)",
            param_hint="--lang",
        )
    return langs


@main.command()
@with_data_options
@click.option(
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the HTML maps and the GeoPackage (created if its parent exists); the "
    "previous outputs there are replaced together when the run completes.",
)
@click.option(
    "--offline/--online",
    "offline",
    default=True,
    show_default=True,
    help="--online adds OpenStreetMap, Esri World Imagery and OpenTopoMap as basemap options "
    "(they need internet); the embedded shaded relief is always there.",
)
@crs_option
@click.option(
    "--lang",
    "langs",
    default="en,kk,ru,zh",
    show_default=True,
    metavar="LANGS",
    help="Languages of the HTML maps, comma-separated: en (in --out), kk, ru, zh (in --out/kk, ...).",
)
@click.option(
    "--cog-out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the clipped DEM(s) and the hillshade as Cloud-Optimised GeoTIFFs here.",
)
@with_flow_options
@click.pass_context
@handled
def build(ctx, out_dir, offline, crs, langs, cog_out, **kw):
    """Build the overview and per-river HTML maps and the GeoPackage into --out.

    Reads the embedded data (or your files, see --data), traces the rivers, joins the flow
    tables, renders self-contained HTML maps that work without internet, and writes
    rivermap.gpkg with QGIS styles and provenance. Every input and output location is
    checked first; the outputs are written into a temporary folder and replace the previous
    ones together at the end, so a failed run changes nothing.
    """
    from rivermap import api

    languages = _langs_option(langs)
    with _reading({**kw, "crs": crs}):
        api.check_outputs(out_dir, cog_out)
        user = read_user_flows(kw)
        with steps(api.step_count() + 2 + len(user), quiet=ctx.obj["quiet"]) as progress:
            atlas = _load(kw, None, progress)
            join_user_flows(atlas, progress, user)
            with export_warnings(ctx):
                outputs = api.write_outputs(
                    atlas,
                    out_dir,
                    crs=crs,
                    langs=languages,
                    cog_out=cog_out,
                    online_basemaps=not offline,
                    progress=progress,
                )
    _notes(ctx, atlas)
    for path in outputs:
        click.echo(str(path))


@main.command()
@with_data_options
@click.option(
    "--out",
    "out_file",
    default="rivermap.gpkg",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="GeoPackage to write; an existing file is replaced only by a complete new one.",
)
@crs_option
@with_flow_options
@click.pass_context
@handled
def export(ctx, out_file, crs, **kw):
    """Write only the GeoPackage (optionally for a subset of rivers, see --rivers).

    Layers: rivers, river_courses, basins, lakes, borders, crossings, gauges, network; tables:
    flows, water_balance_monthly, water_balance_yearly, gauge_climatology, profiles,
    basin_elevation. Each layer has a default QGIS style; every table carries its provenance.
    """
    from rivermap import api

    with _reading({**kw, "crs": crs}):
        api.check_export(out_file)
        user = read_user_flows(kw)
        with steps(api.step_count() + 1 + len(user), quiet=ctx.obj["quiet"]) as progress:
            atlas = _load(kw, None, progress)
            join_user_flows(atlas, progress, user)
            progress("writing the GeoPackage")
            with export_warnings(ctx):
                path = api.export(atlas, out_file, crs=crs, rivers=rivers_option(kw["rivers"]))
    _notes(ctx, atlas)
    click.echo(str(path))


@main.command()
@with_data_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0: a free port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Processes; more than 1 runs gunicorn with uvicorn workers sharing the loaded data.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for generated maps and GeoPackages (default ~/.cache/rivermap/service).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Public URL the links are built on, behind a reverse proxy "
    "(e.g. https://maps.example.org/rivermap); default: the URL each request came to.",
)
@click.pass_context
@handled(hold_warnings=False)
def serve(ctx, host, port, workers, cache_dir, base_url, **kw):
    """Serve the maps, GeoPackages and OGC API – Features (QGIS: "Add WFS / OGC API –
    Features layer", URL http://HOST:PORT/). The data is read and traced once at start-up."""
    from service import run

    if base_url:
        from geo.errors import RivermapError
        from service.links import public_base_url

        try:
            public_base_url(base_url)
        except RivermapError as exc:
            message = str(exc).removeprefix("--base-url ")
            raise click.BadParameter(message, param_hint="--base-url") from exc
    try:
        sock = run.listen(host, port)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot listen on {host}:{port} ({exc.strerror})", param_hint="--port/--host"
        ) from exc
    from rivermap import api

    with _reading(kw), steps(api.step_count(), quiet=ctx.obj["quiet"]) as progress:
        atlas = _load(kw, None, progress)
    _notes(ctx, atlas)
    run.serve(
        atlas,
        sock,
        workers=workers,
        cache_dir=cache_dir,
        announce=lambda m: click.echo(m, err=True),
        base_url=base_url,
    )


@main.command("merge-network")
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="ROLE=PATH",
    help="rivers=PRIMARY (lines digitised downstream, or HydroRIVERS-style) and "
    "headwaters=SECONDARY (lines without flow direction, e.g. World Data Bank II); "
    "dem=, lakes= as for the other commands. Default: the embedded pair.",
)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="GeoJSON file to write (lines digitised downstream, column source per reach).",
)
@click.pass_context
@handled
def merge_network(ctx, data, out_file):
    """Extend a river network upstream with the headwaters of a coarser source.

    Secondary lines that continue a primary headwater, or join a primary reach as a
    tributary, are added (water flows towards the junction); lines alongside a primary reach,
    touching nothing, making a cycle, running uphill (DEM) or into the lake the network ends
    in are left out and reported. Use the result with --data rivers=FILE, or pass both files
    to any command as --data rivers=... --data headwaters=.... Same inputs, same bytes.
    """
    from rivermap import api

    notes = api.merge_network(out_file, data_option(data))
    if not ctx.obj["quiet"]:
        for line in notes:
            click.echo(f"note: {line}", err=True)
    click.echo(str(out_file))


if __name__ == "__main__":  # pragma: no cover
    from rivermap.__main__ import run

    run()
