"""Small geometries and networks built in code, shared by the tests (like shapely's tests/common.py).

All coordinates are lon/lat degrees in EPSG:4326 unless a docstring says otherwise.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: a Y-shaped river in EPSG:4326 near 80 E 45 N: two headwaters (a: 3 segments long, b: short)
#: meet at (80.0, 45.0) and flow west to the outlet at (79.0, 45.0); digitised downstream.
Y_LINES = [
    shapely.LineString([(81.5, 45.5), (81.0, 45.3), (80.5, 45.1), (80.0, 45.0)]),  # a (long)
    shapely.LineString([(80.3, 44.8), (80.0, 45.0)]),  # b (short)
    shapely.LineString([(80.0, 45.0), (79.5, 45.0), (79.0, 45.0)]),  # trunk
]


def y_network_frame() -> gpd.GeoDataFrame:
    """The Y-shaped river as a GeoDataFrame in EPSG:4326."""
    return gpd.GeoDataFrame({"name": ["a", "b", "trunk"]}, geometry=Y_LINES, crs=4326)


def random_tree(n: int, seed: int = 0, branching: float = 0.5) -> pd.DataFrame:
    """A random HydroRIVERS-style tree of ``n`` reaches: ``HYRIV_ID``, ``NEXT_DOWN``, ``LENGTH_KM``.

    Reach 1 is the outlet (``NEXT_DOWN`` 0); every other reach flows into an earlier one, so
    the network has no cycles. ``branching`` near 1 gives long chains, near 0 bushy trees.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1, dtype=np.int64)
    parent = np.empty(n, dtype=np.int64)
    parent[0] = 0
    k = np.arange(1, n)
    chain = rng.random(n - 1) < branching
    parent[1:] = np.where(chain, k, (rng.random(n - 1) * k).astype(np.int64) + 1)
    return pd.DataFrame(
        {"HYRIV_ID": ids, "NEXT_DOWN": parent, "LENGTH_KM": rng.uniform(0.5, 5.0, n)}
    )


#: geometries to parametrize over (shapely's tests/common.py style)
EMPTY_LINE = shapely.LineString()
MULTI_LINE = shapely.MultiLineString([[(80, 45), (80.5, 45.2)], [(81, 45.5), (81.2, 45.6)]])
POINT = shapely.Point(80, 45)
BOWTIE = shapely.Polygon([(80, 45), (81, 46), (81, 45), (80, 46), (80, 45)])


def write_raster(
    path,
    array: np.ndarray,
    transform,
    crs="EPSG:4326",
    *,
    nodata: float | None = None,
    block: int | None = None,
) -> str:
    """Write ``array`` (rows, cols) or (bands, rows, cols) as a GeoTIFF; ``crs=None`` writes
    none; ``block`` makes it tiled with square blocks of that size. Returns the path."""
    import rasterio

    data = array[None] if array.ndim == 2 else array
    profile = {
        "driver": "GTiff",
        "count": data.shape[0],
        "height": data.shape[1],
        "width": data.shape[2],
        "dtype": data.dtype.name,
        "transform": transform,
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    if block:
        profile.update(tiled=True, blockxsize=block, blockysize=block)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return str(path)


#: a name that breaks HTML, attributes, JS strings and Jinja if it is not escaped
HOSTILE_NAME = "Ili <b>bold</b> 'q' \"d\" & {{ 7*7 }}"


def with_hostile_names(atlas):
    """A copy of a ``layers.atlas.Atlas`` whose Ili (river, pieces, crossings), Lake Balkhash
    and first basin are named :data:`HOSTILE_NAME`."""
    layers = dict(atlas.layers)
    for key, column in (
        ("crossings", "name_en"),
        ("river_courses", "name_en"),
        ("rivers", "name_en"),
        ("lakes", "display_name"),
        ("basins", "WATERSHED_NAME"),
    ):
        frame = atlas[key].copy()
        hit = frame["river_id"].eq("ili") if "river_id" in frame else frame.index == frame.index[0]
        if key == "lakes":
            hit = frame["lake_id"].eq("balkhash")
        frame.loc[hit, column] = HOSTILE_NAME
        layers[key] = dataclasses.replace(atlas.layers[key], frame=frame)
    return dataclasses.replace(atlas, layers=layers)
