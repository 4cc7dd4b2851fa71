"""Peak memory of the river profile, basin statistics and hillshade on a large DEM.

Writes a synthetic 20,000 × 20,000 int16 GeoTIFF (EPSG:4326, 0.00025° ≈ 28 × 20 m cells over
75–80 E, 42–47 N; tiled 512, deflate) to a temporary folder, then, in a fresh child process,
runs on it what the product runs on an analyst's DEM:

- a river profile every 100 m along a 900 km meandering course (:func:`geo.profile.river_profile`);
- basin statistics of a 460 km wide basin split between two "countries"
  (:func:`geo.zonal.zonal_elevation`), which reads every cell under the basin;
- the display hillshade over the whole raster (:func:`geo.terrain.display_hillshade`).

The child reports its resident memory before the work and at its peak (VmHWM of
/proc/self/status, which counts numpy, GDAL's block cache and everything else), and the ratio of that peak to the
raster's uncompressed size (rows × cols × 2 bytes = 800 MB = 763 MiB). The profile is checked against
the terrain formula and the statistics against the formula's exact mean.

Run: ``python -m bench.bench_dem`` (about a minute to write, a minute to run);
``--size 5000`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WEST, SOUTH, EAST, NORTH = 75.0, 42.0, 80.0, 47.0


def terrain(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Synthetic elevation (m): a plain rising to the south-east with long ridges."""
    return (
        400.0
        + 250.0 * (lon - WEST)
        + 300.0 * (NORTH - lat)
        + 350.0 * np.sin(3.0 * lon) * np.cos(4.0 * lat)
    )


def write_dem(path: Path, size: int) -> None:
    """Write the synthetic DEM strip by strip (memory: one 512-row strip)."""
    import rasterio
    from rasterio.transform import from_bounds
    from rasterio.windows import Window

    res = (EAST - WEST) / size
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "int16",
        "crs": "EPSG:4326",
        "transform": from_bounds(WEST, SOUTH, EAST, NORTH, size, size),
        "nodata": -32768,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "predictor": 2,
        "zlevel": 1,
        "num_threads": "all_cpus",
        "BIGTIFF": "IF_SAFER",
    }
    lon = WEST + res * (np.arange(size) + 0.5)
    with rasterio.Env(GDAL_CACHEMAX=64), rasterio.open(path, "w", **profile) as dst:
        for row in range(0, size, 512):
            rows = min(512, size - row)
            lat = NORTH - res * (row + np.arange(rows) + 0.5)
            z = terrain(lon[None, :], lat[:, None])
            dst.write(np.round(z).astype(np.int16), 1, window=Window(0, row, size, rows))


def _status_mb(key: str) -> float | None:
    """A memory line of /proc/self/status (Linux) in MiB, or None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """Current resident memory (MiB)."""
    return _status_mb("VmRSS") or peak_mb()


def peak_mb() -> float:
    """Peak resident memory (MiB) of this process image.

    /proc's VmHWM belongs to this program only; ``ru_maxrss`` (the fallback) is inherited
    across fork + exec and so may report the parent's peak.
    """
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> dict:
    """Run profile, statistics and hillshade on ``path``; memory and timings (child process)."""
    import geopandas as gpd
    import shapely

    from geo.course import Course
    from geo.measure import cumulative_m
    from geo.profile import river_profile
    from geo.raster import ElevationSource
    from geo.terrain import display_hillshade
    from geo.zonal import zonal_elevation

    base = rss_mb()
    out: dict = {"baseline_mb": base}
    source = ElevationSource.from_paths([path])

    t = np.linspace(0.0, 1.0, 4000)
    lon = WEST + 0.3 + 4.4 * t + 0.15 * np.sin(40 * t)
    lat = NORTH - 0.3 - 4.4 * t + 0.15 * np.cos(33 * t)
    coords = np.column_stack([lon, lat])
    course = Course(np.array([0]), shapely.LineString(coords), cumulative_m(coords), np.zeros(1), 0)
    t0 = time.perf_counter()
    prof = river_profile(course, source, spacing_km=0.1)
    out["profile_s"] = time.perf_counter() - t0
    out["profile_points"] = len(prof)
    # the DEM holds whole metres: the profile is the formula within rounding and curvature
    out["profile_max_error_m"] = float(
        np.abs(prof["elevation_m"] - terrain(prof["lon"], prof["lat"])).max()
    )
    out["after_profile_peak_mb"] = peak_mb()

    zones = gpd.GeoDataFrame({"basin": ["synthetic"]}, geometry=[basin_polygon()], crs=4326)
    parts = gpd.GeoDataFrame(
        {"ADM0_A3": ["AAA", "BBB"]},
        geometry=[shapely.box(WEST, SOUTH, 77.5, NORTH), shapely.box(77.5, SOUTH, EAST, NORTH)],
        crs=4326,
    )
    t0 = time.perf_counter()
    stats = zonal_elevation(source, zones, "basin", parts=parts)
    out["statistics_s"] = time.perf_counter() - t0
    out["statistics"] = stats[["country", "area_km2", "mean_m", "min_m", "max_m"]].to_dict(
        orient="records"
    )
    out["after_statistics_peak_mb"] = peak_mb()

    t0 = time.perf_counter()
    array, _, _ = display_hillshade(source, (WEST, SOUTH, EAST, NORTH), max_pixels=1_000_000)
    out["hillshade_s"] = time.perf_counter() - t0
    out["hillshade_shape"] = list(array.shape)
    out["peak_mb"] = peak_mb()
    return out


def basin_polygon():
    """The synthetic basin: a 2.1° disc (lon/lat degrees, EPSG:4326) in the raster's middle."""
    import shapely

    return shapely.Point(77.5, 44.5).buffer(2.1, quad_segs=64)


def formula_mean() -> float:
    """Area-weighted mean of :func:`terrain` over the basin on a 0.005° grid (reference)."""
    import shapely
    from affine import Affine

    from geo.zonal import row_cell_areas_km2

    res = 0.005
    lon = WEST + res * (np.arange(int((EAST - WEST) / res)) + 0.5)
    lat = NORTH - res * (np.arange(int((NORTH - SOUTH) / res)) + 0.5)
    inside = shapely.contains_xy(basin_polygon(), lon[None, :], lat[:, None])
    area = row_cell_areas_km2(Affine(res, 0, WEST, 0, -res, NORTH), lat.size)[:, None] * inside
    return float((terrain(lon[None, :], lat[:, None]) * area).sum() / area.sum())


def run(size: int, folder: Path) -> dict:
    """Write the DEM into ``folder`` and measure in a child process."""
    path = folder / f"synthetic_{size}.tif"
    t0 = time.perf_counter()
    write_dem(path, size)
    write_s = time.perf_counter() - t0
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_dem", "--measure", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(
        size=size,
        write_s=write_s,
        file_mb=path.stat().st_size / 2**20,
        uncompressed_mb=size * size * 2 / 2**20,
        formula_mean_m=formula_mean(),
    )
    return result


def report(r: dict) -> None:
    unc = r["uncompressed_mb"]
    print(f"synthetic DEM {r['size']:,} × {r['size']:,} int16, EPSG:4326, tiled 512, deflate")
    print(
        f"  uncompressed {unc:,.0f} MiB ({unc * 2**20 / 1e6:,.0f} MB), on disk "
        f"{r['file_mb']:,.0f} MiB, written in {r['write_s']:.0f} s"
    )
    print(
        f"  profile      {r['profile_points']:,} points every 100 m in {r['profile_s']:.1f} s; "
        f"max error vs the formula {r['profile_max_error_m']:.2f} m"
    )
    print(f"  statistics   one basin, two parts, in {r['statistics_s']:.1f} s")
    for row in r["statistics"]:
        print(
            f"    {row['country']:>5}  {row['area_km2']:>10,.0f} km²  mean {row['mean_m']:7.1f} m  "
            f"min {row['min_m']:.0f}  max {row['max_m']:.0f}"
        )
    print(f"    formula mean over the basin (0.005° reference grid): {r['formula_mean_m']:.1f} m")
    print(f"  hillshade    {r['hillshade_shape']} in {r['hillshade_s']:.1f} s")
    print(
        f"  memory (RSS) baseline after imports {r['baseline_mb']:.0f} MiB; peak after profile "
        f"{r['after_profile_peak_mb']:.0f}, after statistics {r['after_statistics_peak_mb']:.0f}, "
        f"overall {r['peak_mb']:.0f} MiB"
    )
    work = r["peak_mb"] - r["baseline_mb"]
    print(
        f"  peak / uncompressed size: {r['peak_mb'] / unc:.3f} "
        f"(work above baseline: {work:.0f} MiB = {work / unc:.3f} of the raster)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000, help="rows = cols of the DEM")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the DEM (temp)")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        report(run(args.size, args.dir))
        return
    with tempfile.TemporaryDirectory(prefix="bench_dem_") as tmp:
        report(run(args.size, Path(tmp)))


if __name__ == "__main__":
    main()
