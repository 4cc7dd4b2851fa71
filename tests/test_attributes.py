"""HydroRIVERS measures with nodata markers: lengths fall back to geodesic, and say so."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import FieldError
from geo.measure import line_lengths_m
from geo.network import from_hydrorivers, mainstem, read_network


def _extract(length_km: list, upland: list | None = None) -> gpd.GeoDataFrame:
    """Three reaches in a chain (EPSG:4326, 0.1° of longitude each at 45° N, ~7.9 km)."""
    lines = [shapely.LineString([(80 + i * 0.1, 45), (80.1 + i * 0.1, 45)]) for i in range(3)]
    table = {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [2, 3, 0], "LENGTH_KM": length_km}
    if upland is not None:
        table["UPLAND_SKM"] = upland
    return gpd.GeoDataFrame(table, geometry=lines, crs=4326)


@pytest.mark.parametrize("marker", [-9999, "-9999", "n/a", "", None, "н/д"])
def test_missing_length_is_measured_from_the_geometry(tmp_path, marker):
    gdf = _extract([8.0, marker, 7.5])
    net = from_hydrorivers(gdf, source="hr.gpkg")
    geodesic = line_lengths_m(gdf.geometry.values[1:2])[0]
    assert net.length_m.tolist() == [8000.0, pytest.approx(geodesic), 7500.0]
    assert 7800 < geodesic < 8000  # 0.1° at 45° N on WGS 84
    assert len(net.notes) == 1 and "row 1" in net.notes[0]
    assert net.notes[0].startswith("hr.gpkg, column 'LENGTH_KM': 1 reach(es) without a length")
    assert net.notes[0].endswith("measured geodesically from their geometry (WGS 84) instead")


def test_the_note_reaches_the_reader(tmp_path):
    _extract([8.0, -9999, 7.5]).to_file(tmp_path / "hr.gpkg")
    net, notes = read_network(str(tmp_path / "hr.gpkg"))
    assert any("row 1 '-9999'" in n and "measured geodesically" in n for n in notes)
    assert net.length_m.sum() < 25_000  # not -9,999 km


@pytest.mark.parametrize(
    "bad, why",
    [
        ("abc", "'abc' is not a number"),
        ("-5", "'-5' is negative"),
        ("1e400", "'1e400' is not a finite"),
    ],
)
def test_bad_length_stops_unless_told(bad, why):
    gdf = _extract([8.0, bad, 7.5])
    with pytest.raises(FieldError, match=rf"column 'LENGTH_KM' row 1 \(id 2\): {why}.*--on-bad"):
        from_hydrorivers(gdf, source="hr.gpkg")
    net = from_hydrorivers(gdf, source="hr.gpkg", bad_values="warning")
    assert 7800 < net.length_m[1] < 8000
    assert any("bad value(s) read as missing" in n for n in net.notes)


def test_missing_length_without_geometry_is_an_error():
    table = _extract([8.0, -9999, 7.5]).drop(columns="geometry")
    with pytest.raises(FieldError, match=r"row 1 \(id 2\) '-9999' is a nodata marker and there"):
        from_hydrorivers(table.assign(HYRIV_ID=[1, 2, 3]), source="t")


def test_missing_upstream_area_ranks_below_known_ones():
    """A confluence: reach 1 (area n/a, long) and reach 2 (area 50 km², short) join reach 3."""
    lines = [
        shapely.LineString([(80.0, 45.5), (80.2, 45.0)]),
        shapely.LineString([(80.15, 45.0), (80.2, 45.0)]),
        shapely.LineString([(80.2, 45.0), (80.3, 45.0)]),
    ]
    gdf = gpd.GeoDataFrame(
        {"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [3, 3, 0], "UPLAND_SKM": ["n/a", 50, 60]},
        geometry=lines,
        crs=4326,
    )
    net = from_hydrorivers(gdf, source="hr")
    assert np.isnan(net.upstream_area_km2[0])
    assert mainstem(net, 2).tolist() == [1, 2]
    assert any(
        "'UPLAND_SKM': 1 reach(es) without an upstream area (row 0 'n/a')" in n for n in net.notes
    )
