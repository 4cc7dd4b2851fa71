"""The product's own checks of input files before GDAL, pandas or pyarrow open them."""

from __future__ import annotations

import os
import zipfile

import pytest

from geo import containers
from geo.errors import DataSourceError
from layers.sources import DATA_DIR


def test_named_pipe_is_refused_without_opening_it(tmp_path):
    """Opening a FIFO for reading would block until a writer comes: it must not be opened."""
    fifo = tmp_path / "rivers.geojson"
    os.mkfifo(fifo)
    with pytest.raises(DataSourceError, match=r"rivers\.geojson: is a named pipe \(FIFO\)"):
        containers.check_file(fifo)


def test_character_device_is_refused():
    with pytest.raises(DataSourceError, match=r"/dev/zero: is a character device"):
        containers.check_file("/dev/zero")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("t.xlsx", b"river,volume\n", r"not an Excel \.xlsx workbook \(it starts with"),
        ("t.xlsx", None, r"a zip archive but not an Excel workbook \(it holds junk\.txt\)"),
        ("t.parquet", b"PAR1" + b"\0" * 40, r"truncated Parquet file"),
        ("t.parquet", b"river,volume\n", r"not a Parquet file"),
        ("t.gpkg", b"<html>not a database</html>", r"not a GeoPackage"),
        ("t.tif", b"%PDF-1.4 not a raster", r"not a GeoTIFF \(it is a PDF document\)"),
        ("t.geojson", b"\x00\x01binary", r"not GeoJSON \(it holds binary data\)"),
        ("t.csv", b"PK\x03\x04whatever", r"is a zip archive \(an Excel \.xlsx workbook\?\)"),
        ("t.zip", b"not a zip at all", r"not a valid zip archive"),
    ],
)
def test_wrong_bytes_for_the_extension(tmp_path, name, content, message):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("junk.txt", "junk")
    else:
        path.write_bytes(content)
    with pytest.raises(DataSourceError, match=rf"{name.replace('.', '[.]')}: {message}"):
        containers.check_file(path)


def test_truncated_geopackage_is_measured_against_its_header(tmp_path):
    data = (DATA_DIR / "wh_watersheds.gpkg").read_bytes()
    (tmp_path / "w.gpkg").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataSourceError, match=r"truncated GeoPackage .* holds [\d,]+\)"):
        containers.check_file(tmp_path / "w.gpkg")
    containers.check_file(DATA_DIR / "wh_watersheds.gpkg")  # the whole file passes


def test_vsizip_paths_relative_absolute_and_with_one_slash(tmp_path, monkeypatch):
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("sub/table.csv", "river,volume\nili,5.6\n")
    # GDAL's absolute form has two slashes (/vsizip//tmp/…); one is accepted as well
    for text in (f"/vsizip/{archive}", f"/vsizip{archive}"):
        loc = containers.check_file(f"{text}/sub/table.csv")
        assert loc.disk == archive and loc.member == "sub/table.csv" and loc.suffix == ".csv"
        assert containers.gdal_path(f"{text}/sub/table.csv") == f"/vsizip/{archive}/sub/table.csv"
        assert containers.read_bytes(f"{text}/sub/table.csv").startswith(b"river,volume")
    monkeypatch.chdir(tmp_path)
    assert containers.locate("/vsizip/data.zip/sub/table.csv").disk.resolve() == archive
    with pytest.raises(DataSourceError, match=r"no 'sub/nope\.csv' inside data\.zip \(it holds"):
        containers.check_file("/vsizip/data.zip/sub/nope.csv")
    with pytest.raises(DataSourceError, match=r"no archive found on this path"):
        containers.locate("/vsizip/missing.zip/a.shp")


def test_zip_with_its_shapefile_in_a_sub_folder(tmp_path):
    """HydroRIVERS downloads hold ``HydroRIVERS_v10_as_shp/HydroRIVERS_v10_as.shp``: GDAL does
    not look into the sub-folder, the product points it there."""
    import geopandas as gpd
    import shapely

    from geo.io import read_vector

    gdf = gpd.GeoDataFrame(
        {"HYRIV_ID": [1]}, geometry=[shapely.LineString([(80, 45), (81, 45)])], crs=4326
    )
    gdf.to_file(tmp_path / "r.shp")
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(tmp_path / f"r.{ext}", f"HydroRIVERS_v10_as_shp/r.{ext}")
    assert containers.gdal_path(tmp_path / "r.zip").endswith("r.zip/HydroRIVERS_v10_as_shp/r.shp")
    read, _ = read_vector(tmp_path / "r.zip")
    assert read["HYRIV_ID"].tolist() == [1]


def test_shapefile_without_its_index(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame(geometry=[shapely.LineString([(80, 45), (81, 45)])], crs=4326).to_file(
        tmp_path / "r.shp"
    )
    (tmp_path / "r.shx").unlink()
    with pytest.raises(DataSourceError, match=r"r\.shp: its index r\.shx is missing"):
        containers.check_file(tmp_path / "r.shp")
