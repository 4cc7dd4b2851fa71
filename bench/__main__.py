"""Run every benchmark and print its ratios against the named peer: ``python -m bench``.

- bench_network: ``rivermap trace`` on synthetic HydroRIVERS continents of 10⁴–10⁶ reaches vs
  the pyogrio read floor, networkx and csgraph (cold processes), and the 8.5 × 10⁶-reach world
  (peak memory)
- bench_io: ``rivermap --help`` and the default build as cold processes vs the I/O floor;
  GeoPackage writer vs to_file of the same tables
- bench_maps: our overview HTML vs GeoDataFrame.explore() of the same simplified layers
  (bytes, first and largest contentful paint)
- bench_dem: profile and basin statistics on a 20,000 x 20,000 GeoTIFF (peak memory vs size)
- bench_service: the service vs pygeoapi 0.21 (requests/s, p50/p95 at 1, 10, 50 clients; soak)
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ("bench_network", "bench_io", "bench_maps", "bench_dem", "bench_service")
#: what ``make bench`` runs each with
ARGS = {"bench_network": ["--world"]}


def main() -> int:
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        print(f"=== {name}", flush=True)
        t0 = time.perf_counter()
        importlib.import_module(f"bench.{name}").main(ARGS.get(name, []))
        print(f"    ({time.perf_counter() - t0:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
