"""The command line's options, in groups shared by the commands (click declarations only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

#: examples of the default nodata markers shown in --help (all of :data:`geo.numeric.DEFAULT_MARKERS`
#: in the README; geo.numeric is not imported here, the CLI answers --help without numpy)
NODATA_EXAMPLES = ("-9999", "-999", "n/a", "н/д", "нет данных", "мәлімет жоқ", "无数据")


def options(group: list[Callable]) -> Callable[[Callable], Callable]:
    """A decorator applying a list of click options in order."""

    def apply(func: Callable) -> Callable:
        for opt in reversed(group):
            func = opt(func)
        return func

    return apply


def data_option(values: tuple[str, ...]) -> dict[str, str]:
    """``--data ROLE=PATH`` values as ``{role: path}``."""
    out = {}
    for v in values:
        role, sep, path = v.partition("=")
        if not sep or not role or not path:
            raise click.BadParameter(f"{v!r}: expected ROLE=PATH, e.g. rivers=hydrorivers.gpkg")
        out[role.strip()] = path.strip()
    return out


def rivers_option(value: str | None) -> list[str] | None:
    """``--rivers ili,irtysh`` as a list of ids (``None``: all)."""
    if not value:
        return None
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def nodata_option(value: str | None) -> list[str] | None:
    """``--nodata=-9999,n/a`` as a list of markers (``None``: the default list)."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",")]


def _policy(
    flag: str, text: str, *, choices: tuple[str, ...] = ("error", "warning"), default: str = "error"
) -> Callable:
    """A ``--on-*`` option: what to do with one kind of bad value (stop, report, …)."""
    return click.option(
        flag, type=click.Choice(list(choices)), default=default, show_default=True, help=text
    )


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
        "basins=hybas.shp, flows=my_flows.csv, rivers=/vsizip/rivers.zip/rivers.shp "
        "(repeatable).",
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
    click.option(
        "--assume-crs",
        metavar="CRS",
        help="CRS of vector inputs that declare none (a shapefile without .prj), e.g. "
        "EPSG:4326; reported, and checked against the product's region.",
    ),
    click.option(
        "--nodata",
        metavar="LIST",
        help="Comma-separated values read as 'no value' in every numeric attribute, replacing "
        f"the default list ({', '.join(NODATA_EXAMPLES)}, … see the README); an empty "
        "cell is always missing. Use --nodata= for none.",
    ),
    _policy(
        "--on-bad-values",
        "Values that are not (finite) numbers in a numeric attribute (flow tables, "
        "LENGTH_KM, UPLAND_SKM): stop, or report them and treat them as missing.",
    ),
]

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
        "key kind, period, sheet, encoding, skip_rows and report policy (see the README).",
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
        "--flow-skip-rows",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Rows above the header to leave out (a title row), CSV and Excel.",
    ),
    click.option(
        "--flow-encoding", metavar="NAME", help="Text encoding of a CSV that is not UTF-8."
    ),
    _policy(
        "--on-duplicates",
        "Duplicate keys in the table: stop, or keep the first and report.",
    ),
    _policy(
        "--on-negative",
        "Negative values: stop, report, or allow them silently (e.g. storage change).",
        choices=("error", "warning", "allow"),
    ),
    _policy(
        "--on-unmatched",
        "Keys in the table that match no river, crossing, basin or reach: stop, or report.",
        default="warning",
    ),
    _policy(
        "--on-no-value",
        "Rivers, crossings, basins or reaches the table has no value for: stop, or report "
        "them and show 'no figure'.",
        default="warning",
    ),
    _policy(
        "--on-missing",
        "Empty cells, NaN and nodata markers (see --nodata): stop, or report them and "
        "show 'no figure'.",
    ),
]

crs_option = click.option(
    "--crs",
    metavar="CRS",
    help="CRS of the GeoPackage layers (default EPSG:4326), e.g. EPSG:32644 or ESRI:102025.",
)

with_data_options = options(common_data)
with_flow_options = options(flow_options)
