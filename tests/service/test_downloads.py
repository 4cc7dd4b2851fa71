"""Maps, GeoPackages and the trace report on demand: built once, cached by their parameters,
served with ETag (and gzip for maps), valid GeoPackages with the layers asked for."""

from __future__ import annotations

import gzip
import json

import pyogrio
import pytest

from layers.atlas import Atlas
from tests.gpkg_validator import validator_messages


@pytest.mark.parametrize("page", ["overview", "ili"])
def test_map_page_is_the_offline_map(client, atlas: Atlas, page: str) -> None:
    r = client.get(f"/maps/{page}.html", headers={"accept-encoding": "identity"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["etag"].startswith('"') and r.headers["cache-control"] == "no-cache"
    html = r.text
    assert "L.map(" in html or "L.map" in html
    assert '<script src="http' not in html and "unpkg.com" not in html  # self-contained
    if page == "ili":
        assert atlas["river_courses"].set_index("river_id").loc["ili", "name_zh"] in html


@pytest.mark.parametrize("lang", ["kk", "ru", "zh"])
def test_map_in_each_language(client, atlas: Atlas, lang: str) -> None:
    r = client.get(f"/maps/ili.html?lang={lang}")
    assert r.status_code == 200 and f'<html lang="{lang}"' in r.text
    # the language switch points at the served siblings
    assert "ili.html?lang=en" in r.text
    name = atlas["river_courses"].set_index("river_id").loc["ili", f"name_{lang}"]
    assert name in r.text
    english = client.get("/maps/ili.html")
    assert english.headers["etag"] != r.headers["etag"]


def test_map_gzip_etag_and_304(client) -> None:
    plain = client.get("/maps/emel.html", headers={"accept-encoding": "identity"})
    r = client.get("/maps/emel.html", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    assert r.content == plain.content  # the client decodes; the same page
    assert int(r.headers["content-length"]) < len(plain.content) / 2
    again = client.get("/maps/emel.html", headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_map_errors(client, atlas: Atlas) -> None:
    r = client.get("/maps/tekes.html")  # a traced river, but not a top-level one: no page
    assert r.status_code == 404 and "overview.html" in r.json()["detail"]
    r = client.get("/maps/ili.html?lang=xx")
    assert r.status_code == 400 and "lang='xx'" in r.json()["detail"]
    assert "en, kk, ru, zh" in r.json()["detail"]
    assert client.get("/maps/ili.html?lang=en").status_code == 200
    assert client.get("/maps/ili.html?zoom=3").status_code == 400


def test_export_subset_in_utm_is_a_valid_geopackage(client, atlas: Atlas, tmp_path) -> None:
    r = client.get("/exports/rivermap.gpkg?rivers=emel,ili&crs=EPSG:32644")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geopackage+sqlite3"
    assert (
        r.headers["content-disposition"]
        == 'attachment; filename="rivermap-emel-ili-epsg32644.gpkg"'
    )
    path = tmp_path / "export.gpkg"
    path.write_bytes(r.content)
    assert validator_messages(path) == []
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"rivers", "river_courses", "crossings", "basins", "network", "flows"} <= layers
    from layers.subset import subset_layers

    rivers = pyogrio.read_dataframe(path, layer="rivers")
    expected = subset_layers(atlas, ["ili", "emel"])["rivers"].frame  # the library's subset
    assert {"ili", "emel"} <= set(rivers["river_id"]) == set(expected["river_id"])
    assert len(rivers) == len(expected) and "irtysh" not in set(rivers["river_id"])
    assert pyogrio.read_info(path, layer="rivers")["crs"] == "EPSG:32644"
    # the same parameters in another order or spelling: the same cached file
    same = client.get(
        "/exports/rivermap.gpkg?crs=http://www.opengis.net/def/crs/EPSG/0/32644&rivers=ili,emel,ili"
    )
    assert same.headers["etag"] == r.headers["etag"] and same.content == r.content


def test_export_errors(client) -> None:
    for url, says in [
        ("/exports/rivermap.gpkg?rivers=nile", "unknown river 'nile'"),
        ("/exports/rivermap.gpkg?rivers=", "empty"),
        ("/exports/rivermap.gpkg?crs=EPSG:2154", "crs='EPSG:2154'"),
        ("/exports/rivermap.gpkg?crs=/etc/passwd", "crs='/etc/passwd'"),
        ("/exports/rivermap.gpkg?path=/tmp/x.gpkg", "unknown parameter"),
    ]:
        r = client.get(url)
        assert r.status_code == 400 and says in r.json()["detail"], url


def test_items_as_geopackage_holds_the_matching_features(client, atlas: Atlas, tmp_path) -> None:
    r = client.get("/collections/rivers/items?f=gpkg&river_id=ili&limit=1&crs=EPSG:32644")
    assert r.status_code == 200 and r.headers["content-disposition"].endswith(
        'rivers-epsg32644.gpkg"'
    )
    path = tmp_path / "rivers.gpkg"
    path.write_bytes(r.content)
    assert validator_messages(path) == []
    frame = pyogrio.read_dataframe(path, layer="rivers")
    assert len(frame) == (atlas["rivers"]["river_id"] == "ili").sum()  # every page, not one
    assert [n for n, _ in pyogrio.list_layers(path) if n in ("rivers", "crossings")] == ["rivers"]


def test_trace_is_the_cli_report(client, atlas: Atlas) -> None:
    from rivermap.report import trace_rows

    everything = client.get("/trace")
    assert everything.status_code == 200
    assert everything.text == json.dumps(trace_rows(atlas), ensure_ascii=False, indent=2)
    ili = client.get("/trace?rivers=ili").json()
    assert [r["river_id"] for r in ili] == ["ili"]
    assert ili[0] == next(r for r in trace_rows(atlas) if r["river_id"] == "ili")
    assert client.get("/trace?rivers=volga").status_code == 400


def test_gzip_twin_is_the_page(client, service_app) -> None:
    assert client.get("/maps/overview.html").status_code == 200
    st = service_app.state.service
    entries = list(st.cache.root.glob("*.html"))
    assert entries
    for p in entries:
        assert gzip.decompress(p.with_name(p.name + ".gz").read_bytes()) == p.read_bytes()
