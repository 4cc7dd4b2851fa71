"""The service against pygeoapi 0.21 serving the same features on the same machine.

Both run as real processes on 127.0.0.1 with one worker each under uvicorn: ``rivermap
serve`` over the embedded data, and pygeoapi's Starlette app with its GeoJSON provider over
the very features our service returns (written to one GeoJSON file per collection; its
GeoPackage providers need SQLite extension loading or GDAL's Python bindings, which this
Python lacks). For each scenario and 1, 10 and 50 concurrent keep-alive clients it prints
requests/s, p50/p95 latency, errors and the ratio to pygeoapi; then a bounded soak (50
clients, a few thousand mixed requests, twice) with the server's memory after each round.
pygeoapi has no maps or GeoPackages on demand: those rows have no peer.

Run: ``python -m bench.bench_service [--seconds 3] [--soak 3000]`` (``make bench`` runs all).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.loadgen import Result, run
from service.catalog import ORDER as LAYERS
from service.crs import SUPPORTED

UTM = "http://www.opengis.net/def/crs/EPSG/0/32644"
SCENARIOS = (
    ("items page", "/collections/rivers/items?limit=10&f=json", True),
    (
        "reprojected items (crs=EPSG:32644)",
        f"/collections/rivers/items?limit=10&f=json&crs={UTM}",
        True,
    ),
    ("cached map (overview, gzip)", "/maps/overview.html", False),
    ("cached export (GeoPackage, ili)", "/exports/rivermap.gpkg?rivers=ili", False),
)
CLIENTS = (1, 10, 50)
GOALS = {"items page": 3.0, "reprojected items (crs=EPSG:32644)": 10.0}


def _get(url: str, timeout: float = 120) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url}: server exited {process.returncode}: {log.read_text()[-1500:]}"
            )
        try:
            _get(url, timeout=5)
            return time.perf_counter() - t0
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url}: not up after {timeout:g} s")


def start_ours(folder: Path) -> tuple[subprocess.Popen, str, float]:
    log = folder / "ours.log"
    t0 = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rivermap.cli",
                "--quiet",
                "serve",
                "--port",
                "0",
                "--cache",
                str(folder / "cache"),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    while not (m := re.search(r"serving (http://127\.0\.0\.1:\d+)/", log.read_text())):
        if proc.poll() is not None or time.perf_counter() - t0 > 180:
            raise RuntimeError(f"rivermap serve did not start: {log.read_text()[-1500:]}")
        time.sleep(0.1)
    url = m.group(1)
    _wait(url + "/healthz", proc, log)
    return proc, url, time.perf_counter() - t0


def write_peer_data(url: str, folder: Path) -> dict[str, dict]:
    """Each collection as served by us, into ``folder/ID.geojson`` (id also as ``fid``)."""
    out = {}
    for cid in LAYERS:
        doc = json.loads(_get(f"{url}/collections/{cid}/items?limit=10000&f=json"))
        for f in doc["features"]:
            f["properties"] = {"fid": f["id"], **(f["properties"] or {})}
        path = folder / f"{cid}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": doc["features"]}))
        meta = json.loads(_get(f"{url}/collections/{cid}?f=json"))
        out[cid] = {
            "path": path,
            "title": meta["title"],
            "bbox": meta["extent"]["spatial"]["bbox"][0],
        }
    return out


def _peer_config(layers: dict[str, dict], port: int) -> dict:
    crs = list(SUPPORTED)  # the peer offers the CRSs we offer, storage CRS (CRS84) first
    contact = {
        k: "bench"
        for k in (
            "name",
            "position",
            "address",
            "city",
            "stateorprovince",
            "postalcode",
            "country",
            "phone",
            "fax",
            "email",
            "url",
            "hours",
            "instructions",
        )
    }
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {
                "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "attribution": "OpenStreetMap",
            },
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "rivermap bench",
                "description": "bench",
                "keywords": ["rivers"],
                "keywords_type": "theme",
                "terms_of_service": "none",
                "url": "http://127.0.0.1",
            },
            "license": {"name": "MIT", "url": "http://127.0.0.1"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {**contact, "role": "pointOfContact"},
        },
        "resources": {
            cid: {
                "type": "collection",
                "title": info["title"],
                "description": info["title"],
                "keywords": ["rivers"],
                "links": [],
                "extents": {"spatial": {"bbox": info["bbox"], "crs": crs[0]}},
                "providers": [
                    {
                        "type": "feature",
                        "name": "GeoJSON",
                        "data": str(info["path"]),
                        "id_field": "fid",
                        "crs": crs,
                        "storage_crs": crs[0],
                    }
                ],
            }
            for cid, info in layers.items()
        },
    }


def start_pygeoapi(
    layers: dict[str, dict], folder: Path
) -> tuple[subprocess.Popen | None, str, str]:
    """pygeoapi 0.21 under uvicorn (one worker); (None, "", reason) when it is not installed."""
    try:
        import pygeoapi  # noqa: F401
        import yaml
    except ImportError as exc:
        return None, "", f"pygeoapi is not installed ({exc}); pip install -e '.[bench]'"
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config, openapi = folder / "pygeoapi.yml", folder / "pygeoapi-openapi.yml"
    config.write_text(yaml.safe_dump(_peer_config(layers, port)))
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    pygeoapi_cli = shutil.which("pygeoapi", path=str(Path(sys.executable).parent)) or "pygeoapi"
    subprocess.run(
        [pygeoapi_cli, "openapi", "generate", str(config), "--output-file", str(openapi)],
        env=env,
        check=True,
        capture_output=True,
    )
    log = folder / "pygeoapi.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "pygeoapi.starlette_app:APP",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    _wait(url + "/collections?f=json", proc, log)
    return proc, url, ""


def _rss_mib(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20


def _row(label: str, clients: int, ours: Result, peer: Result | None) -> str:
    ratio = f"{ours.rps / peer.rps:7.1f}x" if peer and peer.rps else "     n/a"
    peer_text = (
        f"{peer.rps:8.0f} {peer.quantile(0.5):7.1f} {peer.quantile(0.95):7.1f} {peer.errors:4d}"
        if peer
        else f"{'-':>8} {'-':>7} {'-':>7} {'-':>4}"
    )
    return (
        f"{label:<38} {clients:>3}  {ours.rps:8.0f} {ours.quantile(0.5):7.1f} "
        f"{ours.quantile(0.95):7.1f} {ours.errors:4d}   {peer_text}  {ratio}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement (default 3)")
    parser.add_argument("--soak", type=int, default=3000, help="requests per soak round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rivermap-bench-service-") as tmp:
        folder = Path(tmp)
        ours, url, cold = start_ours(folder)
        peer, peer_url, reason = None, "", ""
        try:
            layers = write_peer_data(url, folder)
            peer, peer_url, reason = start_pygeoapi(layers, folder)
            print(f"rivermap serve: cold start {cold:.1f} s (reads, checks and traces the data)")
            print(
                f"peer: {'pygeoapi ' + __import__('pygeoapi').__version__ if peer else 'none: ' + reason}"
            )
            print(
                f"{'scenario':<38} {'c':>3}  {'ours r/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'err':>4}"
                f"   {'peer r/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'err':>4}  ratio"
            )
            summary = {}
            for label, path, has_peer in SCENARIOS:
                headers = {"Accept-Encoding": "gzip"} if "map" in label else None
                run(url, [path], clients=2, requests=20, headers=headers)  # warm-up (and build)
                if peer and has_peer:
                    run(peer_url, [path], clients=2, requests=20)
                for clients in CLIENTS:
                    mine = run(url, [path], clients=clients, seconds=args.seconds, headers=headers)
                    theirs = (
                        run(peer_url, [path], clients=clients, seconds=args.seconds)
                        if peer and has_peer
                        else None
                    )
                    print(_row(label, clients, mine, theirs), flush=True)
                    summary[(label, clients)] = (mine, theirs)
            _goals(summary)
            _soak(url, ours.pid, args.soak)
        finally:
            for proc in (ours, peer):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)
    return 0


def _goals(summary: dict) -> None:
    print("goals:")
    for label, factor in GOALS.items():
        ratios = [
            m.rps / p.rps for (lab, _), (m, p) in summary.items() if lab == label and p and p.rps
        ]
        if ratios:
            print(
                f"  {label}: at least {factor:g}x pygeoapi at every concurrency -> "
                f"{'met' if min(ratios) >= factor else 'NOT met'} (lowest {min(ratios):.1f}x)"
            )
    m, _ = summary[("cached map (overview, gzip)", 50)]
    print(
        f"  cached map p95 under 50 ms at 50 clients -> {'met' if m.quantile(0.95) < 50 else 'NOT met'}"
        f" ({m.quantile(0.95):.1f} ms)"
    )
    errors = sum(m.errors for m, _ in summary.values())
    print(f"  0 errors on our side -> {'met' if errors == 0 else 'NOT met'} ({errors})")


def _soak(url: str, pid: int, n: int) -> None:
    paths = [s[1] for s in SCENARIOS] + [
        "/collections/crossings/items?limit=100&crs=EPSG:32645",
        "/collections/network/items?limit=1000&bbox=75,42,85,48",
        "/collections?f=json",
        "/maps/ili.html",
        "/trace?rivers=ili",
    ]
    run(url, paths, clients=10, requests=200)  # build what the soak asks for
    rss = [_rss_mib(pid)]
    results = []
    for _ in range(2):
        results.append(run(url, paths, clients=50, requests=n))
        rss.append(_rss_mib(pid))
    total = sum(r.requests for r in results)
    errors = sum(r.errors for r in results)
    print(
        f"soak: {total} requests at 50 clients over {len(paths)} endpoints, {errors} errors; "
        f"server RSS {rss[0]:.0f} -> {rss[1]:.0f} -> {rss[2]:.0f} MiB "
        f"(second round {rss[2] - rss[1]:+.1f} MiB)"
    )


if __name__ == "__main__":
    sys.exit(main())
