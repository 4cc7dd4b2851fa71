"""The whole default build vs its I/O floor, and the GeoPackage writer vs a plain ``to_file``.

- build: ``rivermap build`` (read, trace, join, elevation, maps, GeoPackage) through the API,
  against reading the same vector/table inputs and writing them to one GeoPackage with pyogrio
  alone — the least any tool must do with these files;
- GeoPackage: :func:`layers.gpkg.write_geopackage` (layers + styles + metadata + validation +
  atomic rename) against ``GeoDataFrame.to_file`` of the same layers into one file.

Each is timed several times in this run and the median is reported. Run:
``python -m bench.bench_io``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyogrio

from layers.sources import default_sources
from rivermap import api


def _median_time(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def io_floor(out: Path) -> None:
    """Read every vector and table input of the default build; write the vectors with pyogrio."""
    sources = default_sources()
    target = out / "floor.gpkg"
    target.unlink(missing_ok=True)
    for role, path in sources.paths.items():
        if path.suffix in {".geojson", ".gpkg"}:
            df = pyogrio.read_dataframe(path)
            pyogrio.write_dataframe(df, target, layer=role)
        elif path.suffix == ".csv":
            pd.read_csv(path)


def full_build(out: Path) -> None:
    atlas = api.load()
    api.write_maps(atlas, out)
    api.export(atlas, out / "rivermap.gpkg")


def run(repeat: int = 3) -> dict[str, float]:
    from layers.gpkg import write_geopackage

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t_build = _median_time(lambda: full_build(out), repeat)
        t_floor = _median_time(lambda: io_floor(out), repeat)
        atlas = api.load()

        def plain() -> None:
            target = out / "plain.gpkg"
            target.unlink(missing_ok=True)
            for name, layer in atlas.layers.items():
                if layer.spatial:
                    layer.frame.to_file(target, layer=name, engine="pyogrio")

        t_gpkg = _median_time(lambda: write_geopackage(atlas, out / "ours.gpkg"), repeat)
        t_plain = _median_time(plain, repeat)
        sizes = {p: (out / p).stat().st_size for p in ("ours.gpkg", "plain.gpkg")}
    return {
        "build_s": t_build,
        "floor_s": t_floor,
        "gpkg_s": t_gpkg,
        "plain_s": t_plain,
        "gpkg_bytes": sizes["ours.gpkg"],
        "plain_bytes": sizes["plain.gpkg"],
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    r = run(parser.parse_args(argv).repeat)
    print("default build vs its I/O floor (pyogrio read + write of the same inputs)")
    print(
        f"  rivermap build: {r['build_s']:.2f} s   I/O floor: {r['floor_s']:.2f} s   "
        f"ratio build / floor: {r['build_s'] / r['floor_s']:.1f}x"
    )
    print("GeoPackage writer (styles, metadata, validation, atomic) vs plain to_file")
    print(
        f"  write_geopackage: {r['gpkg_s']:.2f} s ({r['gpkg_bytes'] / 1e6:.1f} MB)   "
        f"to_file: {r['plain_s']:.2f} s ({r['plain_bytes'] / 1e6:.1f} MB)   "
        f"ratio: {r['gpkg_s'] / r['plain_s']:.2f}x"
    )
    return r


if __name__ == "__main__":
    main()
