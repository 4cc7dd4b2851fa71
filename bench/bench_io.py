"""Start-up, the whole default build as a cold CLI process vs its I/O floor, and the GeoPackage
writer vs ``to_file`` of the same tables.

- ``rivermap --help``: a cold process, what a user waits for before anything happens;
- build: ``rivermap --quiet build --out DIR`` as a cold process (read, trace, join, elevation,
  4 languages × 4 HTML maps, the GeoPackage), and the same with ``--lang en`` (4 maps) to
  tell what a page costs, against a cold process that reads every embedded input
  (vectors with pyogrio, tables with pandas, rasters with rasterio) and writes the vectors into
  one GeoPackage with pyogrio — the least any tool must do with these files;
- GeoPackage: :func:`layers.gpkg.write_geopackage` (prepare, write, styles, metadata,
  validation, atomic rename) against writing the same prepared tables (every one of them,
  spatial layers and attribute tables) with ``GeoDataFrame.to_file`` / ``pyogrio``, in one
  process, after one untimed run of each.

CPU is user + system time of the whole process (``wait4``), peak memory its resident set; each
command runs once untimed first, then ``--repeat`` times in turn; medians. Run:
``python -m bench.bench_io``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_network import RIVERMAP, measure

IO_FLOOR = """
import sys
from pathlib import Path
import pandas as pd
import pyogrio
import rasterio
from layers.sources import default_sources
target = Path(sys.argv[1]) / "floor.gpkg"
target.unlink(missing_ok=True)
for role, path in default_sources().paths.items():
    if path.suffix in {".geojson", ".gpkg"}:
        pyogrio.write_dataframe(pyogrio.read_dataframe(path), target, layer=role)
    elif path.suffix == ".csv":
        pd.read_csv(path)
    elif path.suffix == ".tif":
        with rasterio.open(path) as src:
            src.read()
"""


#: pages per language (overview + one per river) and languages of the default build
PAGES, LANGS = 4, 4


def gpkg_writers(repeat: int) -> dict[str, float]:
    """Median seconds of our writer and of plain writes of the same prepared tables."""
    import geopandas as gpd
    import pyogrio

    from layers.gpkg import write_geopackage
    from layers.gpkg_tables import prepare_table
    from rivermap import api

    atlas = api.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        from pyproj import CRS

        tables = [prepare_table(layer, CRS.from_epsg(4326)) for layer in atlas.layers.values()]

        def ours() -> None:
            write_geopackage(atlas, out / "ours.gpkg")

        def plain() -> None:
            target = out / "plain.gpkg"
            target.unlink(missing_ok=True)
            for t in tables:
                if isinstance(t.frame, gpd.GeoDataFrame):
                    t.frame.to_file(target, layer=t.name, engine="pyogrio")
                else:
                    pyogrio.write_dataframe(t.frame, target, layer=t.name, driver="GPKG")

        times: dict[str, list[float]] = {"ours": [], "plain": []}
        for func in (ours, plain):
            func()
        for _ in range(repeat):
            for name, func in (("ours", ours), ("plain", plain)):
                t0 = time.perf_counter()
                func()
                times[name].append(time.perf_counter() - t0)
        sizes = {p: (out / f"{p}.gpkg").stat().st_size for p in ("ours", "plain")}
        return {
            "tables": len(tables),
            "ours_s": statistics.median(times["ours"]),
            "plain_s": statistics.median(times["plain"]),
            "ours_bytes": sizes["ours"],
            "plain_bytes": sizes["plain"],
        }


def run(repeat: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {
            "rivermap --help": [RIVERMAP, "--help"],
            "rivermap build": [RIVERMAP, "--quiet", "build", "--out", f"{tmp}/out"],
            "build --lang en": [
                RIVERMAP,
                "--quiet",
                "build",
                "--lang",
                "en",
                "--out",
                f"{tmp}/en",
            ],
            "I/O floor": [sys.executable, "-c", IO_FLOOR, tmp],
        }
        r = measure(cmds, repeat)
    r["gpkg"] = gpkg_writers(repeat)
    return r


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    r = run(parser.parse_args(argv).repeat)
    print("cold processes (medians): CPU s, peak MB, wall s")
    for name in ("rivermap --help", "rivermap build", "build --lang en", "I/O floor"):
        m = r[name]
        print(f"  {name:<18}{m['cpu_s']:>7.2f}{m['peak_mb']:>8.0f}{m['wall_s']:>8.2f}")
    b, en, f = r["rivermap build"], r["build --lang en"], r["I/O floor"]
    page = (b["cpu_s"] - en["cpu_s"]) / (PAGES * (LANGS - 1))
    print(
        f"  build / I/O floor: CPU {b['cpu_s'] / f['cpu_s']:.1f}x, wall {b['wall_s'] / f['wall_s']:.1f}x"
        f"   (goals: build < 2.5 s CPU, --help < 0.2 s)"
    )
    print(
        f"  the build's {PAGES * LANGS} pages: {page:.2f} s CPU a page beyond the first language's "
        f"({PAGES * (LANGS - 1)} more pages: {b['cpu_s'] - en['cpu_s']:.2f} s); the rest "
        f"(start, read, trace, join, terrain, {PAGES} English pages, GeoPackage): "
        f"{en['cpu_s']:.2f} s"
    )
    g = r["gpkg"]
    print(f"GeoPackage writer vs to_file of the same {g['tables']} prepared tables (in process)")
    print(
        f"  write_geopackage {g['ours_s']:.2f} s ({g['ours_bytes'] / 1e6:.1f} MB)   "
        f"to_file {g['plain_s']:.2f} s ({g['plain_bytes'] / 1e6:.1f} MB)   "
        f"ratio {g['ours_s'] / g['plain_s']:.2f}x"
    )
    return r


if __name__ == "__main__":
    main()
