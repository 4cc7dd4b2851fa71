"""River network: building from lines and from HydroRIVERS tables, tracing, mainstem."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import FieldError, GeometryError, NetworkError
from geo.generalise import largest_reaches
from geo.network import mainstem, trace, trace_downstream, trace_upstream
from geo.network_build import from_hydrorivers, from_lines
from tests.common import random_tree, y_network_frame


def test_from_lines_connects_y_and_picks_longest_headwater():
    net = from_lines(y_network_frame(), snap_tolerance_m=10)
    assert net.next_down.tolist() == [2, 2, -1]
    assert sorted(trace_upstream(net, 2).tolist()) == [0, 1, 2]
    assert trace_downstream(net, 1).tolist() == [1, 2]
    # the long headwater "a" (~135 km) wins over "b" (~33 km) by longest upstream path
    assert mainstem(net, 2).tolist() == [0, 2]
    assert net.longest_upstream_m[2] == pytest.approx(net.length_m[0] + net.length_m[2])


def test_snap_tolerance_is_in_metres():
    gdf = y_network_frame()
    # move the start of the trunk 300 m west (0.0038 deg of longitude at 45 N ~ 300 m)
    trunk = shapely.get_coordinates(gdf.geometry[2])
    trunk[0, 0] -= 0.0038
    gdf.loc[2, "geometry"] = shapely.LineString(trunk)
    assert from_lines(gdf, snap_tolerance_m=100).next_down.tolist() == [-1, -1, -1]
    assert from_lines(gdf, snap_tolerance_m=500).next_down.tolist() == [2, 2, -1]


def test_reversed_line_is_reported_as_uphill():
    gdf = y_network_frame()
    gdf.loc[1, "geometry"] = gdf.geometry[1].reverse()  # b now starts at the confluence
    net = from_lines(gdf)
    # b and the trunk both leave the confluence into a dead end: both are reported, the
    # untouched headwater a is not
    assert 1 in net.check.uphill.tolist()
    assert 0 not in net.check.uphill.tolist()
    assert net.check.divergences.size == 1
    assert any("uphill" in line for line in net.check.lines(net.ids))


def test_zero_length_line_is_refused():
    gdf = y_network_frame()
    gdf.loc[1, "geometry"] = shapely.LineString([(80.3, 44.8), (80.3, 44.8)])
    with pytest.raises(GeometryError, match="zero length"):
        from_lines(gdf)


def test_hydrorivers_upland_area_decides_mainstem():
    table = pd.DataFrame(
        {
            "HYRIV_ID": [10, 20, 30],
            "NEXT_DOWN": [30, 30, 0],
            "LENGTH_KM": [100.0, 5.0, 10.0],
            "UPLAND_SKM": [50.0, 900.0, 1000.0],
        }
    )
    net = from_hydrorivers(table)
    # the short reach 20 drains more area: it is the mainstem despite being shorter
    assert net.ids[mainstem(net, net.position(30))].tolist() == [20, 30]


def test_hydrorivers_missing_next_down_names_row_and_id():
    table = pd.DataFrame({"HYRIV_ID": [1, 2, 3], "NEXT_DOWN": [0, 1, 99]})
    with pytest.raises(NetworkError, match=r"NEXT_DOWN 99 \(row 2, HYRIV_ID 3\)"):
        from_hydrorivers(table.assign(LENGTH_KM=1.0))


def test_hydrorivers_cycle_is_refused():
    table = pd.DataFrame({"HYRIV_ID": [1, 2, 3, 4], "NEXT_DOWN": [0, 3, 4, 2], "LENGTH_KM": 1.0})
    with pytest.raises(NetworkError, match="cycle"):
        from_hydrorivers(table)


def test_hydrorivers_duplicate_ids_are_refused():
    table = pd.DataFrame({"HYRIV_ID": [1, 1], "NEXT_DOWN": [0, 0], "LENGTH_KM": 1.0})
    with pytest.raises(FieldError, match="duplicate"):
        from_hydrorivers(table)


def test_trace_matches_networkx_on_random_tree():
    table = random_tree(2_000, seed=3, branching=0.3)
    net = from_hydrorivers(table)
    g = nx.DiGraph()
    g.add_edges_from(zip(table.HYRIV_ID[1:], table.NEXT_DOWN[1:], strict=True))
    for start in (1, 17, 555):
        pos = net.position(start)
        ours = set(net.ids[trace(net, pos, "up")].tolist())
        assert ours == nx.ancestors(g, start) | {start}
        down = net.ids[trace(net, pos, "down")].tolist()
        assert down == nx.shortest_path(g, start, 1)


def test_longest_path_matches_brute_force():
    table = random_tree(300, seed=5, branching=0.6)
    net = from_hydrorivers(table)
    length = table.LENGTH_KM.to_numpy() * 1000
    # brute force: for each reach, the max over its upstream reaches of the path length
    best = np.zeros(len(net))
    for i in range(len(net)):
        path_len = 0.0
        j = i
        while j >= 0:
            path_len += length[j]
            best[j] = max(best[j], path_len)
            j = net.next_down[j]
    assert np.allclose(net.longest_upstream_m, best)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 400), seed=st.integers(0, 10_000), branching=st.floats(0, 1))
def test_upstream_then_downstream_returns_to_start(n, seed, branching):
    net = from_hydrorivers(random_tree(n, seed=seed, branching=branching))
    rng = np.random.default_rng(seed)
    start = int(rng.integers(0, n))
    for reach in trace(net, start, "up"):
        assert start in trace(net, int(reach), "down")
    # and every reach on the way down has the start upstream of it
    for reach in trace(net, start, "down"):
        assert start in trace(net, int(reach), "up")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 10_000), branching=st.floats(0, 1))
def test_levels_and_mainstem_choice_match_a_plain_walk(n, seed, branching):
    """Levels (hops from the outlet) and the mainstem child at each confluence, against a
    per-reach Python walk; areas are rounded so that ties and a missing area occur."""
    table = random_tree(n, seed=seed, branching=branching)
    rng = np.random.default_rng(seed)
    area = np.round(rng.random(n) * 3)
    area[rng.random(n) < 0.05] = np.nan
    net = from_hydrorivers(table.assign(UPLAND_SKM=area))
    hops = np.zeros(n, dtype=int)
    for i in range(n):
        j = i
        while net.next_down[j] >= 0:
            j = net.next_down[j]
            hops[i] += 1
    assert sum(lvl.size for lvl in net.levels) == n
    for k, lvl in enumerate(net.levels):
        assert (hops[lvl] == k).all()
    key = np.where(np.isnan(area), -1.0, area)  # a reach without area ranks lowest
    tiebreak = net.longest_upstream_m
    for parent in range(n):
        children = np.flatnonzero(net.next_down == parent)
        if children.size == 0:
            assert net.main_upstream[parent] == -1
            continue
        best = children[key[children] == key[children].max()]
        best = best[tiebreak[best] == tiebreak[best].max()]
        assert net.main_upstream[parent] == best.max()  # then the last reach in the file


def test_largest_reaches_keeps_the_most_draining_in_the_box():
    table = pd.DataFrame(
        {
            "HYRIV_ID": [1, 2, 3, 4],
            "NEXT_DOWN": [0, 1, 1, 0],
            "LENGTH_KM": 1.0,
            "UPLAND_SKM": [90.0, 50.0, 30.0, 80.0],
        }
    )
    lines = [
        shapely.LineString([(80.0, 45.0), (80.1, 45.0)]),
        shapely.LineString([(80.1, 45.1), (80.0, 45.0)]),
        shapely.LineString([(79.9, 45.1), (80.0, 45.0)]),
        shapely.LineString([(95.0, 45.0), (95.1, 45.0)]),  # outside the box
    ]
    net = from_hydrorivers(gpd.GeoDataFrame(table, geometry=lines, crs=4326))
    assert largest_reaches(net, 4).tolist() == [0, 1, 2, 3]
    assert largest_reaches(net, 2).tolist() == [0, 3]
    assert largest_reaches(net, 2, box=(79.0, 44.0, 81.0, 46.0)).tolist() == [0, 1]
