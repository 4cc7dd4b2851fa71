"""The merge rules of :func:`geo.headwaters.extend_network` on small networks built in code.

Every geometry here is lon/lat in EPSG:4326 near 80 E 45 N, where 0.01° of latitude is
1.11 km and 0.01° of longitude 0.79 km. The primary river flows south along 80 E: reach 0
from 45.30 N to 45.20 N, reach 1 from 45.20 N to its outlet at 45.00 N. Secondary lines are
drawn with vertices every ~0.5 km, as World Data Bank II's are.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import CRSError
from geo.headwaters import MergeRules, extend_network
from geo.network import mainstem, trace_upstream
from geo.network_build import from_hydrorivers, from_lines


def line(*points: tuple[float, float]) -> shapely.LineString:
    """A lon/lat line through ``points`` with a vertex at least every 0.005°."""
    return shapely.segmentize(shapely.LineString(points), 0.005)


def primary_lines() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[line((80.0, 45.30), (80.0, 45.20)), line((80.0, 45.20), (80.0, 45.00))],
        crs=4326,
    )


def primary():
    return from_lines(primary_lines(), source="primary.geojson")


def secondary(*geoms: shapely.LineString, crs=4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"level": np.arange(len(geoms))}, geometry=list(geoms), crs=crs)


def merge(*geoms, **kw):
    return extend_network(primary(), secondary(*geoms), secondary_name="wdb.geojson", **kw)


def outlet_source(net) -> tuple[float, float]:
    """Lon/lat of the mainstem's source above the (single) outlet."""
    path = mainstem(net, int(net.outlets[0]))
    x, y = net.geometry.values[path[0]].coords[0]
    return x, y


#: a head continuing the primary's source northwards, digitised downstream (north to south)
HEAD = line((80.0, 45.50), (80.0, 45.26))


@pytest.mark.parametrize("reverse", [False, True], ids=["downstream", "upstream"])
def test_a_line_continuing_a_headwater_is_added_flowing_towards_it(reverse):
    """Direction comes from the join, whichever way the secondary line was digitised."""
    head = shapely.reverse(HEAD) if reverse else HEAD
    m = merge(head)
    net = m.network
    assert len(net) == 3
    added = np.flatnonzero(m.secondary_row >= 0)
    assert added.tolist() == [2]
    assert net.next_down[2] == 0  # into the primary's headwater reach, not split
    assert net.reach_source.tolist() == ["primary", "primary", "secondary"]
    assert outlet_source(net) == pytest.approx((80.0, 45.50), abs=1e-6)
    # the added reach reaches down to the primary's source point (a junction, not a gap)
    assert net.geometry.values[2].coords[-1] == pytest.approx((80.0, 45.30), abs=1e-9)
    # 0.20° of latitude = 22.2 km added; the primary's 33.3 km unchanged
    assert net.length_m[2] / 1000 == pytest.approx(22.2, abs=0.3)
    assert net.length_m[:2].sum() == pytest.approx(primary().length_m.sum())
    assert "1 reach(es), 22 km added" in m.notes[0]


def test_a_tributary_splits_the_reach_it_joins():
    trib = line((80.20, 45.10), (80.0, 45.10))
    m = merge(trib)
    net = m.network
    # reach 1 is cut at 45.10 N: upper part keeps position 1, the lower part is appended
    assert len(net) == 4
    assert m.primary_row.tolist() == [0, 1, 1, -1]
    assert net.next_down.tolist() == [1, 2, -1, 2]
    # the junction: the primary's point nearest where the tributary leaves its 2.5 km
    assert net.geometry.values[1].coords[-1] == pytest.approx((80.0, 45.10), abs=1e-4)
    assert net.geometry.values[2].coords[0] == net.geometry.values[1].coords[-1]
    assert net.geometry.values[3].coords[-1] == net.geometry.values[2].coords[0]
    # the split keeps the reach's length; the tributary is 0.20° of longitude, 15.7 km
    before = primary().length_m[1]
    assert net.length_m[1] + net.length_m[2] == pytest.approx(before)
    assert net.length_m[1] / before == pytest.approx(0.5, abs=0.01)
    assert net.length_m[3] / 1000 == pytest.approx(15.7, abs=0.3)
    # the mainstem stays the primary's longer branch (22 km above the junction, against 16)
    assert outlet_source(net) == pytest.approx((80.0, 45.30))


def test_a_line_alongside_a_primary_reach_is_left_out():
    """0.01° of longitude (790 m) beside the primary: the same river drawn again."""
    m = merge(line((80.01, 45.28), (80.01, 45.02)))
    assert len(m.network) == 2
    assert len(m.notes) == 1 and "0 reach(es)" in m.notes[0]


def test_a_short_divergence_is_the_same_river_not_a_cycle():
    """A meander drawn 4 km off the primary for 8 km comes back to it: left out, no note."""
    wiggle = line((80.0, 45.16), (80.05, 45.12), (80.0, 45.08))
    m = merge(wiggle)
    assert len(m.network) == 2
    assert len(m.notes) == 1


@pytest.mark.parametrize(
    ("geom", "reason"),
    [
        (line((81.0, 45.3), (81.0, 45.0)), "touch no primary reach"),
        (
            line((80.0, 45.25), (80.15, 45.25), (80.15, 45.05), (80.0, 45.05)),
            "several places (adding it would make a cycle)",
        ),
        (line((80.0, 45.01), (80.0, 44.80)), "continue an outlet downstream"),
    ],
    ids=["touches-nothing", "cycle", "outlet"],
)
def test_lines_that_cannot_be_headwaters_are_left_out_with_a_note(geom, reason):
    m = merge(geom)
    assert len(m.network) == 2
    assert np.array_equal(m.network.next_down, primary().next_down)
    (note,) = [n for n in m.notes if "left out" in n]
    assert note.startswith("wdb.geojson: left out 1 stretch(es)")
    assert "(rows 0)" in note and reason in note


def test_a_head_lower_than_its_junction_is_refused_not_reversed():
    def falling_north(lon, lat):
        """A DEM that falls 1 m per 100 m northwards: the head lies 220 m below its junction."""
        return (45.30 - np.asarray(lat)) * 111_000 / 100 + 500

    m = merge(HEAD, elevation=falling_north)
    assert len(m.network) == 2
    (note,) = [n for n in m.notes if "left out" in n]
    assert "lower than their junction by more than 50 m (DEM)" in note
    assert "head at lon 80.000, lat 45.500 lies at 278 m, its junction at 500 m" in note
    # the same head on a DEM that rises northwards is kept
    kept = merge(HEAD, elevation=lambda lon, lat: np.asarray(lat) * 1000.0)
    assert len(kept.network) == 3


def test_a_delta_arm_into_the_lake_the_network_ends_in_is_left_out():
    lake = shapely.box(79.9, 44.9, 80.2, 45.0)  # the primary's outlet ends on its shore
    arm = line((80.0, 45.12), (80.12, 45.06), (80.12, 45.0))
    m = merge(arm, sinks=gpd.GeoSeries([lake], crs=4326))
    assert len(m.network) == 2
    assert any("run into a lake the network ends in" in n for n in m.notes)
    # without the lake it would be taken for a tributary
    assert len(merge(arm).network) == 4


def test_branching_headwaters_join_among_themselves_and_the_longer_is_the_mainstem():
    long_branch = line((79.80, 45.60), (80.0, 45.40))
    short_branch = line((80.10, 45.45), (80.0, 45.40))
    trunk = line((80.0, 45.40), (80.0, 45.26))
    m = merge(short_branch, trunk, long_branch)
    net = m.network
    assert (m.secondary_row >= 0).sum() == 3
    assert sorted(m.secondary_row[m.secondary_row >= 0].tolist()) == [0, 1, 2]
    assert outlet_source(net) == pytest.approx((79.80, 45.60), abs=1e-6)
    up = trace_upstream(net, int(net.outlets[0]))
    assert len(up) == len(net)  # everything drains to the one outlet: still a tree


def test_secondary_in_another_crs_gives_the_same_network():
    utm = secondary(HEAD).to_crs(32644)
    a = extend_network(primary(), utm)
    b = extend_network(primary(), secondary(HEAD))
    assert np.array_equal(a.network.next_down, b.network.next_down)
    assert a.network.length_m == pytest.approx(b.network.length_m, rel=1e-6)


def test_secondary_without_crs_is_refused_naming_the_file():
    bare = gpd.GeoDataFrame(geometry=[HEAD])
    with pytest.raises(CRSError, match=r"^wdb\.geojson: no CRS; the secondary lines need one"):
        extend_network(primary(), bare, secondary_name="wdb.geojson")


def test_hydrorivers_primary_keeps_its_ids_and_areas():
    table = primary_lines().assign(HYRIV_ID=[40, 50], NEXT_DOWN=[50, 0], UPLAND_SKM=[80.0, 300.0])
    net = from_hydrorivers(table)
    trib = line((80.30, 45.10), (80.0, 45.10))
    m = extend_network(net, secondary(trib, HEAD))
    got = m.network
    assert got.ids.tolist()[:2] == [40, 50]
    assert set(got.ids.tolist()[2:]) == {51, 52, 53}
    area = got.upstream_area_km2
    assert area[:3].tolist() == [80.0, 300.0, 300.0]  # the split reach's parts keep its area
    assert np.isnan(area[3:]).all()  # added reaches have none, and rank below known areas
    assert outlet_source(got) == pytest.approx((80.0, 45.50), abs=1e-6)


def test_the_merge_is_deterministic(tmp_path):
    from layers.river_network import merged_frame

    heads = secondary(HEAD, line((80.30, 45.10), (80.0, 45.10)))
    written = []
    for k in range(2):
        m = extend_network(primary(), heads)
        frame = merged_frame(m, primary_lines(), heads)
        path = tmp_path / f"run{k}" / "merged.geojson"
        path.parent.mkdir()
        frame.to_file(path, layer="merged", driver="GeoJSON", COORDINATE_PRECISION=7)
        written.append(path.read_bytes())
    assert written[0] == written[1]
    back = from_lines(gpd.read_file(tmp_path / "run0" / "merged.geojson"))
    assert np.array_equal(back.next_down, m.network.next_down)


def test_rules_are_tolerances_in_metres():
    """A line 790 m beside the primary duplicates it at 2.5 km and touches nothing at 0.5 km."""
    beside = line((80.01, 45.28), (80.01, 45.02))
    assert len(merge(beside).notes) == 1
    strict = merge(beside, rules=MergeRules(alongside_m=500.0))
    assert any("touch no primary reach" in n for n in strict.notes)


def test_two_tributaries_on_one_reach_cut_it_in_three_chained_in_order():
    east = line((80.15, 45.05), (80.0, 45.05))
    west = line((79.85, 45.15), (80.0, 45.15))
    m = merge(east, west)
    net = m.network
    assert m.primary_row.tolist() == [0, 1, 1, 1, -1, -1]
    # upper part (1) -> middle (2) -> lowest (3) -> the old outlet; tributaries into 2 and 3
    assert net.next_down[:4].tolist() == [1, 2, 3, -1]
    into = dict(zip(m.secondary_row[4:].tolist(), net.next_down[4:].tolist(), strict=True))
    assert into == {1: 2, 0: 3}
    assert net.length_m[1:4].sum() == pytest.approx(primary().length_m[1])
    ends = [net.geometry.values[k].coords[-1][1] for k in (1, 2)]
    assert ends == pytest.approx([45.15, 45.05], abs=1e-4)


def test_a_merged_hydrorivers_file_reads_back_as_the_same_network(tmp_path):
    """merge-network's file for a HydroRIVERS primary: ids, NEXT_DOWN and LENGTH_KM rewritten
    for the cut and added reaches, the primary's own columns kept, read back alike."""
    from geo.network import read_network
    from layers.river_network import merged_frame

    table = primary_lines().assign(
        HYRIV_ID=[40, 50], NEXT_DOWN=[50, 0], LENGTH_KM=[11.1, 22.2], ORD_STRA=[1, 2]
    )
    heads = secondary(HEAD, line((80.20, 45.10), (80.0, 45.10)))
    m = extend_network(from_hydrorivers(table), heads)
    path = tmp_path / "merged.gpkg"
    merged_frame(m, table, heads).to_file(path)
    back, _ = read_network(str(path))
    assert back.ids.tolist() == m.network.ids.tolist()
    assert np.array_equal(back.next_down, m.network.next_down)
    assert back.length_m == pytest.approx(m.network.length_m)
    assert back.reach_source.tolist() == ["primary"] * 3 + ["secondary"] * 2
    frame = gpd.read_file(path)
    assert frame["ORD_STRA"].tolist()[:3] == [1, 2, 2]  # the cut reach keeps its parent's
    assert frame["ORD_STRA"].isna().tolist()[3:] == [True, True]
    assert frame["wdb_level"].tolist()[3:] == [0, 1]
