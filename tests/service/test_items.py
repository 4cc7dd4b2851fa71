"""Items beyond the CITE checks: equality filters, datetime, formats, HTML pages, and what
QGIS-style clients send. Expected numbers are derived from the Atlas."""

from __future__ import annotations

import json

import pytest

from layers.atlas import Atlas


def features(client, url: str) -> dict:
    r = client.get(url, headers={"accept": "application/geo+json"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("column", "value"), [("river_id", "ili"), ("country", "KAZ"), ("river_id", "irtysh")]
)
def test_equality_filters_match_the_atlas(client, atlas: Atlas, column: str, value: str) -> None:
    doc = features(client, f"/collections/rivers/items?limit=10000&{column}={value}")
    expected = (atlas["rivers"][column] == value).to_numpy().nonzero()[0] + 1
    assert sorted(f["id"] for f in doc["features"]) == expected.tolist()
    assert doc["numberMatched"] == len(expected) > 0
    assert all(f["properties"][column] == value for f in doc["features"])


def test_filters_combine_with_each_other_and_bbox(client, atlas: Atlas) -> None:
    rivers = atlas["rivers"]
    doc = features(client, "/collections/rivers/items?limit=10000&river_id=ili&country=CHN")
    mask = (rivers["river_id"] == "ili") & (rivers["country"] == "CHN")
    assert doc["numberMatched"] == int(mask.sum()) > 0
    none = features(client, "/collections/rivers/items?river_id=ili&bbox=60,30,61,31")
    assert none["numberMatched"] == 0 and none["features"] == []


def test_numeric_filter(client, atlas: Atlas) -> None:
    grdc = int(atlas["gauges"]["grdc_no"].iloc[3])
    doc = features(client, f"/collections/gauges/items?grdc_no={grdc}")
    assert [f["properties"]["grdc_no"] for f in doc["features"]] == [grdc]


def test_datetime_on_layers_with_time(client, atlas: Atlas) -> None:
    periods = [p.split("/") for p in atlas["crossings"]["flow_period"].fillna("") if "/" in p]

    def covering(day: str) -> int:
        return sum(start <= day <= end for start, end in periods)

    assert covering("2025-03-01") > 0
    for query, day in (("2025-03-01", "2025-03-01"), ("2025-06-30T23:00:00Z/..", "2025-06-30")):
        doc = features(client, f"/collections/crossings/items?datetime={query}")
        assert doc["numberMatched"] == covering(day)
    assert (
        features(client, "/collections/crossings/items?datetime=../2024-12-31")["numberMatched"]
        == 0
    )
    gauges = atlas["gauges"]
    in_1950 = ((gauges["m_start"] <= 1950) & (gauges["m_end"] >= 1950)).sum()
    assert (
        features(client, "/collections/gauges/items?datetime=1950-06-01")["numberMatched"]
        == in_1950
    )
    # layers without time accept datetime and ignore it
    assert features(client, "/collections/lakes/items?datetime=2025-01-01")["numberMatched"] == len(
        atlas["lakes"]
    )
    doc = client.get("/collections/crossings").json()
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    assert doc["extent"]["temporal"]["interval"] == [[f"{first}T00:00:00Z", f"{last}T23:59:59Z"]]


@pytest.mark.parametrize("value", ["2025-13-01", "2025-01-01/2024-01-01", "../..", "a/b/c"])
def test_bad_datetime(client, value: str) -> None:
    r = client.get(f"/collections/crossings/items?datetime={value}")
    assert r.status_code == 400 and "datetime=" in r.json()["detail"]


def test_names_in_four_languages_survive_as_utf8(client, atlas: Atlas) -> None:
    r = client.get("/collections/river_courses/items?river_id=ili")
    assert "伊犁河".encode() in r.content and "Іле".encode() in r.content
    props = r.json()["features"][0]["properties"]
    row = atlas["river_courses"].set_index("river_id").loc["ili"]
    assert (props["name_zh"], props["name_kk"], props["name_ru"]) == (
        row.name_zh,
        row.name_kk,
        row.name_ru,
    )
    assert props["length_km"] == pytest.approx(row.length_km)


def test_missing_values_are_null_not_zero(client, atlas: Atlas) -> None:
    crossings = atlas["crossings"]
    missing = crossings["h1_2025_volume_km3"].isna().to_numpy().nonzero()[0]
    assert len(missing)
    doc = client.get(f"/collections/crossings/items/{missing[0] + 1}").json()
    assert doc["properties"]["h1_2025_volume_km3"] is None
    assert doc["properties"]["flow_status"] == crossings["flow_status"].iloc[missing[0]]


def test_accept_header_and_f_choose_the_format(client) -> None:
    assert (
        client.get("/collections", headers={"accept": "text/html"})
        .headers["content-type"]
        .startswith("text/html")
    )
    assert (
        client.get("/collections?f=json", headers={"accept": "text/html"}).headers["content-type"]
        == "application/json"
    )
    assert (
        client.get("/collections", headers={"accept": "image/png"}).headers["content-type"]
        == "application/json"
    )
    r = client.get(
        "/collections/rivers/items", headers={"accept": "text/html;q=0.5, application/geo+json"}
    )
    assert r.headers["content-type"] == "application/geo+json"


def test_html_items_page_embeds_the_page_safely(client, atlas: Atlas) -> None:
    r = client.get("/collections/crossings/items?f=html&limit=100")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert (
        "/assets/leaflet.js" in html
        and "https://" not in html.split("<main>")[1].split("<table>")[0]
    )
    start = html.index("var data = ") + len("var data = ")
    data = json.loads(html[start : html.index(";\n", start)])
    assert len(data["features"]) == len(atlas["crossings"])
    assert "</script" not in html[start : html.index(";\n", start)]


def test_hostile_names_are_escaped_in_html(atlas: Atlas, tmp_path) -> None:
    from starlette.testclient import TestClient

    from service.app import create_app
    from tests.common import HOSTILE_NAME, with_hostile_names

    app = create_app(with_hostile_names(atlas), cache_dir=tmp_path)
    with TestClient(app) as c:
        r = c.get("/collections/river_courses/items?f=html")
        assert r.status_code == 200
        assert HOSTILE_NAME not in r.text  # escaped in the table and in the script
        start = r.text.index("var data = ") + len("var data = ")
        data = json.loads(r.text[start : r.text.index(";\n", start)])
        assert HOSTILE_NAME in {f["properties"]["name_en"] for f in data["features"]}
        doc = c.get("/collections/river_courses/items?river_id=ili").json()
        assert doc["features"][0]["properties"]["name_en"] == HOSTILE_NAME


def test_landing_page_html_lists_maps_collections_downloads_and_qgis(client, atlas: Atlas) -> None:
    html = client.get("/", headers={"accept": "text/html"}).text
    for page in ("overview", "irtysh", "ili", "emel"):
        assert f"/maps/{page}.html" in html
    for cid in ("rivers", "crossings", "basins", "network"):
        assert f"/collections/{cid}/items?f=html" in html
    assert "/exports/rivermap.gpkg" in html and "QGIS" in html and "OGC API – Features" in html


def test_queryables(client, atlas: Atlas) -> None:
    doc = client.get("/collections/rivers/queryables").json()
    assert doc["properties"]["river_id"]["type"] == "string"
    assert doc["properties"]["length_km"]["type"] == "number"
    assert "geometry" not in doc["properties"]


def test_leaflet_assets_are_served_from_the_installed_package(client) -> None:
    from maps.assets import leaflet_js

    r = client.get("/assets/leaflet.js")
    assert r.status_code == 200 and r.text == leaflet_js()
    assert client.get("/assets/other.js").status_code == 404
