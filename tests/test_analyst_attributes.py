"""The analyst's own attributes survive: a HydroRIVERS-format shapefile keeps every column in
``network`` (names, types, 64-bit ids), its modelled discharge draws the reaches that no
measured figure reaches (labelled modelled), and its nodata markers are reported."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.network_build import read_network
from geo.reach_attributes import reach_attributes
from layers.discharge import NODATA_MARKERS, modelled_reaches
from layers.qgis_project import PROJECT_NAME
from rivermap import api
from tests.test_qgis_project import CHECK, SYSTEM_PYTHON, _by_table, _system_python_has

#: 64-bit basin ids as HydroRIVERS' HYBAS_L12 holds them (beyond 2**31)
HYBAS_BASE = 4_120_000_000


@pytest.fixture(scope="module")
def hydrorivers_shp(atlas_core, tmp_path_factory):
    """The embedded network rewritten as a HydroRIVERS-format shapefile (EPSG:4326): HYRIV_ID,
    NEXT_DOWN, LENGTH_KM, ORD_STRA, DIS_AV_CMS (test values: the longest upstream path in km
    / 10, with -999 and -9999 on two reaches), HYBAS_L12 (64-bit)."""
    net = atlas_core.network
    ids = 40_000_000 + np.arange(len(net), dtype=np.int64)
    dis = net.longest_upstream_m / 1e4
    dis[:2] = NODATA_MARKERS
    frame = atlas_core["network"][["geometry"]].assign(
        HYRIV_ID=ids,
        NEXT_DOWN=np.where(net.next_down >= 0, ids[np.maximum(net.next_down, 0)], 0),
        LENGTH_KM=net.length_m / 1000.0,
        ORD_STRA=np.int32(1) + (np.arange(len(net)) % 5).astype(np.int32),
        DIS_AV_CMS=dis,
        HYBAS_L12=HYBAS_BASE + np.arange(len(net), dtype=np.int64),
    )
    path = tmp_path_factory.mktemp("hydrorivers") / "HydroRIVERS_v10_as_extract.shp"
    frame.to_file(path)
    return path, frame


@pytest.fixture(scope="module")
def hydro_atlas(hydrorivers_shp):
    return api.load(data={"rivers": str(hydrorivers_shp[0])}, steps=("flows",))


def test_every_column_reaches_the_network_layer_with_its_type(hydro_atlas, hydrorivers_shp):
    _, frame = hydrorivers_shp
    net = hydro_atlas["network"]
    for col in ("HYRIV_ID", "NEXT_DOWN", "LENGTH_KM", "ORD_STRA", "DIS_AV_CMS", "HYBAS_L12"):
        assert col in net.columns, col
    assert net["HYBAS_L12"].dtype == np.int64 and net["HYBAS_L12"].max() > 2**31
    src = frame.set_index("HYRIV_ID")
    got = net.set_index("HYRIV_ID")
    assert (got["HYBAS_L12"] == src.loc[got.index, "HYBAS_L12"]).all()
    assert (got["ORD_STRA"] == src.loc[got.index, "ORD_STRA"]).all()
    # our length is the file's LENGTH_KM: one column, the file's name
    assert "length_km" not in net.columns and "rivermap_length_km" not in net.columns


@pytest.fixture(scope="module")
def hydro_gpkg(hydro_atlas, tmp_path_factory):
    return api.export(hydro_atlas, tmp_path_factory.mktemp("hydro-gpkg") / "hydro.gpkg")


def test_the_geopackage_keeps_names_and_64_bit_ids(hydro_atlas, hydro_gpkg):
    out = hydro_gpkg
    info = pyogrio.read_info(out, layer="network")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["HYBAS_L12"] == "int64" and types["HYRIV_ID"] == "int64"
    back = pyogrio.read_dataframe(out, layer="network", read_geometry=False)
    assert back["HYBAS_L12"].max() == hydro_atlas["network"]["HYBAS_L12"].max()


def test_modelled_discharge_draws_reaches_no_measured_figure_reaches(hydro_atlas):
    r = hydro_atlas["rivers"]
    modelled = r.loc[r["discharge_kind"] == "modelled"]
    assert len(modelled) > 5
    net = hydro_atlas["network"].set_index("HYRIV_ID")
    expected = net.loc[modelled["reach_id"], "DIS_AV_CMS"].to_numpy()
    assert np.allclose(modelled["mean_discharge_m3s"], expected)
    assert modelled["flow_note"].str.startswith("modelled: HydroRIVERS").all()
    # measured figures still win where they apply: the border stretch and the gauges
    assert set(r["discharge_kind"]) >= {"crossing", "gauge", "modelled"}


@pytest.mark.skipif(not _system_python_has("qgis.core"), reason="needs Debian's python3-qgis")
def test_qgis_draws_the_modelled_reaches_dashed(hydro_atlas, hydro_gpkg):
    """Opened in real QGIS, the stored style draws the modelled reaches dashed and every other
    reach solid, as the HTML maps do."""
    run = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), str(hydro_gpkg), PROJECT_NAME],
        capture_output=True,
        text=True,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    styles = _by_table(json.loads(run.stdout.strip().splitlines()[-1]))["rivers"]["stroke_styles"]
    kinds = set(hydro_atlas["rivers"]["discharge_kind"].fillna("").astype(str))
    assert styles["dash"] == ["modelled"]
    assert set(styles["solid"]) == kinds - {"modelled"}


def test_nodata_markers_are_reported_and_show_no_figure(hydro_atlas):
    bad = [n for n in hydro_atlas.notes if "column 'DIS_AV_CMS'" in n]
    assert len(bad) == 1
    assert "2 reach(es) with a value that is not a discharge" in bad[0]
    assert "2 nodata marker(s)" in bad[0] and "40000000, 40000001" in bad[0]


def test_modelled_values_that_are_not_discharges():
    frame = pd.DataFrame(
        {"reach_id": [1, 2, 3, 4, 5], "DIS_AV_CMS": [12.5, -999.0, np.nan, -3.0, -9999.0]}
    )
    reaches, notes = modelled_reaches(frame, "x.gpkg")
    assert reaches["reach_id"].tolist() == [1] and reaches["m3s"].tolist() == [12.5]
    assert notes == [
        "x.gpkg: column 'DIS_AV_CMS': 4 reach(es) with a value that is not a discharge "
        "(2 nodata marker(s) -999, -9999, 1 empty, 1 other negative), shown as no figure: "
        "reaches 2, 3, 4, 5"
    ]


def test_attributes_of_a_network_left_in_its_file(hydrorivers_shp, tmp_path):
    path, frame = hydrorivers_shp
    gpkg = tmp_path / "hydro.gpkg"
    frame.to_file(gpkg)
    net, _ = read_network(str(gpkg), whole_read_limit=1)
    assert net.store is not None and net.attributes is None
    pos = np.array([5, 0, 5, 17])
    got = reach_attributes(net, pos)
    assert got["HYRIV_ID"].tolist() == frame["HYRIV_ID"].to_numpy()[pos].tolist()
    assert got["HYBAS_L12"].dtype == np.int64
