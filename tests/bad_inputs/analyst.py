"""Frictions an analyst meets (a missing .prj, the wrong sheet, a title row) and output
locations that cannot take a run's outputs (exit 3, checked before any work)."""

from __future__ import annotations

import csv
import os

import pandas as pd

from tests.bad_inputs.cases import _flow_args, _flows, _y, case


def _shapefile_without_prj(tmp, gdf=None) -> str:
    (gdf if gdf is not None else _y()).to_file(tmp / "rivers.shp")
    (tmp / "rivers.prj").unlink()
    return str(tmp / "rivers.shp")


# -- --assume-crs ---------------------------------------------------------------------------------
@case(r"--assume-crs: 'EPSG:999999' is not a CRS pyproj knows")
def assumed_crs_that_does_not_exist(tmp):
    path = _shapefile_without_prj(tmp)
    return ["trace", "--data", f"rivers={path}", "--assume-crs", "EPSG:999999"]


@case(r"rivers\.shp: data lies at lon 0\.0007.*outside the product's region .*is the declared CRS")
def assumed_crs_that_is_wrong(tmp):
    """Degrees read as Web Mercator metres land a few metres off Null Island: refused."""
    path = _shapefile_without_prj(tmp)
    return ["trace", "--data", f"rivers={path}", "--assume-crs", "EPSG:3857"]


# -- Excel workbooks ------------------------------------------------------------------------------
def _workbook(tmp, sheets: dict[str, pd.DataFrame]) -> str:
    path = tmp / "flows.xlsx"
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return str(path)


@case(
    r"flows\.xlsx: no data rows under the header; sheets in this workbook: Notes, Q \(choose "
    r"one with --flow-sheet\)"
)
def workbook_read_from_the_wrong_sheet(tmp):
    path = _workbook(
        tmp,
        {
            "Notes": pd.DataFrame(columns=["Flows of 2025 from the ministry"]),
            "Q": pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}),
        },
    )
    return _flow_args(tmp, path)


@case(r"flows\.xlsx: no sheet 'Q2'; sheets are: Notes, Q")
def workbook_sheet_that_is_not_there(tmp):
    path = _workbook(
        tmp,
        {
            "Notes": pd.DataFrame({"a": [1]}),
            "Q": pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}),
        },
    )
    return [*_flow_args(tmp, path), "--flow-sheet", "Q2"]


@case(
    r"flows\.xlsx: no key column 'river'; columns are: Irtysh and Ili, H1 2025, Unnamed: 1; the "
    r"header seems to be row 2: skip the 1 row\(s\) above it with --flow-skip-rows 1"
)
def workbook_with_a_title_row(tmp):
    rows = [["Irtysh and Ili, H1 2025", None], ["river", "volume"], ["irtysh", 4.6]]
    pd.DataFrame(rows).to_excel(tmp / "flows.xlsx", index=False, header=False)
    return _flow_args(tmp, tmp / "flows.xlsx")


# -- CSV title rows -------------------------------------------------------------------------------
@case(
    r"flows\.csv: no key column 'river'; columns are: Irtysh and Ili, volumes of H1 2025; the "
    r"header seems to be row 2: skip the 1 row\(s\) above it with --flow-skip-rows 1"
)
def csv_with_a_title_row(tmp):
    return _flows(tmp, "Irtysh and Ili, volumes of H1 2025\nriver,volume\nirtysh,4.6\n")


@case(
    r"flows\.csv: row 3 has 2 fields but the header has 1; .*if the row above it is a title, "
    r"skip the rows above the header with --flow-skip-rows 2"
)
def csv_with_a_one_cell_title_and_a_blank_row(tmp):
    return _flows(tmp, "Volumes of H1 2025\n\nriver,volume\nirtysh,4.6\n")


@case(r"flows\.csv: no data rows under the header \(rows above it skipped: 2, --flow-skip-rows\)")
def title_row_skipped_once_too_often(tmp):
    return _flows(tmp, "Volumes of H1 2025\nriver,volume\nirtysh,4.6\n", "--flow-skip-rows", "2")


@case(r"flows\.parquet: --flow-skip-rows applies to CSV and Excel tables only")
def skip_rows_for_parquet(tmp):
    pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}).to_parquet(tmp / "flows.parquet")
    return [*_flow_args(tmp, tmp / "flows.parquet"), "--flow-skip-rows", "1"]


@case(r"Invalid value for '--flow-skip-rows': -1 is not in the range x>=0", exit_code=2)
def negative_skip_rows(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\n", "--flow-skip-rows", "-1")


# -- output locations (exit 3, before any input is read) ------------------------------------------
@case(r"--out .*/out: rivermap\.gpkg there is not a GeoPackage; not replaced", exit_code=3)
def build_over_a_file_that_is_not_a_geopackage(tmp):
    (tmp / "out").mkdir()
    (tmp / "out" / "rivermap.gpkg").write_text("my notes, not a GeoPackage", "utf-8")
    return ["build", "--out", str(tmp / "out")]


@case(r"--cog-out .*/a/cogs: parent folder .*/a does not exist", exit_code=3)
def cog_out_into_a_missing_folder(tmp):
    return ["build", "--out", str(tmp / "out"), "--cog-out", str(tmp / "a" / "cogs")]


@case(r"notes\.gpkg: exists and is not a GeoPackage; not replaced", exit_code=3)
def export_over_a_file_that_is_not_a_geopackage(tmp):
    (tmp / "notes.gpkg").write_text("my notes", "utf-8")
    return ["export", "--out", str(tmp / "notes.gpkg")]


@case(r"--out /dev/full: exists and is not a regular file \(a device, a pipe or a socket\)", 3)
def export_onto_a_device(tmp):
    return ["export", "--out", "/dev/full"]


@case(r"--out .*/out: rivermap\.gpkg there is not a GeoPackage; not replaced", exit_code=3)
def build_over_a_named_pipe_called_rivermap_gpkg(tmp):
    """Opening the pipe to look at its first bytes would block: it is never opened."""
    (tmp / "out").mkdir()
    os.mkfifo(tmp / "out" / "rivermap.gpkg")
    return ["build", "--out", str(tmp / "out")]


@case(r"--out .*/nowhere/net\.geojson: folder .*/nowhere does not exist", exit_code=3)
def merged_network_into_a_missing_folder(tmp):
    """Checked before the merge is computed."""
    return ["merge-network", "--out", str(tmp / "nowhere" / "net.geojson")]


@case(r"tables\.toml: is a named pipe \(FIFO\), not a regular file")
def flow_table_list_from_a_named_pipe(tmp):
    os.mkfifo(tmp / "tables.toml")
    return ["export", "--out", str(tmp / "x.gpkg"), "--flow-tables", str(tmp / "tables.toml")]


@case(r"seed\.csv: row 3, column 'value': 'н/д' is a nodata marker; every figure needs a value")
def published_figures_table_with_a_marker(tmp):
    from layers.sources import DATA_DIR

    lines = (DATA_DIR / "seed_flows.csv").read_text("utf-8").splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[2]]))
    cells[header.index("value")] = "н/д"
    rows = [lines[0], lines[1], ",".join(f'"{c}"' for c in cells), *lines[3:]]
    (tmp / "seed.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"flows={tmp / 'seed.csv'}"]
