"""Hostile containers: special files, archives of the wrong content, truncated files.

The product looks at every input itself before GDAL, pandas or pyarrow open it
(geo.containers): a named pipe is never opened (it would block), a device never read.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pandas as pd
from affine import Affine

from layers.sources import DATA_DIR
from tests.bad_inputs.cases import _flow_args, _flows, _y, case
from tests.common import write_raster

FIFO = r"is a named pipe \(FIFO\), not a regular file; accepted: a file on disk"


# -- special files --------------------------------------------------------------------------------
@case(r"rivers\.geojson: " + FIFO)
def river_network_from_a_named_pipe(tmp):
    os.mkfifo(tmp / "rivers.geojson")
    return ["trace", "--data", f"rivers={tmp / 'rivers.geojson'}"]


@case(r"flows\.csv: " + FIFO)
def flow_table_from_a_named_pipe(tmp):
    os.mkfifo(tmp / "flows.csv")
    return _flow_args(tmp, tmp / "flows.csv")


@case(r"rivers\.toml: " + FIFO)
def register_from_a_named_pipe(tmp):
    os.mkfifo(tmp / "rivers.toml")
    return ["trace", "--register", str(tmp / "rivers.toml")]


@case(r"/dev/zero: is a character device, not a regular file")
def dem_from_a_device(tmp):
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", "dem=/dev/zero"]


# -- spreadsheets and tables ----------------------------------------------------------------------
@case(r"flows\.xlsx: a zip archive but not an Excel workbook \(it holds junk\.txt\)")
def xlsx_that_is_a_zip_of_junk(tmp):
    with zipfile.ZipFile(tmp / "flows.xlsx", "w") as zf:
        zf.writestr("junk.txt", "junk")
    return _flow_args(tmp, tmp / "flows.xlsx")


@case(r"flows\.xlsx: not an Excel \.xlsx workbook \(it starts with b'river,volume")
def xlsx_that_is_a_csv(tmp):
    (tmp / "flows.xlsx").write_text("river,volume\nirtysh,4.6\n", "utf-8")
    return _flow_args(tmp, tmp / "flows.xlsx")


@case(r"flows\.xlsx: corrupt \.xlsx workbook \(.*truncated\?\)")
def truncated_xlsx(tmp):
    pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}).to_excel(tmp / "full.xlsx", index=False)
    data = (tmp / "full.xlsx").read_bytes()
    (tmp / "flows.xlsx").write_bytes(data[: len(data) // 2])
    (tmp / "full.xlsx").unlink()
    return _flow_args(tmp, tmp / "flows.xlsx")


@case(r"flows\.csv: is a zip archive \(an Excel \.xlsx workbook\?\), not a text table")
def workbook_saved_as_csv(tmp):
    pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}).to_excel(tmp / "flows.xlsx", index=False)
    (tmp / "flows.xlsx").rename(tmp / "flows.csv")
    return _flow_args(tmp, tmp / "flows.csv")


@case(r"flows\.parquet: truncated Parquet file \(its footer is missing\)")
def truncated_parquet(tmp):
    pd.DataFrame({"river": ["irtysh"], "volume": [4.6]}).to_parquet(tmp / "full.parquet")
    data = (tmp / "full.parquet").read_bytes()
    (tmp / "flows.parquet").write_bytes(data[: len(data) - 20])
    (tmp / "full.parquet").unlink()
    return _flow_args(tmp, tmp / "flows.parquet")


@case(r"flows\.parquet: not a Parquet file \(it starts with b'river,volume")
def csv_named_parquet(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\n", name="flows.parquet")


# -- vector and raster files ----------------------------------------------------------------------
@case(r"rivers\.gpkg: not a GeoPackage \(it starts with b'<html>")
def geopackage_that_is_a_web_page(tmp):
    (tmp / "rivers.gpkg").write_text("<html><body>404 not found</body></html>", "utf-8")
    return ["trace", "--data", f"rivers={tmp / 'rivers.gpkg'}"]


@case(r"/vsizip/.*rivers\.zip/nope\.shp: no 'nope\.shp' inside rivers\.zip \(it holds rivers\.")
def vsizip_member_that_is_not_there(tmp):
    _y().to_file(tmp / "rivers.shp")
    with zipfile.ZipFile(tmp / "rivers.zip", "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(tmp / f"rivers.{ext}", f"rivers.{ext}")
            (tmp / f"rivers.{ext}").unlink()
    (tmp / "rivers.cpg").unlink(missing_ok=True)
    return ["trace", "--data", f"rivers=/vsizip/{tmp / 'rivers.zip'}/nope.shp"]


@case(r"rivers\.zip: not a valid zip archive \(it starts with b'not a zip")
def vsizip_of_something_else(tmp):
    (tmp / "rivers.zip").write_bytes(b"not a zip at all")
    return ["trace", "--data", f"rivers=/vsizip/{tmp / 'rivers.zip'}/rivers.shp"]


@case(r"dem\.tif: not a GeoTIFF \(it is a PDF document\)")
def dem_that_is_a_pdf(tmp):
    (tmp / "dem.tif").write_bytes(b"%PDF-1.4\n% a report, not a raster\n")
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"dem={tmp / 'dem.tif'}"]


@case(r"dem\.tif: cannot (open as a raster|read the raster's cells)")
def truncated_dem(tmp):
    write_raster(
        tmp / "full.tif",
        np.arange(185 * 260, dtype=np.float32).reshape(185, 260),
        Affine(0.1, 0, 66.0, 0, -0.1, 58.5),
        block=64,
    )
    data = (tmp / "full.tif").read_bytes()
    (tmp / "dem.tif").write_bytes(data[: len(data) // 2])
    (tmp / "full.tif").unlink()
    return ["export", "--out", str(tmp / "x.gpkg"), "--data", f"dem={tmp / 'dem.tif'}"]


@case(r"shaded_relief_region\.tif: cannot be opened as vector data")
def raster_given_as_river_network(tmp):
    return ["trace", "--data", f"rivers={DATA_DIR / 'shaded_relief_region.tif'}"]


@case(
    r"flows\.csv: holds NUL bytes \(UTF-16 without a byte-order mark\?\); name its encoding with --flow-encoding utf-16-le"
)
def utf16_table_without_a_byte_order_mark(tmp):
    return _flows(tmp, "river,volume\nirtysh,4.6\n".encode("utf-16-le"))


@case(r"flows\.csv: holds binary data, not text; accepted: a CSV text file")
def binary_file_named_csv(tmp):
    return _flows(tmp, bytes(range(256)) * 4)
