"""``rivermap``: a thin command line over the library (each command a few calls into it).

Exit codes: 0 success; 1 bad input data (file, layer, column, value); 2 bad usage (unknown option
or value); 3 an output could not be written; 70 an unexpected error (a bug); 130 interrupted. Errors print one line, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import click

from geo.errors import OutputError, RivermapError
from rivermap.progress import steps

# The library (geopandas, folium, rasterio, …) is imported inside the commands that use it, so
# that ``rivermap --help`` and usage errors answer at once.

EXIT_DATA, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 70, 130


def _fail(message: str, code: int) -> None:
    click.echo(f"rivermap: error: {message}", err=True)
    sys.exit(code)


def handled(func: Callable) -> Callable:
    """Turn the project's exceptions into one line on stderr and an exit code."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = ctx.find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except OutputError as exc:
            if debug:
                raise
            _fail(str(exc), EXIT_OUTPUT)
        except RivermapError as exc:
            if debug:
                raise
            _fail(str(exc), EXIT_DATA)
        except KeyboardInterrupt:
            _fail("interrupted; outputs written so far are complete, nothing half-written", 130)
        except MemoryError:
            _fail("out of memory; try fewer rivers (--rivers) or a smaller DEM", EXIT_DATA)
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
            if debug:
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            _fail(
                f"unexpected {type(exc).__name__}: {first} (a bug, or an input we do not "
                "check yet; run with --debug for the traceback and report it)",
                EXIT_INTERNAL,
            )

    return wrapper


def _data_option(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        role, sep, path = v.partition("=")
        if not sep or not role or not path:
            raise click.BadParameter(f"{v!r}: expected ROLE=PATH, e.g. rivers=hydrorivers.gpkg")
        out[role.strip()] = path.strip()
    return out


def _rivers_option(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip().lower() for v in value.split(",") if v.strip()]


common_data = [
    click.option(
        "--rivers",
        "rivers",
        metavar="IDS",
        help="Comma-separated river ids from the register (default: all), e.g. ili,irtysh.",
    ),
    click.option(
        "--data",
        "data",
        multiple=True,
        metavar="ROLE=PATH",
        help="Use your own file for a role, e.g. rivers=HydroRIVERS_extract.gpkg, "
        "basins=hybas.shp, flows=my_flows.csv (repeatable).",
    ),
    click.option(
        "--register",
        "register_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="River register TOML (default: the embedded one).",
    ),
    click.option(
        "--fix-geometries",
        is_flag=True,
        help="Repair invalid geometries (shapely.make_valid) and report it, instead of failing.",
    ),
]


def _options(options: list[Callable]) -> Callable[[Callable], Callable]:
    """A decorator applying a list of click options in order."""

    def apply(func: Callable) -> Callable:
        for opt in reversed(options):
            func = opt(func)
        return func

    return apply


with_data_options = _options(common_data)


flow_options = [
    click.option(
        "--flow-table",
        "flow_table",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Your own flow table (CSV, Excel .xlsx, Parquet) to join; needs --flow-key, "
        "--flow-value, --flow-unit (repeatable: tables of the same layout; the --flow-* and "
        "--on-* options apply to each).",
    ),
    click.option(
        "--flow-tables",
        "flow_tables",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A TOML file listing several flow tables, each with its own key, value, unit, "
        "key kind, period, sheet, encoding and report policy (see the README).",
    ),
    click.option("--flow-key", metavar="COL", help="Column holding the key (see --flow-key-kind)."),
    click.option("--flow-value", metavar="COL", help="Column holding the figures."),
    click.option(
        "--flow-unit",
        metavar="UNIT",
        help="Unit of the figures: m3/s, km3 (= bcm), m3, million m3, mm, mm/yr, km3/yr, percent.",
    ),
    click.option(
        "--flow-key-kind",
        type=click.Choice(["river", "crossing", "basin", "reach"]),
        default="river",
        show_default=True,
        help="What the key names: a register river id, a crossing id (e.g. ili-2), a basin id "
        "(WATERSHED_ID/HYBAS_ID) or a HydroRIVERS reach (HYRIV_ID).",
    ),
    click.option(
        "--flow-period",
        metavar="START/END",
        help="Period the figures cover, e.g. 2025-01-01/2025-06-30 (needed to turn volumes "
        "into m³/s).",
    ),
    click.option("--flow-sheet", metavar="NAME", help="Sheet of an Excel workbook."),
    click.option(
        "--flow-encoding", metavar="NAME", help="Text encoding of a CSV that is not UTF-8."
    ),
    click.option(
        "--on-duplicates",
        type=click.Choice(["error", "warning"]),
        default="error",
        show_default=True,
        help="Duplicate keys in the table: stop, or keep the first and report.",
    ),
    click.option(
        "--on-bad-values",
        type=click.Choice(["error", "warning"]),
        default="error",
        show_default=True,
        help="Values that are not numbers: stop, or report them as 'no figure'.",
    ),
    click.option(
        "--on-negative",
        type=click.Choice(["error", "warning", "allow"]),
        default="error",
        show_default=True,
        help="Negative values: stop, report, or allow them silently (e.g. storage change).",
    ),
    click.option(
        "--on-missing",
        type=click.Choice(["error", "warning"]),
        default="error",
        show_default=True,
        help="Empty or NaN values: stop, or report them and show 'no figure'.",
    ),
]


with_flow_options = _options(flow_options)


def _read_user_flows(kw: dict) -> list:
    """Read every analyst flow table the options name (before any other work): each
    ``--flow-table`` with the --flow-* options, then each entry of ``--flow-tables``."""
    from layers.joins import JoinPolicy
    from layers.table_list import TableSpec, read_table_list

    policy = JoinPolicy(
        duplicates=kw["on_duplicates"],
        bad_values=kw["on_bad_values"],
        negative=kw["on_negative"],
        missing=kw["on_missing"],
    )
    specs = []
    if kw.get("flow_table"):
        missing = [f"--flow-{k}" for k in ("key", "value", "unit") if not kw.get(f"flow_{k}")]
        if missing:
            raise click.UsageError(f"--flow-table needs {', '.join(missing)}")
        specs += [
            TableSpec(
                path,
                key=kw["flow_key"],
                value=kw["flow_value"],
                unit=kw["flow_unit"],
                key_kind=kw["flow_key_kind"],
                period=kw["flow_period"],
                sheet=kw["flow_sheet"],
                encoding=kw["flow_encoding"],
                policy=policy,
            )
            for path in kw["flow_table"]
        ]
    if kw.get("flow_tables"):
        specs += read_table_list(kw["flow_tables"], default=policy)
    return [(spec, spec.read()) for spec in specs]


def _join_user_flows(atlas, progress, user: list) -> None:
    from layers.user_flows import attach_user_flows

    for k, (spec, table) in enumerate(user):
        progress(f"joining flow table {k + 1} of {len(user)} ({table.name})")
        attach_user_flows(atlas, table, spec.policy, table_id=spec.id)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quiet", "-q", is_flag=True, help="No progress output (for scripts).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="rivermap")
@click.pass_context
def main(ctx: click.Context, quiet: bool, debug: bool) -> None:
    """Trace the Irtysh, Ili and Emel from China into Kazakhstan; build offline maps and a
    styled GeoPackage.

    Exit codes: 0 ok, 1 bad input data, 2 bad usage, 3 output not writable, 70 unexpected
    error (a bug: run with --debug), 130 interrupted.
    """
    ctx.obj = {"quiet": quiet}


def _load(ctx, rivers, data, register_path, fix_geometries, steps, progress):
    from rivermap import api

    return api.load(
        rivers=_rivers_option(rivers),
        data=_data_option(data),
        register=register_path,
        fix_geometries=fix_geometries,
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
    if not ctx.obj["quiet"]:
        for line in atlas.notes:
            click.echo(f"note: {line}", err=True)


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
def trace(ctx, rivers, data, register_path, fix_geometries, fmt):
    """Print, per river: total length, length per country, border crossings, where it ends.

    Lengths are geodesic on the WGS 84 ellipsoid, in km; crossings give lon/lat in degrees,
    the direction taken from the network's flow, and km from the source along the river.
    """
    from rivermap import api, report

    with steps(api.step_count(()), quiet=ctx.obj["quiet"]) as progress:
        atlas = _load(ctx, rivers, data, register_path, fix_geometries, (), progress)
    rows = report.trace_rows(atlas)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(report.trace_text(rows))
    _notes(ctx, atlas)


crs_option = click.option(
    "--crs",
    metavar="CRS",
    help="CRS of the GeoPackage layers (default EPSG:4326), e.g. EPSG:32644 or ESRI:102025.",
)


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
    help="Folder for the HTML maps and the GeoPackage (created if its parent exists).",
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
def build(
    ctx,
    rivers,
    data,
    register_path,
    fix_geometries,
    out_dir,
    offline,
    crs,
    langs,
    cog_out,
    **flow_kw,
):
    """Build the overview and per-river HTML maps and the GeoPackage into --out.

    Reads the embedded data (or your files, see --data), traces the rivers, joins the flow
    tables, renders self-contained HTML maps that work without internet, and writes
    rivermap.gpkg with QGIS styles and provenance. Nothing is half-written: every file is
    written to a temporary name and renamed when complete.
    """
    from geo.io import parse_crs

    if crs:
        parse_crs(crs)
    from rivermap import api

    languages = _langs_option(langs)
    user = _read_user_flows(flow_kw)
    with (
        api.output_folder(out_dir) as out,
        steps(api.step_count() + 2 + len(user), quiet=ctx.obj["quiet"]) as progress,
    ):
        atlas = _load(ctx, rivers, data, register_path, fix_geometries, None, progress)
        _join_user_flows(atlas, progress, user)
        progress("writing HTML maps")
        pages = api.write_all_languages(atlas, out, languages, online_basemaps=not offline)
        progress("writing the GeoPackage")
        with export_warnings(ctx):
            outputs = [*pages, api.export(atlas, out / "rivermap.gpkg", crs=crs)]
        if cog_out:
            outputs += api.export_elevation(atlas, cog_out)
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
def export(ctx, rivers, data, register_path, fix_geometries, out_file, crs, **flow_kw):
    """Write only the GeoPackage (optionally for a subset of rivers, see --rivers).

    Layers: rivers, river_courses, basins, lakes, borders, crossings, gauges, network; tables:
    flows, water_balance_monthly, water_balance_yearly, gauge_climatology, profiles,
    basin_elevation. Each layer has a default QGIS style; every table carries its provenance.
    """
    from geo.io import parse_crs

    if crs:
        parse_crs(crs)
    if not out_file.parent.exists():
        raise OutputError(f"--out {out_file}: folder {out_file.parent} does not exist")
    from rivermap import api

    user = _read_user_flows(flow_kw)
    with steps(api.step_count() + 1 + len(user), quiet=ctx.obj["quiet"]) as progress:
        atlas = _load(ctx, rivers, data, register_path, fix_geometries, None, progress)
        _join_user_flows(atlas, progress, user)
        progress("writing the GeoPackage")
        with export_warnings(ctx):
            path = api.export(atlas, out_file, crs=crs, rivers=_rivers_option(rivers))
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
@click.pass_context
@handled
def serve(ctx, rivers, data, register_path, fix_geometries, host, port, workers, cache_dir):
    """Serve the maps, GeoPackages and OGC API – Features (QGIS: "Add WFS / OGC API –
    Features layer", URL http://HOST:PORT/). The data is read and traced once at start-up."""
    from service import run

    try:
        sock = run.listen(host, port)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot listen on {host}:{port} ({exc.strerror})", param_hint="--port/--host"
        ) from exc
    from rivermap import api

    with steps(api.step_count(), quiet=ctx.obj["quiet"]) as progress:
        atlas = _load(ctx, rivers, data, register_path, fix_geometries, None, progress)
    _notes(ctx, atlas)
    run.serve(
        atlas,
        sock,
        workers=workers,
        cache_dir=cache_dir,
        announce=lambda m: click.echo(m, err=True),
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

    notes = api.merge_network(out_file, _data_option(data))
    if not ctx.obj["quiet"]:
        for line in notes:
            click.echo(f"note: {line}", err=True)
    click.echo(str(out_file))


if __name__ == "__main__":  # pragma: no cover
    main()
