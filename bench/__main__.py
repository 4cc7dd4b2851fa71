"""Run every benchmark and print its ratios against the named peer: ``python -m bench``.

- bench_network: tracing a 1,000,000-reach HydroRIVERS-style network vs networkx
- bench_io: the default build vs its pyogrio I/O floor; GeoPackage writer vs plain to_file
- bench_maps: our overview HTML vs GeoDataFrame.explore() (bytes, time to interactive)
- bench_dem: profile and basin statistics on a 20,000 x 20,000 GeoTIFF (peak memory vs size)
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ("bench_network", "bench_io", "bench_maps", "bench_dem")


def main() -> int:
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        print(f"=== {name}", flush=True)
        t0 = time.perf_counter()
        importlib.import_module(f"bench.{name}").main([])
        print(f"    ({time.perf_counter() - t0:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
