"""Tracing from a HydroRIVERS-style GeoPackage, end to end in cold processes: ours vs peers.

Inputs: the synthetic continents of :mod:`bench.synth` (10⁴, 10⁵, 10⁶ reaches of 10 vertices,
HydroRIVERS' 14 columns, the embedded rivers inside; written once into ``bench/data``).
Every measurement is a fresh process started from the shell, as a user would run it; CPU is
user + system time and memory the peak resident set (``wait4``), both of the whole process
(interpreter start and imports included). Each command runs once untimed first (the file in
the page cache for all alike), then the commands take turns ``--repeat`` times; medians.

- **ours**: ``rivermap --quiet trace --format json --data rivers=FILE`` — the five register
  rivers snapped, traced, measured per country, crossings, lakes;
- **read floor**: ``pyogrio.read_dataframe(FILE)`` — what reading the file plainly costs
  (the goal: ours at most half its CPU and half its peak memory at 10⁶);
- **networkx**: the topology columns read with pyogrio (Arrow, no geometry), a
  ``networkx.DiGraph`` built and every reach upstream of the Ili's mouth reach found
  (``nx.ancestors``), then its mainstem by upstream area — the graph part only, no geometry;
- **csgraph**: the same columns, a ``scipy.sparse`` matrix and
  ``csgraph.breadth_first_order`` upstream of the same reach: the floor for the graph part.

``--world`` adds the 8.5 × 10⁶-reach continent (HydroRIVERS' whole world; about 3.3 GB, a
few minutes to write once): ours only, peak memory (goal under 4 GB).

Run: ``python -m bench.bench_network [--sizes 10000 100000 1000000] [--repeat 3] [--world]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from bench import synth

SIZES = (10_000, 100_000, 1_000_000)
WORLD = 8_500_000
RIVERMAP = str(Path(sys.executable).with_name("rivermap"))

READ_FLOOR = "import sys, pyogrio; pyogrio.read_dataframe(sys.argv[1])"

_TOPOLOGY = """
import sys
import numpy as np
import pyogrio.raw
_, t = pyogrio.raw.read_arrow(sys.argv[1], columns=["HYRIV_ID", "NEXT_DOWN", "UPLAND_SKM"],
                              read_geometry=False)
ids, nxt, area = (np.asarray(t.column(c)) for c in ("HYRIV_ID", "NEXT_DOWN", "UPLAND_SKM"))
start = int(sys.argv[2])
"""

NETWORKX = (
    _TOPOLOGY
    + """
import networkx as nx
g = nx.DiGraph()
g.add_edges_from(zip(ids[nxt > 0].tolist(), nxt[nxt > 0].tolist()))
up = nx.ancestors(g, start)
key = dict(zip(ids.tolist(), area.tolist()))
path, node = [start], start
while g.in_degree(node):
    node = max(g.predecessors(node), key=key.__getitem__)
    path.append(node)
print(len(up) + 1, len(path))
"""
)

CSGRAPH = (
    _TOPOLOGY
    + """
from scipy import sparse
from scipy.sparse import csgraph
order = np.argsort(ids)
has = nxt > 0
child = np.flatnonzero(has)
parent = order[np.searchsorted(ids, nxt[has], sorter=order)]
n = ids.size
up = sparse.csr_matrix((np.ones(child.size, np.int8), (parent, child)), shape=(n, n))
reached = csgraph.breadth_first_order(up, int(order[np.searchsorted(ids, start, sorter=order)]),
                                      return_predecessors=False)
print(reached.size)
"""
)


#: a small process that starts the measured one and reports its usage: a process forked from
#: this (large) one would count this one's memory in its peak (Linux records the pre-exec image)
LAUNCHER = """
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime, ru.ru_maxrss,
      time.perf_counter() - t0)
"""


def run_cold(cmd: list[str]) -> tuple[float, float, float]:
    """Run a command in a fresh process: ``(cpu_s, peak_rss_mb, wall_s)``; fails loudly.

    CPU is user + system time, the peak the resident set high-water mark (``wait4``) of that
    process alone, started from a small launcher (``python -S``).
    """
    proc = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *cmd], capture_output=True, text=True, timeout=3600
    )
    code, cpu, rss_kb, wall = proc.stdout.split()
    if int(code) != 0 or proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return float(cpu), float(rss_kb) / 1024.0, float(wall)


def ili_mouth_reach(path: Path) -> int:
    """HYRIV_ID of the reach the register's Ili mouth snaps to in ``path`` (the peers' start)."""
    from geo.course import trace_course
    from geo.network_build import read_network
    from layers.register import load_register

    net, _ = read_network(str(path), whole_read_limit=1)
    ili = load_register().select(["ili"])[0]
    course = trace_course(net, ili.mouth, max_snap_m=5_000.0)
    return int(net.ids[course.reaches[-1]])


def commands(path: Path, start: int) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "ours": [
            RIVERMAP,
            "--quiet",
            "trace",
            "--format",
            "json",
            "--data",
            f"rivers={path}",
        ],
        "read floor": [py, "-c", READ_FLOOR, str(path)],
        "networkx": [py, "-c", NETWORKX, str(path), str(start)],
        "csgraph": [py, "-c", CSGRAPH, str(path), str(start)],
    }


def measure(cmds: dict[str, list[str]], repeat: int) -> dict[str, dict[str, float]]:
    """Median CPU, peak memory and wall time of each command (one untimed warm-up each)."""
    for cmd in cmds.values():
        run_cold(cmd)
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name].append(run_cold(cmd))
    return {
        name: {
            "cpu_s": statistics.median(r[0] for r in rs),
            "peak_mb": statistics.median(r[1] for r in rs),
            "wall_s": statistics.median(r[2] for r in rs),
        }
        for name, rs in runs.items()
    }


def report(n: int, r: dict[str, dict[str, float]]) -> None:
    ours = r["ours"]
    print(f"{n:>11,} reaches   CPU s   peak MB   wall s   ours/peer CPU   ours/peer memory")
    for name, m in r.items():
        ratio = "" if name == "ours" else f"{ours['cpu_s'] / m['cpu_s']:>13.2f}"
        mem = "" if name == "ours" else f"{ours['peak_mb'] / m['peak_mb']:>17.2f}"
        print(
            f"  {name:<18}{m['cpu_s']:>7.2f}{m['peak_mb']:>10.0f}{m['wall_s']:>9.2f}  {ratio}  {mem}"
        )


def run(sizes=SIZES, repeat: int = 3, world: bool = False) -> dict:
    out = {}
    for n in sizes:
        path = synth.ensure(n)
        r = measure(commands(path, ili_mouth_reach(path)), repeat)
        report(n, r)
        out[n] = r
    if 1_000_000 in out:
        ours, floor = out[1_000_000]["ours"], out[1_000_000]["read floor"]
        print(
            f"  goal at 10^6: CPU ours/read floor {ours['cpu_s'] / floor['cpu_s']:.2f} (<= 0.5), "
            f"peak memory {ours['peak_mb'] / floor['peak_mb']:.2f} (<= 0.5)"
        )
    if world:
        path = synth.ensure(WORLD)
        cmd = commands(path, 0)["ours"]
        run_cold(cmd)
        peaks = [run_cold(cmd) for _ in range(max(1, repeat // 2))]
        peak = statistics.median(p[1] for p in peaks)
        cpu = statistics.median(p[0] for p in peaks)
        print(
            f"{WORLD:>11,} reaches (the world): ours peak {peak:,.0f} MB "
            f"({peak / 1024:.2f} GB, goal < 4 GB), CPU {cpu:.1f} s"
        )
        out[WORLD] = {"ours": {"cpu_s": cpu, "peak_mb": peak}}
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--world", action="store_true", help="add the 8.5M-reach memory case")
    args = parser.parse_args(argv)
    print(
        "rivermap trace end to end from a GeoPackage vs the read floor, networkx and csgraph "
        "(cold processes, medians)"
    )
    return run(args.sizes, args.repeat, args.world)


if __name__ == "__main__":
    main()
