"""The benchmarks' synthetic HydroRIVERS continent (bench.synth): a consistent river network."""

from __future__ import annotations

import numpy as np
import shapely

from bench import synth
from geo.network_build import from_hydrorivers


def test_synthetic_continent_is_a_consistent_hydrorivers_table():
    table, syn, real = synth.make(3_000, seed=5, embed=False)
    assert len(table) == 3_000 and len(real) == 0
    assert table["HYRIV_ID"].is_unique
    ids = set(table["HYRIV_ID"])
    down = table["NEXT_DOWN"].to_numpy()
    assert all(d == 0 or d in ids for d in down)
    net = from_hydrorivers(table)  # no cycle, every NEXT_DOWN resolves
    has = net.next_down >= 0
    # upstream area and distance to the outlet grow downstream / upstream as they must
    up = table["UPLAND_SKM"].to_numpy()
    assert (up[net.next_down[has]] >= up[has] - 0.1).all()
    dist = table["DIST_DN_KM"].to_numpy()
    assert (dist[has] > dist[net.next_down[has]]).all()
    # Strahler order: sources are 1, a reach's order is at least its tributaries'
    order = table["ORD_STRA"].to_numpy()
    sources = np.setdiff1d(np.arange(len(table)), net.next_down[has])
    assert (order[sources] == 1).all()
    assert (order[net.next_down[has]] >= order[has]).all()
    # ten-vertex lines that end where their downstream reach begins
    (_, lines), *_ = synth.synthetic_lines(syn, 5)
    assert (shapely.get_num_coordinates(lines) == synth.VERTICES).all()
    ends = shapely.get_coordinates(shapely.get_point(lines, -1))
    starts = shapely.get_coordinates(shapely.get_point(lines, 0))
    assert np.allclose(ends[has], starts[net.next_down[has]])
    lengths = synth.haversine_m(shapely.get_coordinates(lines).reshape(-1, synth.VERTICES, 2))
    assert np.allclose(lengths / 1000.0, table["LENGTH_KM"], atol=0.006)
