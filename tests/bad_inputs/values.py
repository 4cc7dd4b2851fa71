"""Hostile numbers: nodata markers, non-finite values and coordinates, empty DEMs.

Every numeric attribute follows one rule (geo.numeric): a nodata marker is missing (stopped by
``--on-missing error``, the default for flow tables, or measured from the geometry for a
HydroRIVERS length), a non-finite number is a bad value (``--on-bad-values``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from layers.sources import DATA_DIR
from tests.bad_inputs.cases import _flow_args, _flows, _hydrorivers, _rivers, _y, case
from tests.common import write_raster

MISSING = (
    r"flows\.csv -> river_courses: row 2, key 'irtysh': no value \({}\); .*--on-missing warning"
)


# -- nodata markers in flow tables ----------------------------------------------------------------
@case(MISSING.format(r"'н/д' is a nodata marker"))
def russian_no_data_marker(tmp):
    return _flows(tmp, "river,volume\nirtysh,н/д\nili,5.6\n")


@case(MISSING.format(r"'-9999' is a nodata marker"))
def minus_9999_is_no_data_not_a_negative_figure(tmp):
    return _flows(tmp, "river,volume\nirtysh,-9999\nili,5.6\n")


@case(MISSING.format(r"'无数据' is a nodata marker"))
def chinese_no_data_marker(tmp):
    return _flows(tmp, "river,volume\nirtysh,无数据\nili,5.6\n")


@case(MISSING.format(r"'мәлімет жоқ' is a nodata marker"))
def kazakh_no_data_marker(tmp):
    return _flows(tmp, "river,volume\nirtysh,мәлімет жоқ\nili,5.6\n")


@case(r"flows\.csv -> river_courses: row 2, key 'irtysh': negative value -9999; .*--on-negative")
def nodata_list_replaced_makes_minus_9999_a_number(tmp):
    """``--nodata=n/a`` replaces the default list: -9999 is then a (negative) figure."""
    return [*_flows(tmp, "river,volume\nirtysh,-9999\nili,5.6\n"), "--nodata=n/a"]


@case(r"flows\.xlsx -> river_courses: row 2, key 'irtysh': no value \('-999' is a nodata marker\)")
def excel_number_cell_minus_999(tmp):
    pd.DataFrame({"river": ["irtysh", "ili"], "volume": [-999.0, 5.6]}).to_excel(
        tmp / "flows.xlsx", index=False
    )
    return _flow_args(tmp, tmp / "flows.xlsx")


# -- non-finite numbers ---------------------------------------------------------------------------
@case(r"flows\.csv: row 2, column 'volume': '1e400' is not a finite number; accepted: finite")
def value_overflows_to_infinity(tmp):
    return _flows(tmp, "river,volume\nirtysh,1e400\nili,5.6\n")


@case(r"flows\.csv: row 3, column 'volume': 'inf' is not a finite number")
def value_written_as_inf(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\nili,inf\n")


@case(r"flows\.parquet: row 1, column 'volume': 'inf' is not a finite number")
def parquet_with_an_infinite_float(tmp):
    pd.DataFrame({"river": ["irtysh", "ili"], "volume": [np.inf, 5.6]}).to_parquet(
        tmp / "flows.parquet"
    )
    return _flow_args(tmp, tmp / "flows.parquet")


# -- HydroRIVERS measures -------------------------------------------------------------------------
@case(
    r"rivers\.gpkg: column 'LENGTH_KM' row 1 \(id 2\): 'abc' is not a number; accepted: a length "
    r"in km \(≥ 0\), empty or a nodata marker \(.*-9999.*\) for no value; .*--on-bad-values warning"
)
def length_that_is_text(tmp):
    return _hydrorivers(
        tmp, {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [2, 3, 0], "LENGTH_KM": ["4", "abc", "4"]}
    )


@case(r"rivers\.gpkg: column 'LENGTH_KM' row 0 \(id 1\): 'inf' is not a finite number")
def infinite_length(tmp):
    return _hydrorivers(
        tmp, {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [2, 3, 0], "LENGTH_KM": [np.inf, 4.0, 4.0]}
    )


@case(r"rivers\.gpkg: column 'LENGTH_KM' row 2 \(id 3\): '-5' is negative")
def negative_length_that_is_no_marker(tmp):
    return _hydrorivers(
        tmp, {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [2, 3, 0], "LENGTH_KM": [4.0, 4.0, -5.0]}
    )


@case(
    r"rivers\.gpkg: column 'UPLAND_SKM' row 1 \(id 2\): 'lots' is not a number; accepted: an area"
)
def upstream_area_that_is_text(tmp):
    return _hydrorivers(
        tmp, {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [2, 3, 0], "UPLAND_SKM": ["10", "lots", "30"]}
    )


# -- non-finite coordinates -----------------------------------------------------------------------
NON_FINITE = (
    r"1 feature\(s\) with non-finite coordinates \(NaN or infinite; rows {}\); every vertex"
)


@case(r"rivers\.gpkg: " + NON_FINITE.format(1))
def nan_coordinate_in_a_river(tmp):
    gdf = _y()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely: "invalid value"
        gdf.loc[1, "geometry"] = shapely.LineString([(80.3, 44.8), (np.nan, 44.9), (80.5, 45.0)])
    return _rivers(tmp, gdf)


@case(r"basins\.gpkg: " + NON_FINITE.format(0) + r".*--fix-geometries cannot repair them")
def nan_coordinate_in_a_basin_with_fix_geometries(tmp):
    """--fix-geometries used to crash in GEOS on this one."""
    ring = [(80, 45), (81, 45), (np.nan, 46), (80, 45)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely: "invalid value"
        polygon = shapely.Polygon(ring)
    gdf = gpd.GeoDataFrame({"WATERSHED_ID": ["X1"]}, geometry=[polygon], crs=4326)
    gdf.to_file(tmp / "basins.gpkg")
    return [
        "export",
        "--out",
        str(tmp / "x.gpkg"),
        "--data",
        f"basins={tmp / 'basins.gpkg'}",
        "--fix-geometries",
    ]


@case(r"rivers\.gpkg: " + NON_FINITE.format(2))
def infinite_coordinate_in_a_geopackage(tmp):
    gdf = _y()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely: "invalid value"
        gdf.loc[2, "geometry"] = shapely.LineString([(80.3, 44.8), (np.inf, 45.0)])
    return _rivers(tmp, gdf)


@case(r"rivers\.geojson: cannot be opened as vector data \(.*Unrecognized number: 1e400\)")
def coordinate_overflowing_in_geojson(tmp):
    fc = json.loads(_y().to_json())
    text = json.dumps(fc).replace("80.0", "1e400", 1)
    (tmp / "rivers.geojson").write_text(text, "utf-8")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


# -- gauges ---------------------------------------------------------------------------------------
@case(r"gauges\.csv: row 2, column 'lat': 'н/д' is a nodata marker; every gauge needs one")
def gauge_without_latitude(tmp):
    text = (DATA_DIR / "grdc_gauges.csv").read_text("utf-8").splitlines()
    cells = text[1].split(",")
    cells[4] = "н/д"
    (tmp / "gauges.csv").write_text("\n".join([text[0], ",".join(cells), *text[2:]]), "utf-8")
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"gauges={tmp / 'gauges.csv'}"]


# -- DEMs that hold no data where they claim to cover --------------------------------------------
EMPTY_DEM = r"dem\.tif: holds no data over the traced rivers and their basins \(lon .*\): all [\d,]+ cells read there are nodata \({}\)"
#: a 0.1° grid over the whole region (EPSG:4326)
REGION = Affine(0.1, 0, 66.0, 0, -0.1, 58.5)


def _dem(tmp: Path, array: np.ndarray, nodata: float | None) -> list[str]:
    write_raster(tmp / "dem.tif", array, REGION, nodata=nodata, block=64)
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"dem={tmp / 'dem.tif'}"]


@case(EMPTY_DEM.format(r"nodata value -32768"))
def dem_all_nodata(tmp):
    return _dem(tmp, np.full((185, 260), -32768, np.int16), nodata=-32768)


@case(EMPTY_DEM.format(r"no declared nodata value; non-finite values and nodata markers"))
def dem_of_minus_9999_without_declared_nodata(tmp):
    return _dem(tmp, np.full((185, 260), -9999, np.int16), nodata=None)


@case(EMPTY_DEM.format(r"no declared nodata value; non-finite values and nodata markers"))
def dem_of_nan(tmp):
    return _dem(tmp, np.full((185, 260), np.nan, np.float32), nodata=None)
