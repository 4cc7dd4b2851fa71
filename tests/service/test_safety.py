"""Bounds and refusals: methods, bodies, sizes, the generation pool (503 + Retry-After when
full, once per key), per-request time limits and the cache shared between processes."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from starlette.testclient import TestClient

from layers.atlas import Atlas
from service.cache import Cache
from service.errors import Busy
from service.pool import Pool


def test_only_get_and_head(client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        r = client.request(method, "/collections")
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
        assert r.headers["content-type"] == "application/problem+json"
    head = client.head("/collections")
    assert head.status_code == 200 and head.content == b""


def test_bodies_and_long_requests_are_refused(client) -> None:
    r = client.request("GET", "/collections", content=b"x" * 10)
    assert r.status_code == 413 and "no body" in r.json()["detail"]
    r = client.get("/collections/rivers/items?river_id=" + "a" * 3000)
    assert r.status_code == 414
    r = client.get("/collections/" + "a" * 600)
    assert r.status_code == 414


@pytest.mark.parametrize(
    "path",
    [
        "/collections/%2e%2e/api",
        "/maps/%2e%2e%2fapi.html",
        "/assets/..%5cleaflet.js",
        "/collections/rivers%00/items",
        "/maps/%252e%252e%252fetc%252fpasswd.html",
    ],
)
def test_encoded_traversal_is_404(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_pool_runs_identical_jobs_once_and_refuses_when_full() -> None:
    async def scenario() -> tuple[list, int]:
        pool = Pool(workers=1, queue=1)
        gate, runs = threading.Event(), []

        def job(name):
            def work():
                runs.append(name)
                gate.wait(5)
                return name

            return work

        same = [asyncio.ensure_future(pool.run("a", job("a"), timeout=10)) for _ in range(5)]
        other = asyncio.ensure_future(pool.run("b", job("b"), timeout=10))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy) as busy:
            await pool.run("c", job("c"), timeout=10)
        gate.set()
        results = await asyncio.gather(*same, other)
        pool.shutdown()
        return results, runs, busy.value.retry_after

    results, runs, retry = asyncio.run(scenario())
    assert results == ["a"] * 5 + ["b"] and sorted(runs) == ["a", "b"] and retry > 0


def test_build_time_limit_gives_503_then_the_file(atlas: Atlas, tmp_path) -> None:
    from service.app import create_app

    app = create_app(atlas, cache_dir=tmp_path, pool_workers=1, pool_queue=0, build_timeout=0.01)
    with TestClient(app) as c:
        first = c.get("/maps/overview.html")
        assert first.status_code == 503 and int(first.headers["retry-after"]) > 0
        assert "still building" in first.json()["detail"]
        # the pool (1 worker, no queue) is still on the maps: another file cannot start
        busy = c.get("/exports/rivermap.gpkg?rivers=ili")
        assert busy.status_code == 503 and "limit 1" in busy.json()["detail"]
        same = c.get("/maps/ili.html")  # a page of the same build waits for it
        assert same.status_code == 503 and "still building" in same.json()["detail"]
        deadline = time.monotonic() + 60
        while (
            r := c.get("/maps/overview.html")
        ).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert r.status_code == 200 and "<html" in r.text[:400].lower()
        assert c.get("/collections").status_code == 200  # the rest keeps answering


def test_request_time_limit(atlas: Atlas, tmp_path) -> None:
    from service.app import create_app

    app = create_app(atlas, cache_dir=tmp_path, request_timeout=0.001, build_timeout=60)
    with TestClient(app) as c:
        r = c.get("/exports/rivermap.gpkg?rivers=emel")
        assert r.status_code == 503 and r.headers["retry-after"] == "10"


def test_cache_builds_once_across_concurrent_builders(tmp_path) -> None:
    cache = Cache(tmp_path, "digest")
    entry = cache.entry(cache.key("map", page="x"), ".html", gzip_twin=True)
    writes = []

    def write(target):
        writes.append(1)
        time.sleep(0.2)
        target.write_text("<html>x</html>")

    threads = [threading.Thread(target=cache.build, args=(entry, write)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writes == [1] and entry.path.read_text() == "<html>x</html>"
    assert cache.ready(entry)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left


def test_cache_keys_follow_inputs_and_parameters(tmp_path) -> None:
    a, b = Cache(tmp_path, "inputs-1"), Cache(tmp_path, "inputs-2")
    assert a.key("gpkg", rivers=["ili"], crs="x") == a.key("gpkg", crs="x", rivers=["ili"])
    assert a.key("gpkg", rivers=["ili"], crs="x") != b.key("gpkg", rivers=["ili"], crs="x")
    assert a.key("gpkg", rivers=["ili"], crs="x") != a.key("gpkg", rivers=["emel"], crs="x")
