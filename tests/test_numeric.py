"""One rule for numeric attributes (geo.numeric): nodata markers, non-finite values, rasters."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from affine import Affine

from geo import numeric
from geo.numeric import FIGURE, MISSING, NOT_A_NUMBER, parse_numbers


@pytest.mark.parametrize(
    "cell",
    ["-9999", "-999", "-9999.0", " N/A ", "н/д", "Н/Д", "нет данных", "мәлімет жоқ", "无数据"],
)
def test_markers_are_missing_and_named(cell):
    n = parse_numbers(pd.Series(["4.6", cell]))
    assert n.status.tolist() == [FIGURE, MISSING]
    assert n.marker.tolist() == [False, True]
    assert np.isnan(n.values[1]) and n.values[0] == 4.6
    assert n.why(1) == f"{cell!r} is a nodata marker"


def test_marker_numbers_match_by_value_in_a_decimal_comma_column():
    n = parse_numbers(pd.Series(["29,70", "-9999,00", "-9999,5"]))
    assert n.status.tolist() == [FIGURE, MISSING, FIGURE]
    assert n.values[0] == 29.7 and n.values[2] == -9999.5


@pytest.mark.parametrize("cell", ["1e400", "inf", "-Infinity", "∞", float("inf"), -np.inf])
def test_non_finite_values_are_bad_values(cell):
    n = parse_numbers(pd.Series([cell, "1.5"], dtype=object))
    assert n.status.tolist() == [NOT_A_NUMBER, FIGURE]
    assert n.infinite.tolist() == [True, False]
    assert np.isnan(n.values[0])
    assert "is not a finite number" in n.why(0)
    assert n.accepted(0).startswith("finite numbers")


def test_numeric_cells_follow_the_same_rule():
    """Excel/Parquet/GDAL cells arrive as numbers: -9999 and a float32 fill are markers, NaN
    is empty, an infinite float is a bad value."""
    cells = pd.Series([5.6, -9999.0, -3.4028234663852886e38, np.nan, np.inf, 0.0], dtype=object)
    n = parse_numbers(cells)
    assert n.status.tolist() == [FIGURE, MISSING, MISSING, MISSING, NOT_A_NUMBER, FIGURE]
    assert n.marker.tolist() == [False, True, True, False, False, False]
    assert n.why(3) == "is empty"


def test_text_that_is_not_a_number_keeps_its_message():
    n = parse_numbers(pd.Series(["4.6", "5,6"]))
    assert n.why(1) == "'5,6' is not a number"
    assert n.accepted(1) == "numbers with a decimal point as in the rest of the column"


def test_markers_are_configurable():
    with numeric.using(["-1", "x"]) as markers:
        assert markers.listing() == "-1, x"
        n = parse_numbers(pd.Series(["-9999", "-1", "X", "n/a"]))
        assert n.status.tolist() == [FIGURE, MISSING, MISSING, NOT_A_NUMBER]
    assert numeric.current() is numeric.DEFAULT
    with numeric.using([""]):  # --nodata= : only empty cells are missing
        assert parse_numbers(pd.Series(["-9999", ""])).status.tolist() == [FIGURE, MISSING]


def test_raster_without_declared_nodata_masks_markers_and_non_finite(tmp_path):
    """A float DEM (EPSG:4326) without a nodata value: -9999, -32768 and inf are no data; with
    a declared nodata value only that value (and non-finite cells) are."""
    from geo.raster import raster_info, sample_cells
    from tests.common import write_raster

    data = np.array([[100.0, -9999.0, -32768.0, np.inf]], dtype=np.float32)
    plain = write_raster(tmp_path / "plain.tif", data, Affine(0.1, 0, 80, 0, -0.1, 45))
    declared = write_raster(
        tmp_path / "declared.tif", data, Affine(0.1, 0, 80, 0, -0.1, 45), nodata=100.0
    )
    cols = np.arange(4)
    rows = np.zeros(4, dtype=int)
    got = sample_cells(raster_info(plain), rows, cols)
    assert got[0] == 100.0 and np.isnan(got[1:]).all()
    got = sample_cells(raster_info(declared), rows, cols)
    assert np.isnan(got[0]) and got[1] == -9999.0 and got[2] == -32768.0 and np.isnan(got[3])


def test_monthly_and_gauge_tables_name_their_markers(tmp_path):
    """The portal's water balance with a -9999 and GRDC's -999 for a mean discharge: no
    figure there, and a note names file, column, row and value."""
    from layers.flowtables import read_water_balance
    from layers.gauges import read_gauges
    from layers.sources import DATA_DIR

    lines = (DATA_DIR / "wh_water_balance_gleam.csv").read_text("utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[3]]))
    cells[header.index("Precipitation")] = "-9999"
    lines[3] = ",".join(f'"{c}"' for c in cells)
    (tmp_path / "wb.csv").write_text("\n".join(lines) + "\n", "utf-8")
    notes: list[str] = []
    wb = read_water_balance(tmp_path / "wb.csv", notes)
    assert (
        np.isnan(wb["precipitation_mm"].iloc[2])
        and wb["precipitation_mm"].notna().sum() == len(wb) - 1
    )
    assert notes == [
        f"{tmp_path / 'wb.csv'}, column 'Precipitation': 1 nodata marker(s) (row 4 '-9999') read "
        "as missing; no figure for those months"
    ]
    lines = (DATA_DIR / "grdc_gauges.csv").read_text("utf-8").splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("mean_discharge_m3s")] = "-999.000"
    (tmp_path / "g.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]), "utf-8")
    notes = []
    gauges = read_gauges(tmp_path / "g.csv", notes)
    assert np.isnan(gauges["mean_discharge_m3s"].iloc[0])
    assert (
        len(notes) == 1
        and "'mean_discharge_m3s': 1 nodata marker(s) (row 2 '-999.000')" in notes[0]
    )
