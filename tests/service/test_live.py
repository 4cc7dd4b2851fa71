"""Real clients against real processes: ``rivermap serve`` on 127.0.0.1 (a free port), QGIS's
OAPIF provider, headless Chromium, GDAL's GeoPackage validator on a download, raw HTTP for
hostile paths, start-up errors, and gunicorn with two uvicorn workers."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from layers.atlas import Atlas
from tests.gpkg_validator import validator_messages
from tests.service.live import Server, start, start_server

pytestmark = pytest.mark.live
HERE = Path(__file__).parent
SYSTEM_PYTHON = "/usr/bin/python3"


def _has_qgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


def raw_get(server: Server, path: str) -> int:
    """Status of a GET whose path is sent exactly as given (no client normalisation)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_listens_on_loopback_and_logs_one_line_per_request(live: Server) -> None:
    assert urlsplit(live.url).hostname == "127.0.0.1"
    assert live.json("/healthz")["status"] == "ok"
    status, _, _ = live.get("/collections/nope")
    assert status == 404
    import time

    deadline = time.monotonic() + 10  # the line is written once the response has gone out
    while not re.search(r"GET /collections/nope 404 \d+\.\d ms", log := live.log.read_text()):
        assert time.monotonic() < deadline, log[-2000:]
        time.sleep(0.05)
    assert re.search(r"GET /healthz 200 \d+\.\d ms", log)
    assert "Traceback" not in log


@pytest.mark.parametrize(
    "path",
    [
        "/maps/../../../etc/passwd",
        "/maps/..%2f..%2f..%2fetc%2fpasswd.html",
        "/maps/%2e%2e/%2e%2e/etc/passwd.html",
        "/collections/..%252f..%252fetc/items",
        "/exports/../../etc/passwd",
        "/assets/..%5c..%5cwin.ini",
        "/collections/rivers/items/..",
        "/./collections",
    ],
)
def test_traversal_in_raw_paths_is_404(live: Server, path: str) -> None:
    assert raw_get(live, path) == 404


@pytest.mark.skipif(
    not _has_qgis(), reason="Debian python3-qgis not installed (make test installs it)"
)
def test_qgis_loads_every_collection_with_its_count_and_crs(
    live: Server, atlas: Atlas, tmp_path: Path
) -> None:
    names = [c["id"] for c in live.json("/collections")["collections"]]
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    out = subprocess.run(
        [SYSTEM_PYTHON, str(HERE / "qgis_oapif.py"), live.url, *names],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = {d["collection"]: d for d in map(json.loads, out.stdout.splitlines())}
    assert set(seen) == set(names)
    for name in names:
        info = seen[name]
        assert info["valid"], info
        assert info["features"] == info["iterated"] == len(atlas[name]), info
        assert info["crs"] in ("EPSG:4326", "OGC:CRS84"), info
        assert set(info["fields"]) >= {c for c in atlas[name].columns if c != "geometry"} - {"id"}


@pytest.mark.browser
def test_chromium_opens_the_served_maps_without_errors(live: Server) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import chromium, severe

    driver = chromium(390, 844)
    try:
        for path in (
            "/maps/overview.html",
            "/maps/ili.html",
            "/collections/rivers/items?f=html&limit=100",
        ):
            driver.get_log("browser")
            driver.get(live.url.rstrip("/") + path)
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script("return window.rmReady === true")
            )
            assert severe(driver) == [], path
            drawn = driver.execute_script(
                "return document.querySelectorAll('.leaflet-container').length"
            )
            assert drawn >= 1, path
    finally:
        driver.quit()


def test_downloaded_geopackage_passes_gdal_validator(live: Server, atlas: Atlas, tmp_path) -> None:
    status, headers, body = live.get("/exports/rivermap.gpkg?rivers=irtysh&crs=EPSG:32645")
    assert status == 200 and "rivermap-irtysh-epsg32645.gpkg" in headers["Content-Disposition"]
    path = tmp_path / "download.gpkg"
    path.write_bytes(body)
    assert validator_messages(path) == []
    import pyogrio

    from layers.subset import subset_layers

    rivers = pyogrio.read_dataframe(path, layer="rivers")
    expected = subset_layers(atlas, ["irtysh"])["rivers"].frame
    assert "irtysh" in set(rivers["river_id"]) == set(expected["river_id"])
    assert len(rivers) == len(expected)


def _serve_fails(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "rivermap.cli",
            "--quiet",
            "serve",
            "--port",
            "0",
            "--cache",
            str(tmp_path),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_data_stops_the_start_with_one_line(tmp_path) -> None:
    bad = tmp_path / "rivers.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    out = _serve_fails(["--data", f"rivers={bad}"], tmp_path)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rivermap: error: ") and str(bad) in lines[0]
    assert "Traceback" not in out.stderr and "serving" not in out.stderr


def test_port_in_use_is_a_usage_error(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "rivermap.cli",
                "serve",
                "--port",
                str(port),
                "--cache",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2 and "--port" in out.stderr and "in use" in out.stderr


def _pids(server: Server, want: int = 2, seconds: float = 45.0) -> set[int]:
    """Worker pids seen on /healthz, asking 8 at a time (workers boot one after the other and
    the kernel hands connections to whichever accepts first)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    pids: set[int] = set()
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(8) as pool:
        while len(pids) < want and time.monotonic() < deadline:
            pids |= set(pool.map(lambda _: server.json("/healthz")["pid"], range(8)))
            time.sleep(0.1)
    return pids


def test_two_workers_under_gunicorn_share_the_data_and_the_cache(tmp_path, atlas: Atlas) -> None:
    server = start_server(["serve", "--port", "0", "--workers", "2"], tmp_path)
    try:
        assert len(_pids(server)) == 2
        for _ in range(4):  # whichever worker answers: the same numbers
            doc = server.json("/collections/crossings/items?limit=100")
            assert doc["numberMatched"] == len(atlas["crossings"])
        from concurrent.futures import ThreadPoolExecutor

        url = "/exports/rivermap.gpkg?rivers=emel"
        with ThreadPoolExecutor(8) as pool:  # both workers asked at once: one build
            answers = list(pool.map(lambda _: server.get(url), range(8)))
        assert {status for status, _, _ in answers} == {200}
        assert len({headers["ETag"] for _, headers, _ in answers}) == 1
        assert len({body for _, _, body in answers}) == 1
        assert len(list(server.cache.glob("*.gpkg"))) == 1
        assert len(re.findall(r"built \w+\.gpkg in", server.log.read_text())) == 1
    finally:
        assert server.stop() == 0


def test_gunicorn_command_line_of_the_readme(tmp_path, atlas: Atlas) -> None:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is a dependency of the package"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = tmp_path / "cache"
    command = [
        gunicorn,
        "--preload",
        "-w",
        "2",
        "-k",
        "uvicorn_worker.UvicornWorker",
        "--bind",
        f"127.0.0.1:{port}",
        f'service.asgi:create(cache="{cache}")',
    ]
    server = start(command, tmp_path, re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)"))
    try:
        assert len(_pids(server)) == 2
        assert server.json("/collections/rivers/items")["numberMatched"] == len(atlas["rivers"])
    finally:
        server.stop()
