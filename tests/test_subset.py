"""Subsets are subsets: ``--rivers ili`` keeps the Ili basin's gauges, basins, lakes and
network reaches and only those, with no note about rivers that were not asked for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from layers.subset import Region, flows_mask
from rivermap.cli import main

ILI_BASIN = "SWB_00002"  # Ily-Balkhash-Alakol (register basin of the Ili)


@pytest.fixture(scope="module")
def ili_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("ili") / "ili.gpkg"
    result = CliRunner().invoke(main, ["export", "--rivers", "ili", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.stderr


def read(path, layer):
    return pyogrio.read_dataframe(path, layer=layer)


def test_the_ili_basins_gauges_and_nothing_outside_it(ili_export, atlas):
    path, _ = ili_export
    gauges = read(path, "gauges")
    expected = atlas["gauges"].loc[atlas["gauges"]["WATERSHED_ID"] == ILI_BASIN, "grdc_no"]
    assert len(expected) == 4
    assert sorted(gauges["grdc_no"]) == sorted(expected)
    basin = read(path, "basins")
    assert basin["WATERSHED_ID"].tolist() == [ILI_BASIN]
    assert shapely.within(gauges.geometry.values, basin.geometry.values[0]).all()


def test_network_lakes_and_tables_are_cut_to_the_basin(ili_export, atlas):
    path, _ = ili_export
    basin = read(path, "basins").geometry.values[0].buffer(0.05)  # degrees: edge tolerance
    net = read(path, "network")
    assert 0 < len(net) < len(atlas["network"])
    mids = shapely.line_interpolate_point(net.geometry.values, 0.5, normalized=True)
    on_ili = net["on_courses"].fillna("").str.contains("ili")
    assert (shapely.within(mids, basin) | on_ili.to_numpy()).all()
    lakes = read(path, "lakes")
    assert {"balkhash", "kapchagay", "alakol"} <= set(lakes["lake_id"])
    assert "zaysan" not in set(lakes["lake_id"])
    monthly = read(path, "water_balance_monthly")
    assert set(monthly["WATERSHED_ID"]) == {ILI_BASIN}
    flows = read(path, "flows")
    assert set(flows["river_id"].fillna("")) <= {"ili", "tekes", ""}
    assert not flows["subject_id"].isin(["emel-1", "irtysh-1", "irtysh", "2911109"]).any()
    crossings = read(path, "crossings")
    assert set(crossings["crossing_id"]) == {"tekes-1", "ili-2"}


def test_no_note_about_rivers_not_asked_for(ili_export):
    _, err = ili_export
    notes = [n for n in err.splitlines() if n.startswith("note:")]
    assert notes
    for word in ("irtysh", "Irtysh", "emel", "Emel", "NWB_", "Ertis"):
        assert not any(word in n for n in notes), (word, notes)
    assert any("grdc_gauges.csv: 2 of 4 gauges placed" in n for n in notes)


def test_flows_mask_keeps_the_figures_about_what_is_kept():
    flows = pd.DataFrame(
        {
            "subject_kind": ["crossing", "crossing", "river", "river", "total", "lake", "gauge"],
            "subject_id": ["ili-2", "emel-1", "ili", "irtysh", "irtysh+ili+emel", "zaysan", "7"],
            "river_id": ["ili", "emel", "ili", "irtysh", "", "", "ili"],
        }
    )
    kept = {"crossing": {"ili-2"}, "lake": {"balkhash"}, "gauge": {"7"}}
    mask = flows_mask(flows, kept, frozenset({"ili", "tekes"}))
    assert mask.tolist() == [True, False, True, False, True, False, True]


def test_a_region_without_basins_keeps_every_geometry():
    region = Region(frozenset({"x"}), np.zeros(3, bool))
    pts = shapely.points([0, 1], [0, 1])
    assert region.within(pts).tolist() == [True, True]
    region.basins = np.array([shapely.box(-0.5, -0.5, 0.5, 0.5)])
    assert region.within(pts).tolist() == [True, False]
