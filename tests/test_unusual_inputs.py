"""Valid but unusual inputs are never refused, and give the right results (exit 0)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from rivermap.cli import main

FLOWS = ["--flow-key", "river", "--flow-value", "volume", "--flow-unit", "km3"]
H1 = ["--flow-period", "2025-01-01/2025-06-30"]


def _trace(*args: str) -> tuple[dict, str]:
    result = CliRunner().invoke(main, ["trace", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return {r["river_id"]: r for r in json.loads(result.stdout)}, result.stderr


def test_nodata_lengths_are_measured_from_the_lines(atlas_core, tmp_path):
    """A HydroRIVERS-style extract of the embedded network with every seventh LENGTH_KM a
    nodata marker traces the same lengths (geodesic either way), and says which rows."""
    net = atlas_core.network
    ids = np.arange(1, len(net) + 1) * 10
    lengths = (net.length_m / 1000.0).astype(object)
    lengths[::7] = "-9999"
    lengths[3::7] = "n/a"
    extract = atlas_core["network"][["geometry"]].assign(
        HYRIV_ID=ids,
        NEXT_DOWN=np.where(net.next_down >= 0, ids[net.next_down], 0),
        LENGTH_KM=[str(v) for v in lengths],
    )
    path = tmp_path / "extract.gpkg"
    extract.to_file(path)
    ours, err = _trace("--data", f"rivers={path}")
    courses = atlas_core["river_courses"].set_index("river_id")
    for river_id, row in ours.items():
        assert row["length_km"] == pytest.approx(courses.loc[river_id, "length_km"], abs=0.1)
    missing = len(range(0, len(net), 7)) + len(range(3, len(net), 7))
    assert f"column 'LENGTH_KM': {missing} reach(es) without a length (row 0 '-9999'" in err
    assert "measured geodesically from their geometry (WGS 84) instead" in err


def test_shapefile_without_prj_in_a_zip_read_with_assume_crs(atlas_core, tmp_path):
    """The embedded network as a zipped shapefile without its .prj, read through /vsizip/
    with --assume-crs EPSG:4326: the same rivers and lengths, and a note saying so."""
    atlas_core["network"][["geometry"]].to_file(tmp_path / "net.shp")
    with zipfile.ZipFile(tmp_path / "net.zip", "w") as zf:
        for ext in ("shp", "shx", "dbf"):
            zf.write(tmp_path / f"net.{ext}", f"net.{ext}")
    ours, err = _trace(
        "--data", f"rivers=/vsizip/{tmp_path / 'net.zip'}/net.shp", "--assume-crs", "EPSG:4326"
    )
    courses = atlas_core["river_courses"].set_index("river_id")
    assert set(ours) == set(courses.index)
    for river_id, row in ours.items():
        assert row["length_km"] == pytest.approx(courses.loc[river_id, "length_km"], abs=0.1)
    assert "net.shp: declares no CRS; read as EPSG:4326 (--assume-crs)" in err


def test_nodata_marker_with_on_missing_warning_is_no_figure(tmp_path):
    (tmp_path / "flows.csv").write_text("river,volume\nirtysh,н/д\nili,5.6\n", "utf-8")
    out = tmp_path / "x.gpkg"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--out",
            str(out),
            "--flow-table",
            str(tmp_path / "flows.csv"),
            *FLOWS,
            *H1,
            "--on-missing",
            "warning",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 nodata marker(s) read as missing: 'irtysh' = 'н/д' (row 2)" in result.stderr
    courses = pyogrio.read_dataframe(out, layer="river_courses").set_index("river_id")
    user = [c for c in courses.columns if c.startswith("user_") and c.endswith("value")]
    status = [c for c in courses.columns if c.startswith("user_") and c.endswith("status")]
    assert np.isnan(courses.loc["irtysh", user[0]]) and courses.loc["ili", user[0]] == 5.6
    assert courses.loc["irtysh", status[0]] == "no figure"


def test_title_row_skipped_in_a_workbook(tmp_path):
    rows = [["Irtysh and Ili, H1 2025", None], ["river", "volume"], ["irtysh", 4.6]]
    pd.DataFrame(rows).to_excel(tmp_path / "flows.xlsx", index=False, header=False)
    out = tmp_path / "x.gpkg"
    args = ["export", "--out", str(out), "--flow-table", str(tmp_path / "flows.xlsx")]
    result = CliRunner().invoke(main, [*args, *FLOWS, *H1, "--flow-skip-rows", "1"])
    assert result.exit_code == 0, result.output
    courses = pyogrio.read_dataframe(out, layer="river_courses").set_index("river_id")
    user = [c for c in courses.columns if c.startswith("user_") and c.endswith("value")]
    assert courses.loc["irtysh", user[0]] == 4.6


def test_partly_empty_dem_is_used_where_it_has_data(atlas_core, tmp_path):
    """An analyst's 0.05° DEM (EPSG:4326) of 777 m whose western half is nodata: used in the
    east, the embedded grids give elevation in the west, and a note gives the share."""
    import dataclasses

    from affine import Affine

    from layers.elevation import attach_elevation
    from layers.sources import with_overrides
    from tests.common import write_raster

    data = np.full((370, 520), 777, np.int16)
    data[:, :260] = -32768
    dem = write_raster(
        tmp_path / "half.tif", data, Affine(0.05, 0, 66.0, 0, -0.05, 58.5), nodata=-32768
    )
    atlas = dataclasses.replace(
        atlas_core,
        sources=with_overrides(atlas_core.sources, {"dem": dem}),
        layers=dict(atlas_core.layers),
        rasters={},
        notes=[],
    )
    attach_elevation(atlas, spacing_km=10.0)
    prof = atlas["profiles"]
    assert prof["elevation_m"].notna().all()
    east = prof["lon"] >= 79.05
    mine = prof.loc[east & (prof["dem"] == "half"), "elevation_m"]
    assert len(mine) > 50 and mine.to_numpy() == pytest.approx(777.0)
    assert set(prof.loc[prof["lon"] < 78.95, "dem"]) <= {
        "dem_5arcmin_region",
        "dem_gebco_15arcsec_ili",
    }
    assert any("half.tif: holds data on" in n and "embedded DEMs" in n for n in atlas.notes)
