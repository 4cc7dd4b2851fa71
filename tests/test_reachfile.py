"""A HydroRIVERS-style file read without its lines (geo.reachfile): the same network, the same
snaps and traces as reading it whole; lines read by feature id and by box; checks on the way."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

import geo.network_build
from geo.errors import CRSError, GeometryError
from geo.network_build import read_network
from geo.reachfile import boxes_around
from geo.snap import snap_points
from rivermap.cli import main


@pytest.fixture(scope="module")
def extract(atlas_core, tmp_path_factory):
    """The embedded network as a HydroRIVERS-style GeoPackage (EPSG:4326), rows shuffled so
    that neither ids nor feature ids follow the network's order."""
    net = atlas_core.network
    ids = (np.arange(len(net)) + 1) * 10
    frame = gpd.GeoDataFrame(
        {
            "HYRIV_ID": ids,
            "NEXT_DOWN": np.where(net.next_down >= 0, ids[np.maximum(net.next_down, 0)], 0),
            "LENGTH_KM": net.length_m / 1000.0,
            "UPLAND_SKM": (net.longest_upstream_m / 1000.0 / 1.4) ** (1 / 0.6),
        },
        geometry=net.geometry.values,
        crs=4326,
    )
    frame = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    path = tmp_path_factory.mktemp("extract") / "hydrorivers.gpkg"
    frame.to_file(path)
    return path, frame


def test_lazy_network_equals_the_whole_read(extract):
    path, frame = extract
    whole, _ = read_network(str(path))
    lazy, notes = read_network(str(path), whole_read_limit=1)
    assert whole.store is None and whole.geometry is not None
    assert lazy.geometry is None and lazy.store is not None
    assert any("lines read only where needed" in n for n in notes)
    assert (lazy.ids == whole.ids).all()
    assert (lazy.next_down == whole.next_down).all()
    assert np.allclose(lazy.bounds, whole.bounds)
    pos = np.array([5, 3, 3, len(whole) - 1, 0])  # any order, repeats
    assert shapely.equals(lazy.lines(pos), whole.lines(pos)).all()


def test_box_reads_find_what_a_whole_search_finds(extract):
    path, frame = extract
    whole, _ = read_network(str(path))
    lazy, _ = read_network(str(path), whole_read_limit=1)
    box = (76.0, 43.0, 84.0, 48.0)
    # whose bounding box meets the box (what the file's R-tree answers)
    bounds = shapely.bounds(frame.geometry.values)
    expected = np.flatnonzero(
        (bounds[:, 0] <= box[2])
        & (bounds[:, 2] >= box[0])
        & (bounds[:, 1] <= box[3])
        & (bounds[:, 3] >= box[1])
    )
    assert lazy.in_box(box).tolist() == expected.tolist() == whole.in_box(box).tolist()
    assert expected.size > 10


def test_boxes_hold_the_geodesic_circle():
    """Points 10 km away in every direction, at 45 and 70 N, lie inside the 10 km box."""
    from geo.measure import GEOD

    for lat in (45.0, 70.0):
        lons, lats, _ = GEOD.fwd(
            np.full(36, 80.0), np.full(36, lat), np.arange(0, 360, 10), np.full(36, 9_999.0)
        )
        w, s, e, n = boxes_around(80.0, lat, 10_000.0)[0]
        assert ((lons > w) & (lons < e) & (lats > s) & (lats < n)).all()


def test_snaps_are_the_same_lazy_or_whole(extract):
    path, _ = extract
    whole, _ = read_network(str(path))
    lazy, _ = read_network(str(path), whole_read_limit=1)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(70, 88, 300), rng.uniform(42, 55, 300)
    a = snap_points(whole, lon, lat, max_distance_m=30_000.0)
    b = snap_points(lazy, lon, lat, max_distance_m=30_000.0)
    assert (a.reach >= 0).sum() > 20
    assert (a.reach == b.reach).all()
    assert np.allclose(a.distance_m, b.distance_m, equal_nan=True)


def test_trace_of_a_large_file_gives_the_same_rivers(extract, monkeypatch):
    """Through the CLI, read whole and read lazily: identical lengths, crossings, lakes."""
    path, _ = extract
    args = ["--quiet", "trace", "--format", "json", "--data", f"rivers={path}"]
    whole = CliRunner().invoke(main, args)
    monkeypatch.setattr(geo.network_build, "WHOLE_READ_LIMIT", 1)
    lazy = CliRunner().invoke(main, args)
    assert whole.exit_code == 0 and lazy.exit_code == 0, lazy.output
    assert json.loads(lazy.stdout) == json.loads(whole.stdout)
    assert len(json.loads(lazy.stdout)) == 5


def test_network_layer_of_a_large_file_keeps_the_traced_reaches(extract, monkeypatch):
    import layers.atlas
    from layers.atlas import build_atlas
    from layers.sources import default_sources, with_overrides

    path, _ = extract
    monkeypatch.setattr(geo.network_build, "WHOLE_READ_LIMIT", 1)
    monkeypatch.setattr(layers.atlas, "NETWORK_REACHES", 100)
    atlas = build_atlas(with_overrides(default_sources(), {"rivers": str(path)}), steps=())
    network = atlas["network"]
    traced = set(np.concatenate([c.reaches for c in atlas.traced.course.values()]).tolist())
    assert set(atlas.network.ids[sorted(traced)]) <= set(network["reach_id"])
    assert 100 <= len(network) <= 100 + len(traced) < len(atlas.network)
    assert network.geometry.notna().all() and network.crs.to_epsg() == 4326
    assert any("network layer holds" in n for n in atlas.notes)


def test_projected_file_is_read_in_lonlat(extract, tmp_path):
    path, frame = extract
    projected = tmp_path / "projected.gpkg"
    frame.to_crs(3857).to_file(projected)
    lazy, _ = read_network(str(projected), whole_read_limit=1)
    lines = lazy.lines(np.arange(10))
    expected = frame.geometry.values[:10]
    assert shapely.equals_exact(lines, expected, tolerance=1e-6).all()
    assert lazy.in_box((76.0, 43.0, 84.0, 48.0)).size > 10


def test_lazy_read_checks_the_layer(extract, tmp_path):
    path, frame = extract
    empty = frame.copy()
    empty.loc[3, "geometry"] = shapely.LineString()
    bad = tmp_path / "empty_line.gpkg"
    empty.to_file(bad)
    net, _ = read_network(str(bad), whole_read_limit=1)
    with pytest.raises(GeometryError, match=rf"reach\(es\) {frame.HYRIV_ID[3]} have an empty"):
        net.lines([3])
    polygons = frame.assign(geometry=shapely.buffer(frame.geometry.values, 0.01))
    polygons.to_file(tmp_path / "polygons.gpkg")
    with pytest.raises(GeometryError, match="Polygon features; accepted geometry types"):
        read_network(str(tmp_path / "polygons.gpkg"), whole_read_limit=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio: "'crs' was not provided"
        frame.set_crs(None, allow_override=True).to_file(tmp_path / "nocrs.gpkg")
    with pytest.raises(CRSError, match="no CRS"):
        read_network(str(tmp_path / "nocrs.gpkg"), whole_read_limit=1)
    faraway = frame.assign(geometry=frame.geometry.translate(-150.0, 0.0))
    faraway.to_file(tmp_path / "faraway.gpkg")
    with pytest.raises(CRSError, match="outside the product's region"):
        read_network(str(tmp_path / "faraway.gpkg"), whole_read_limit=1)
