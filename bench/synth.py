"""A synthetic HydroRIVERS-style continent: N reaches as a GeoPackage, the real rivers inside.

The rivers are a Scheidegger network (the classic lattice model of river networks: on a
staggered lattice every node drains to one of its two downhill neighbours, chosen at random;
trees never cross and basin sizes follow a power law, as real ones do). The lattice spacing is
0.03° (reaches of 3–4 km, HydroRIVERS' mean is 4.2 km), each reach is a meandering line of
10 vertices, and everything drains south. The continent is centred on the product's region
(lon 66–92 E, lat 40–58.5 N) and grows with N (10⁶ reaches cover about 50° × 36°).

The embedded default network runs through it unchanged (same lines, same ``LENGTH_KM``), so
``rivermap trace --data rivers=FILE`` must give the default data's lengths and crossings;
synthetic reaches within 0.1° of it are left out, and a synthetic reach that drained into one
of them becomes an outlet. Columns are HydroRIVERS v1.0's: ``HYRIV_ID``, ``NEXT_DOWN``,
``MAIN_RIV``, ``LENGTH_KM``, ``DIST_DN_KM``, ``DIST_UP_KM``, ``CATCH_SKM``, ``UPLAND_SKM``,
``ENDORHEIC``, ``DIS_AV_CMS``, ``ORD_STRA``, ``ORD_CLAS``, ``ORD_FLOW``, ``HYBAS_L12``
(EPSG:4326). The embedded reaches have no real catchment area: their ``UPLAND_SKM`` comes from
Hack's law on their longest upstream path (L = 1.4·A^0.6, km and km²), which keeps the same
mainstem at every confluence.

Run: ``python -m bench.synth --reaches 1000000 --out bench/data/hydrorivers_1000000.gpkg``;
:func:`ensure` makes (once) and returns the cached file for a size.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

DATA_DIR = Path(os.environ.get("RIVERMAP_BENCH_DATA", Path(__file__).parent / "data"))
SPACING_DEG = 0.03
VERTICES = 10
#: synthetic reaches this close (degrees) to an embedded reach are left out
CLEARANCE_DEG = 0.1
#: centre of the product's region (degrees)
CENTRE = (79.0, 49.25)
ID_BASE = 40_000_001
EARTH_RADIUS_M = 6_371_008.8
CHUNK = 500_000


def lattice(n_nodes: int, seed: int) -> dict[str, np.ndarray]:
    """A staggered lattice of about ``n_nodes`` nodes with Scheidegger drainage.

    Returns lon/lat of every node (degrees), its row (0 = north, upstream) and ``down``, the
    index of the node it drains into (-1 in the last row).
    """
    rng = np.random.default_rng(seed)
    area = 2 * n_nodes * SPACING_DEG**2  # degree²: one node per two lattice cells
    height = min(np.sqrt(area / 1.4), 104.0)
    width = min(area / height, 359.0)
    rows = max(int(height / SPACING_DEG), 4)
    cols = max(int(2 * n_nodes / rows), 4)
    north = min(CENTRE[1] + rows * SPACING_DEG / 2, 80.0)
    west = max(min(CENTRE[0] - width / 2, 180.0 - cols * SPACING_DEG), -180.0)
    r, c = np.divmod(np.arange(rows * cols, dtype=np.int64), cols)
    on = (r + c) % 2 == 0
    r, c = r[on], c[on]
    index = np.full(rows * cols, -1, dtype=np.int64)
    index[r * cols + c] = np.arange(r.size)
    step = np.where(rng.random(r.size) < 0.5, -1, 1)
    step[c == 0], step[c == cols - 1] = 1, -1
    last = r == rows - 1
    target = np.where(last, 0, (r + 1) * cols + np.clip(c + step, 0, cols - 1))
    down = np.where(last, -1, index[target])
    return {
        "lon": west + c * SPACING_DEG,
        "lat": north - r * SPACING_DEG,
        "row": r,
        "down": down,
    }


def reach_coords(x0, y0, x1, y1, seed: int) -> np.ndarray:
    """``(n, 10, 2)`` vertices of meandering lines from (x0, y0) to (x1, y1), degrees."""
    rng = np.random.default_rng(seed)
    n = x0.size
    t = np.linspace(0.0, 1.0, VERTICES)
    dx, dy = x1 - x0, y1 - y0
    amp = rng.uniform(0.04, 0.12, n) * rng.choice([-1.0, 1.0], n)
    bend = np.sin(np.pi * t)[None, :] * amp[:, None] + rng.normal(0, 0.01, (n, VERTICES))
    bend[:, [0, -1]] = 0.0
    x = x0[:, None] + dx[:, None] * t - dy[:, None] * bend
    y = y0[:, None] + dy[:, None] * t + dx[:, None] * bend
    return np.stack([x, y], axis=-1)


def _chunks(n: int):
    for k, start in enumerate(range(0, n, CHUNK)):
        yield k, slice(start, min(start + CHUNK, n))


def haversine_m(coords: np.ndarray) -> np.ndarray:
    """Length in metres (sphere, mean Earth radius) of each line of ``(n, k, 2)`` vertices."""
    lon, lat = np.radians(coords[..., 0]), np.radians(coords[..., 1])
    a = (
        np.sin(np.diff(lat, axis=1) / 2) ** 2
        + np.cos(lat[:, :-1]) * np.cos(lat[:, 1:]) * np.sin(np.diff(lon, axis=1) / 2) ** 2
    )
    return (2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))).sum(axis=1)


def embedded_network():
    """The default data's network (as the product reads it): ``(RiverNetwork, lines)``."""
    from layers.atlas import build_atlas

    net = build_atlas(steps=()).network
    return net, np.asarray(net.geometry.values)


def _synthetic(n: int, real_lines: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """``n`` synthetic reaches clear of ``real_lines``: start/end node coordinates and ``down``
    (index of the downstream synthetic reach, -1 for an outlet)."""
    factor = 1.05
    tree = shapely.STRtree(real_lines) if len(real_lines) else None
    while True:
        lat = lattice(int(n * factor) + 16, seed)
        keep = lat["down"] >= 0  # a reach runs from each node to the node it drains into
        if tree is not None:
            w, s, e, n_ = shapely.total_bounds(real_lines) + np.r_[-1, -1, 1, 1] * 0.5
            lon, la = lat["lon"], lat["lat"]
            idx = np.flatnonzero(keep & (lon >= w) & (lon <= e) & (la >= s) & (la <= n_))
            for start in range(0, idx.size, CHUNK):
                part = idx[start : start + CHUNK]
                down = lat["down"][part]
                ends = np.column_stack([lon[part], la[part], lon[down], la[down]])
                seg = shapely.linestrings(
                    ends.reshape(-1, 2), indices=np.repeat(np.arange(part.size), 2)
                )
                near = tree.query(seg, predicate="dwithin", distance=CLEARANCE_DEG)[0]
                keep[part[near]] = False
        if keep.sum() >= n:
            break
        factor *= 1.25
    # drop the northernmost (most upstream) extra reaches: whatever drains into a dropped
    # reach lies further north and is dropped too, so every tree stays whole below the cut
    order = np.lexsort((np.arange(keep.size), lat["row"]))
    chosen = order[keep[order]][-n:]
    chosen.sort()
    pos = np.full(keep.size, -1, dtype=np.int64)
    pos[chosen] = np.arange(n)
    d = lat["down"][chosen]
    down = np.where(pos[d] >= 0, pos[d], -1)  # into a dropped reach (or the last row): outlet
    end = lat["down"][chosen]
    return {
        "x0": lat["lon"][chosen],
        "y0": lat["lat"][chosen],
        "x1": lat["lon"][end],
        "y1": lat["lat"][end],
        "down": down,
    }


def _levels(next_down: np.ndarray) -> list[np.ndarray]:
    from geo.network import RiverNetwork

    return RiverNetwork(np.arange(next_down.size), next_down, np.zeros(next_down.size)).levels


def attributes(
    next_down: np.ndarray, length_km: np.ndarray, catch_skm: np.ndarray, seed: int
) -> pd.DataFrame:
    """HydroRIVERS' attribute columns from the topology (positions) and reach lengths."""
    rng = np.random.default_rng(seed + 1)
    n = next_down.size
    levels = _levels(next_down)
    has = next_down >= 0
    ids = ID_BASE + np.arange(n, dtype=np.int64)
    upland = catch_skm.copy()
    dist_up = length_km.copy()
    best = np.zeros(n)
    strahler = np.ones(n, dtype=np.int64)
    smax = np.zeros(n, dtype=np.int64)
    scount = np.zeros(n, dtype=np.int64)
    for lvl in reversed(levels):
        top = smax[lvl]
        strahler[lvl] = np.where(scount[lvl] >= 2, top + 1, np.maximum(top, 1))
        dist_up[lvl] = length_km[lvl] + best[lvl]
        lvl = lvl[has[lvl]]
        parent = next_down[lvl]
        np.add.at(upland, parent, upland[lvl])
        np.maximum.at(best, parent, dist_up[lvl])
        np.maximum.at(smax, parent, strahler[lvl])
        tie = strahler[lvl] == smax[parent]
        np.add.at(scount, parent[tie], 1)
    # mainstem upstream of each reach: the child with the largest upstream area
    child = np.flatnonzero(has)
    order = np.lexsort((upland[child], next_down[child]))
    child = child[order]
    last = np.r_[next_down[child][1:] != next_down[child][:-1], True]
    main_child = np.zeros(n, dtype=bool)
    main_child[child[last]] = True
    dist_dn = np.zeros(n)
    main_riv = ids.copy()
    ord_clas = np.ones(n, dtype=np.int64)
    for lvl in levels[1:]:
        parent = next_down[lvl]
        dist_dn[lvl] = dist_dn[parent] + length_km[parent]
        main_riv[lvl] = main_riv[parent]
        ord_clas[lvl] = ord_clas[parent] + np.where(main_child[lvl], 0, 1)
    discharge = upland * rng.uniform(0.002, 0.008, n)  # m³/s from 2–8 L/s per km²
    ord_flow = np.clip(6 - np.floor(np.log10(np.maximum(discharge, 1e-9))), 1, 10)
    return pd.DataFrame(
        {
            "HYRIV_ID": ids,
            "NEXT_DOWN": np.where(has, ids[np.maximum(next_down, 0)], 0),
            "MAIN_RIV": main_riv,
            "LENGTH_KM": length_km,
            "DIST_DN_KM": np.round(dist_dn, 1),
            "DIST_UP_KM": np.round(dist_up, 1),
            "CATCH_SKM": np.round(catch_skm, 2),
            "UPLAND_SKM": np.round(upland, 1),
            "ENDORHEIC": np.zeros(n, dtype=np.int16),
            "DIS_AV_CMS": np.round(discharge, 3),
            "ORD_STRA": strahler.astype(np.int16),
            "ORD_CLAS": ord_clas.astype(np.int16),
            "ORD_FLOW": ord_flow.astype(np.int16),
            "HYBAS_L12": (4_120_000_000 + main_riv % 1_000_000).astype(np.int64),
        }
    )


def make(n: int, seed: int = 16, *, embed: bool = True) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """An ``n``-reach continent: the table (HydroRIVERS columns), the synthetic reaches' end
    points (``x0``, ``y0``, ``x1``, ``y1``, degrees) and the embedded lines (EPSG:4326), which
    come first. Synthetic lines are made chunk by chunk (:func:`synthetic_lines`)."""
    if embed:
        net, real = embedded_network()
        real_down = net.next_down
        real_len = net.length_m / 1000.0
    else:
        real, real_down, real_len = np.empty(0, object), np.empty(0, np.int64), np.empty(0)
    syn = _synthetic(n - len(real), real, seed)
    syn_len = np.empty(syn["x0"].size)
    for k, part in _chunks(syn_len.size):
        syn_len[part] = haversine_m(_coords(syn, part, seed + k))
    syn_len = np.round(syn_len / 1000.0, 2)
    cell_km2 = 2 * (SPACING_DEG * 111.195) ** 2 * np.cos(np.radians(syn["y0"]))
    rng = np.random.default_rng(seed + 2)
    catch = cell_km2 * rng.uniform(0.6, 1.4, syn_len.size)
    next_down = np.concatenate([real_down, np.where(syn["down"] >= 0, syn["down"] + len(real), -1)])
    length_km = np.concatenate([real_len, syn_len])
    table = attributes(next_down, length_km, np.concatenate([np.zeros(len(real)), catch]), seed)
    if len(real):
        hack = (net.longest_upstream_m / 1000.0 / 1.4) ** (1 / 0.6)
        table.loc[: len(real) - 1, "UPLAND_SKM"] = np.round(hack, 3)
    return table, syn, real


def _coords(syn: dict, part: slice, seed: int) -> np.ndarray:
    return reach_coords(syn["x0"][part], syn["y0"][part], syn["x1"][part], syn["y1"][part], seed)


def synthetic_lines(syn: dict, seed: int):
    """``(slice, lines)`` of the synthetic reaches, chunk by chunk (EPSG:4326)."""
    for k, part in _chunks(syn["x0"].size):
        coords = _coords(syn, part, seed + k).reshape(-1, 2)
        ids = np.repeat(np.arange(part.stop - part.start), VERTICES)
        yield part, shapely.linestrings(coords, indices=ids)


def write(path: Path, n: int, seed: int = 16, *, embed: bool = True) -> Path:
    """Write an ``n``-reach continent to a GeoPackage (layer ``rivers``), chunk by chunk."""
    import geopandas as gpd
    import pyogrio

    table, syn, real = make(n, seed, embed=embed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.part{path.suffix}")
    tmp.unlink(missing_ok=True)

    def parts():
        if len(real):
            yield slice(0, len(real)), real
        for part, lines in synthetic_lines(syn, seed):
            yield slice(part.start + len(real), part.stop + len(real)), lines

    for k, (rows, lines) in enumerate(parts()):
        frame = gpd.GeoDataFrame(table.iloc[rows], geometry=lines, crs=4326)
        pyogrio.write_dataframe(
            frame, tmp, layer="rivers", driver="GPKG", append=k > 0, promote_to_multi=False
        )
    tmp.rename(path)
    return path


def ensure(n: int, seed: int = 16) -> Path:
    """The cached continent of ``n`` reaches (written on first use into :data:`DATA_DIR`)."""
    path = DATA_DIR / f"hydrorivers_{n}.gpkg"
    if not path.exists():
        t0 = time.perf_counter()
        print(f"    writing {path} ({n:,} reaches)…", flush=True)
        write(path, n, seed)
        print(f"    written in {time.perf_counter() - t0:.0f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reaches", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-embed", action="store_true", help="leave the real rivers out")
    args = parser.parse_args(argv)
    out = args.out or DATA_DIR / f"hydrorivers_{args.reaches}.gpkg"
    t0 = time.perf_counter()
    write(out, args.reaches, args.seed, embed=not args.no_embed)
    print(f"{out}: {args.reaches:,} reaches in {time.perf_counter() - t0:.0f} s")
    return out


if __name__ == "__main__":
    main()
