"""Network tracing on a synthetic 1,000,000-reach HydroRIVERS-style network: ours vs networkx.

Prints the times of both in the same run and their ratio. Run: ``python -m bench.bench_network``.
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from geo.network import from_hydrorivers, mainstem, trace
from tests.common import random_tree


def _timed(func, *args):
    t0 = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - t0


def run(n: int = 1_000_000, seed: int = 1) -> dict[str, float]:
    """Build the network and trace upstream from the outlet, with rivermap and with networkx."""
    table = random_tree(n, seed=seed, branching=0.99)  # ~2,000 levels, like a large basin
    net, t_build = _timed(from_hydrorivers, table)
    up, t_up = _timed(trace, net, 0, "up")
    _, t_main = _timed(lambda: (net.longest_upstream_m, mainstem(net, 0)))
    down, t_down = _timed(
        trace, net, int(np.argmax(net.longest_upstream_m == net.length_m)), "down"
    )

    def nx_build():
        g = nx.DiGraph()
        g.add_edges_from(
            zip(table.HYRIV_ID.to_numpy()[1:], table.NEXT_DOWN.to_numpy()[1:], strict=True)
        )
        return g

    g, t_nx_build = _timed(nx_build)
    anc, t_nx_up = _timed(nx.ancestors, g, 1)
    assert len(anc) + 1 == len(up) == n, "both must find every reach upstream of the outlet"
    return {
        "reaches": n,
        "build_s": t_build,
        "trace_up_s": t_up,
        "mainstem_s": t_main,
        "trace_down_s": t_down,
        "nx_build_s": t_nx_build,
        "nx_trace_up_s": t_nx_up,
        "levels": len(net.levels),
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reaches", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    r = run(args.reaches)
    ours = r["build_s"] + r["trace_up_s"]
    theirs = r["nx_build_s"] + r["nx_trace_up_s"]
    print(f"network tracing, {r['reaches']:,} reaches ({r['levels']:,} levels from the outlet)")
    print(
        f"  rivermap: build {r['build_s']:.2f} s, trace upstream {r['trace_up_s']:.2f} s, "
        f"mainstem {r['mainstem_s']:.2f} s, trace downstream {r['trace_down_s']:.3f} s"
    )
    print(f"  networkx: build {r['nx_build_s']:.2f} s, ancestors {r['nx_trace_up_s']:.2f} s")
    print(f"  ratio networkx / rivermap (build + trace upstream): {theirs / ours:.1f}x")
    print(
        f"  ratio networkx / rivermap (trace upstream only):    {r['nx_trace_up_s'] / r['trace_up_s']:.1f}x"
    )
    return r


if __name__ == "__main__":
    main()
