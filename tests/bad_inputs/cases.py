"""Hostile inputs for the river, basin and register roles (see the package docstring)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from layers.sources import DATA_DIR
from tests.common import BOWTIE, Y_LINES

REGISTER = (DATA_DIR / "rivers.toml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], list[str]]
    pattern: str
    exit_code: int = 1


CASES: list[Case] = []


def case(pattern: str, exit_code: int = 1):
    def register(func: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(func.__name__, func, pattern, exit_code))
        return func

    return register


def _rivers(tmp: Path, gdf: gpd.GeoDataFrame, name: str = "rivers.gpkg", **kw) -> list[str]:
    path = tmp / name
    gdf.to_file(path, engine="pyogrio", **kw)
    return ["trace", "--data", f"rivers={path}"]


def _y(crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["a", "b", "trunk"]}, geometry=Y_LINES, crs=4326).to_crs(crs)


def _register(tmp: Path, text: str, encoding: str = "utf-8") -> list[str]:
    path = tmp / "rivers.toml"
    path.write_bytes(text.encode(encoding))
    return ["trace", "--register", str(path)]


def _hydrorivers(tmp: Path, table: dict) -> list[str]:
    n = len(table["HYRIV_ID"])
    lines = [shapely.LineString([(80 + i * 0.1, 45), (80.05 + i * 0.1, 45)]) for i in range(n)]
    gdf = gpd.GeoDataFrame(table, geometry=lines, crs=4326)
    return _rivers(tmp, gdf)


# -- files ----------------------------------------------------------------------------------------
@case(r"rivers=.*nope\.gpkg.*not found")
def missing_file(tmp):
    return ["trace", "--data", f"rivers={tmp / 'nope.gpkg'}"]


@case(r"rivers\.geojson: file is empty \(0 bytes\)")
def empty_file(tmp):
    (tmp / "rivers.geojson").write_bytes(b"")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


def _basins_export(tmp: Path) -> list[str]:
    """An export with the basins replaced (``trace`` does not read basins)."""
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"basins={tmp / 'basins.gpkg'}"]


@case(
    r"basins\.gpkg: truncated GeoPackage \(its header announces [\d,]+ bytes, the file holds [\d,]+\)"
)
def truncated_geopackage(tmp):
    data = (DATA_DIR / "wh_watersheds.gpkg").read_bytes()
    (tmp / "basins.gpkg").write_bytes(data[: len(data) // 3])
    return _basins_export(tmp)


@case(r"rivers\.zip: zip holds no vector data \(readme\.txt\)")
def zip_without_shapefile(tmp):
    with zipfile.ZipFile(tmp / "rivers.zip", "w") as zf:
        zf.writestr("readme.txt", "these are not the rivers you are looking for")
    return ["trace", "--data", f"rivers={tmp / 'rivers.zip'}"]


@case(r"rivers\.zip: not a valid zip archive")
def corrupt_zip(tmp):
    (tmp / "rivers.zip").write_bytes(b"PK\x03\x04 broken")
    return ["trace", "--data", f"rivers={tmp / 'rivers.zip'}"]


@case(r"rivers\.geojson: cannot be opened as vector data")
def geojson_that_is_not_json(tmp):
    (tmp / "rivers.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


@case(r"rivers\.csv.*has no geometry column")
def table_without_geometry(tmp):
    (tmp / "rivers.csv").write_text("HYRIV_ID,NEXT_DOWN\n1,0\n", "utf-8")
    return ["trace", "--data", f"rivers={tmp / 'rivers.csv'}"]


@case(r"rivers\.gpkg: no layer 'streams'; layers in this file: rivers")
def unknown_layer(tmp):
    args = _rivers(tmp, _y(), layer="rivers")
    return args[:-1] + [args[-1] + "::streams"]


@case(r"two\.gpkg: holds 2 layers \(a, b\); name one as PATH::LAYER")
def several_layers_none_named(tmp):
    _y().to_file(tmp / "two.gpkg", layer="a")
    _y().to_file(tmp / "two.gpkg", layer="b")
    return ["trace", "--data", f"rivers={tmp / 'two.gpkg'}"]


# -- CRS ------------------------------------------------------------------------------------------
@case(r"rivers\.shp: no CRS \(a shapefile without its \.prj\?\)")
def shapefile_without_prj(tmp):
    _y().to_file(tmp / "rivers.shp")
    (tmp / "rivers.prj").unlink()
    return ["trace", "--data", f"rivers={tmp / 'rivers.shp'}"]


@case(r"outside the product's region .*is the declared CRS the one the coordinates are in\?")
def degrees_labelled_as_feet(tmp):
    gdf = _y().set_crs("EPSG:2263", allow_override=True)  # NY State Plane, US survey feet
    return _rivers(tmp, gdf)


@case(r"are longitude and latitude swapped\?")
def lat_lon_swapped(tmp):
    gdf = _y()
    gdf["geometry"] = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    return _rivers(tmp, gdf)


# -- geometries -----------------------------------------------------------------------------------
@case(r"basins\.gpkg: 1 invalid geometry \(rows 0; first: Self-intersection.*--fix-geometries")
def self_intersecting_basin(tmp):
    gdf = gpd.GeoDataFrame({"WATERSHED_ID": ["X1"]}, geometry=[BOWTIE], crs=4326)
    gdf.to_file(tmp / "basins.gpkg")
    return _basins_export(tmp)


@case(r"rivers\.gpkg: 1 line\(s\) of zero length \(rows 1\)")
def zero_length_river(tmp):
    gdf = _y()
    gdf.loc[1, "geometry"] = shapely.LineString([(80.3, 44.8), (80.3, 44.8)])
    return _rivers(tmp, gdf)


@case(r"rivers\.geojson: 1 Point among the features \(rows 3\); accepted geometry types")
def mixed_geometry_types(tmp):
    gdf = pd.concat(
        [_y(), gpd.GeoDataFrame({"name": ["p"]}, geometry=[shapely.Point(80, 45)], crs=4326)]
    )
    gdf.reset_index(drop=True).to_file(tmp / "rivers.geojson")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


@case(r"rivers\.geojson: 1 feature\(s\) with empty or missing geometry \(rows 1\)")
def empty_geometry(tmp):
    fc = json.loads(_y().to_json())
    fc["features"][1]["geometry"] = None
    (tmp / "rivers.geojson").write_text(json.dumps(fc), "utf-8")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


@case(r"rivers\.gpkg: 3 Point among the features \(rows 0, 1, 2\)")
def river_layer_of_points(tmp):
    gdf = _y()
    gdf["geometry"] = shapely.get_point(gdf.geometry.values, 0)
    return _rivers(tmp, gdf)


# -- network --------------------------------------------------------------------------------------
@case(r"column 'HYRIV_ID' has duplicate ids \(2\)")
def duplicate_ids(tmp):
    return _hydrorivers(tmp, {"HYRIV_ID": [1, 2, 2], "NEXT_DOWN": [0, 1, 1]})


@case(r"NEXT_DOWN 77 \(row 2, HYRIV_ID 3\) points to no HYRIV_ID in the table")
def next_down_to_missing_id(tmp):
    return _hydrorivers(tmp, {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [0, 1, 77]})


@case(r"the network has a cycle \(reaches 2, 3, 4")
def cycle_in_network(tmp):
    return _hydrorivers(tmp, {"HYRIV_ID": [1, 2, 3, 4], "NEXT_DOWN": [0, 3, 4, 2]})


@case(r"column 'NEXT_DOWN' row 1 holds 'one'; accepted: whole numbers")
def next_down_not_a_number(tmp):
    return _hydrorivers(tmp, {"HYRIV_ID": [1, 2], "NEXT_DOWN": ["0", "one"]})


@case(r"register river 'ili': mouth at lon 74\.9000.*no river reach .* within 5 km")
def mouth_far_from_any_river(tmp):
    # move the Ili's mouth ~50 km out into Lake Balkhash
    return _register(tmp, REGISTER.replace("mouth = [74.27708, 45.77020]", "mouth = [74.9, 45.9]"))


# -- register -------------------------------------------------------------------------------------
@case(r"river #2 \('ili'\): name_kk is empty; every river needs names in en, kk, ru and zh")
def register_entry_without_names(tmp):
    return _register(tmp, REGISTER.replace('name_kk = "Іле"', 'name_kk = ""'))


@case(r"river #3 \('emel'\): missing key\(s\) name_zh")
def register_entry_missing_name_key(tmp):
    return _register(tmp, REGISTER.replace('name_zh = "额敏河"\n', ""))


@case(r"rivers\.toml: not valid TOML")
def register_not_toml(tmp):
    return _register(tmp, REGISTER + "\n[[river]\nid = ")


@case(r"rivers\.toml: register is not UTF-8 text")
def register_in_latin1(tmp):
    text = '[[river]]\nid = "ili"\nname_en = "Ili"\nname_kk = "Île"\nname_ru = "Ili"\n'
    return _register(
        tmp, text + 'name_zh = "Ili"\nmouth = [74.2, 45.7]\nends_in = "Balkhash"\n', "latin-1"
    )


@case(r"river id 'ili' appears twice")
def register_duplicate_id(tmp):
    return _register(tmp, REGISTER.replace('id = "emel"', 'id = "ili"'))


@case(r"mouth = \[74\.27708\]; expected \[lon, lat\] in degrees")
def register_mouth_not_a_pair(tmp):
    return _register(tmp, REGISTER.replace("mouth = [74.27708, 45.77020]", "mouth = [74.27708]"))


@case(r"no river 'volga' in the register \(known: irtysh, ili, emel, tekes, kunes\)")
def unknown_river_id(tmp):
    return ["trace", "--rivers", "ili,volga"]


@case(r"--data lakes2=.*unknown role 'lakes2'")
def unknown_data_role(tmp):
    return ["trace", "--data", f"lakes2={DATA_DIR / 'ne_lakes.geojson'}"]


@case(r"expected ROLE=PATH", exit_code=2)
def data_option_without_role(tmp):
    return ["trace", "--data", str(DATA_DIR / "ne_lakes.geojson")]


@case(r"basins\.gpkg: no basin id column; expected one of WATERSHED_ID, HYBAS_ID")
def basins_without_id(tmp):
    gdf = gpd.read_file(DATA_DIR / "wh_watersheds.gpkg").rename(columns={"WATERSHED_ID": "code"})
    gdf.to_file(tmp / "basins.gpkg")
    return _basins_export(tmp)


# -- flow tables (read before anything else is computed) ------------------------------------------
def _flows(
    tmp: Path, content: bytes | str, *extra: str, unit: str = "km3", name: str = "flows.csv"
) -> list[str]:
    path = tmp / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return _flow_args(tmp, path, *extra, unit=unit)


def _flow_args(tmp: Path, path: Path | str, *extra: str, unit: str = "km3") -> list[str]:
    """An export joining the flow table ``path`` (key river, value volume, H1 2025)."""
    args = ["export", "--out", str(tmp / "x.gpkg"), "--flow-table", str(path)]
    args += ["--flow-key", "river", "--flow-value", "volume", "--flow-unit", unit]
    return [*args, "--flow-period", "2025-01-01/2025-06-30", *extra]


@case(
    r"flows\.csv: row 3, column 'volume': '5,6' is not a number; accepted: numbers with a decimal point"
)
def decimal_comma_and_point_mixed(tmp):
    return _flows(tmp, 'river,volume\nirtysh,4.6\nili,"5,6"\n')


@case(r"flows\.csv: row 2, column 'volume': '12,5,3' is not a number")
def value_with_two_commas(tmp):
    return _flows(tmp, 'river,volume\nirtysh,"12,5,3"\nili,5.6\n')


@case(r"flows\.csv: not UTF-8 \(byte 0xe9 at offset \d+, line 2\)")
def latin1_flow_table(tmp):
    return _flows(
        tmp, "river,volume,note\nirtysh,4.6,Ertis r\xe9gion\nili,5.6,x\n".encode("latin-1")
    )


@case(
    r"flows\.csv: period start: '31\.02\.2020' is not a date; accepted: YYYY-MM-DD or DD\.MM\.YYYY"
)
def impossible_date(tmp):
    args = _flows(tmp, "river,volume\nirtysh,4.6\n")
    return args[:-1] + ["31.02.2020/30.06.2020"]


@case(
    r"flows\.csv -> river_courses: row 2, key 'irtysh': negative value -4\.6; .*--on-negative warning"
)
def negative_flow(tmp):
    return _flows(tmp, "river,volume\nirtysh,-4.6\nili,5.6\n")


@case(
    r"flows\.csv -> river_courses: row 2, key 'irtysh': no value \('NaN' is a nodata marker\); "
    r".*--on-missing warning"
)
def nan_flow(tmp):
    return _flows(tmp, "river,volume\nirtysh,NaN\nili,5.6\n")


@case(r"flows\.csv -> river_courses: key 'irtysh' appears 2 times \(rows 2, 3\)")
def duplicate_flow_keys(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\nirtysh,5.6\n")


@case(r"unknown unit 'gallons'; accepted: m3/s")
def unit_not_understood(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\n", unit="gallons")


@case(r"flows\.csv: the file is empty; a flow table needs a header and data rows")
def empty_flow_table(tmp):
    return _flows(tmp, "")


@case(r"flows\.csv: no key column 'river'; columns are: name, volume")
def wrong_key_column(tmp):
    return _flows(tmp, "name,volume\nirtysh,4.6\n")


@case(r"--flow-table needs --flow-unit", exit_code=2)
def flow_table_without_unit(tmp):
    args = _flows(tmp, "river,volume\nirtysh,4.6\n")
    i = args.index("--flow-unit")
    return args[:i] + args[i + 2 :]


# -- outputs --------------------------------------------------------------------------------------
@case(r"--out .*/missing/x\.gpkg: folder .*/missing does not exist", exit_code=3)
def export_into_missing_folder(tmp):
    return ["export", "--out", str(tmp / "missing" / "x.gpkg")]


@case(r"--out .*/a/b: parent folder .*/a does not exist", exit_code=3)
def build_into_missing_parent(tmp):
    return ["build", "--out", str(tmp / "a" / "b")]


@case(r"Invalid value for '--out': Directory '.*/file\.txt' is a file", exit_code=2)
def build_into_a_file(tmp):
    (tmp / "file.txt").write_text("I am a file")
    return ["build", "--out", str(tmp / "file.txt")]


@case(r"--crs: 'EPSG:999999' is not a CRS pyproj knows")
def unknown_crs(tmp):
    return ["export", "--out", str(tmp / "x.gpkg"), "--crs", "EPSG:999999"]


# -- rasters --------------------------------------------------------------------------------------
@case(r"dem_5arcmin_region\.tif: a relief basemap must be an 8-bit image .* 1 band\(s\) of int16")
def elevation_grid_given_as_relief(tmp):
    return [
        "build",
        "--out",
        str(tmp / "out"),
        "--data",
        f"relief={DATA_DIR / 'dem_5arcmin_region.tif'}",
    ]


@case(r"relief\.tif: cannot read the raster")
def truncated_relief(tmp):
    data = (DATA_DIR / "shaded_relief_region.tif").read_bytes()
    (tmp / "relief.tif").write_bytes(data[:3000])
    return ["build", "--out", str(tmp / "out"), "--data", f"relief={tmp / 'relief.tif'}"]


# the second round's classes, each in its own module, register into CASES on import
from tests.bad_inputs import analyst, files, values  # noqa: E402, F401
