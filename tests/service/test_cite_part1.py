"""The checks of the OGC CITE executable test suite for OGC API – Features Part 1 (Core) and
Part 2 (CRS by reference), ported to pytest against the in-process service: landing page,
API definition, conformance, collections, items, paging, limits, bbox, features and the
error conditions. Expectations come from the documents themselves (links are followed, not
built) and from the Atlas."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from layers.atlas import Atlas

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
CRS_CLASS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def get(client, url: str, **headers):
    return client.get(url, headers={"accept": "application/json", **headers})


def rel(links: list[dict], name: str, media: str | None = None) -> dict:
    found = [x for x in links if x["rel"] == name and (media is None or x.get("type") == media)]
    assert found, f"no link rel={name} type={media} in {links}"
    return found[0]


@pytest.fixture(scope="module")
def landing(client) -> dict:
    r = get(client, "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    return r.json()


@pytest.fixture(scope="module")
def collections(client, landing) -> list[dict]:
    r = get(client, rel(landing["links"], "data")["href"])
    assert r.status_code == 200
    return r.json()["collections"]


# --- landing page (Abstract Test 2, /ats/core/root-success)


def test_landing_page_has_the_required_links(landing: dict) -> None:
    for name in ("self", "service-desc", "conformance", "data"):
        link = rel(landing["links"], name)
        assert link["href"].startswith("http://testserver/") and link.get("type")
    assert rel(landing["links"], "service-desc")["type"].startswith(
        "application/vnd.oai.openapi+json"
    )


# --- API definition (Abstract Tests 3-4, /ats/core/api-definition-*, /ats/oas30/*)


def test_api_definition_is_openapi_30_with_the_paths(client, landing: dict, collections) -> None:
    r = client.get(
        rel(landing["links"], "service-desc")["href"],
        headers={"accept": "application/vnd.oai.openapi+json;version=3.0"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    doc = r.json()
    assert doc["openapi"].startswith("3.0.")
    for path in ("/", "/conformance", "/collections"):
        assert "get" in doc["paths"][path]
    for c in collections:
        for path in (
            f"/collections/{c['id']}",
            f"/collections/{c['id']}/items",
            f"/collections/{c['id']}/items/{{featureId}}",
        ):
            assert "get" in doc["paths"][path], path
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["default"], limit["maximum"]) == (1, 10, 10_000)


# --- conformance (Abstract Test 5, /ats/core/conformance-success)


def test_conformance_declares_core_geojson_oas30_and_crs(client, landing: dict) -> None:
    r = get(client, rel(landing["links"], "conformance")["href"])
    assert r.status_code == 200
    assert {CORE, GEOJSON, OAS30, CRS_CLASS} <= set(r.json()["conformsTo"])


# --- collections (Abstract Tests 9-13)


def test_every_spatial_layer_is_a_collection(collections: list[dict], atlas: Atlas) -> None:
    spatial = {n for n, layer in atlas.layers.items() if layer.spatial}
    assert {c["id"] for c in collections} == spatial
    assert {
        "rivers",
        "river_courses",
        "crossings",
        "gauges",
        "basins",
        "lakes",
        "borders",
        "network",
    } <= spatial


def test_collection_metadata_extent_and_crs(collections: list[dict], atlas: Atlas) -> None:
    for c in collections:
        assert c["title"] and c["description"] and c["itemType"] == "feature"
        assert rel(c["links"], "items", "application/geo+json")
        bbox = c["extent"]["spatial"]["bbox"][0]
        minx, miny, maxx, maxy = bbox
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
        assert bbox == pytest.approx(list(atlas[c["id"]].total_bounds))
        assert c["storageCrs"] == CRS84
        for code in (
            CRS84,
            *(
                f"http://www.opengis.net/def/crs/EPSG/0/{n}"
                for n in (4326, 3857, 32643, 32644, 32645)
            ),
        ):
            assert code in c["crs"]


def test_collection_document_is_the_listed_one(client, collections: list[dict]) -> None:
    for c in collections:
        r = get(client, f"/collections/{c['id']}")
        assert r.status_code == 200 and r.json() == c


# --- features (Abstract Tests 14-25)


@pytest.mark.parametrize("cid", ["rivers", "crossings", "basins", "network"])
def test_items_response(client, collections, atlas: Atlas, cid: str) -> None:
    c = next(c for c in collections if c["id"] == cid)
    r = get(client, rel(c["links"], "items", "application/geo+json")["href"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == len(atlas[cid])
    assert doc["numberReturned"] == len(doc["features"]) == min(10, len(atlas[cid]))
    assert doc["timeStamp"].endswith("Z")
    assert rel(doc["links"], "self", "application/geo+json")
    assert rel(doc["links"], "alternate", "text/html")
    for f in doc["features"]:
        assert (
            f["type"] == "Feature" and f["geometry"]["type"] and isinstance(f["properties"], dict)
        )


@pytest.mark.parametrize("cid", ["rivers", "gauges", "lakes"])
def test_paging_with_next_links_visits_every_feature_once(client, atlas: Atlas, cid: str) -> None:
    url, seen, pages = f"/collections/{cid}/items?limit=7", [], 0
    while url:
        doc = get(client, url).json()
        seen += [f["id"] for f in doc["features"]]
        assert doc["numberReturned"] <= 7
        url = next((x["href"] for x in doc["links"] if x["rel"] == "next"), None)
        pages += 1
        if pages > 1:
            assert rel(doc["links"], "prev")
    assert sorted(seen) == list(range(1, len(atlas[cid]) + 1))
    assert pages == -(-len(atlas[cid]) // 7)


def test_limit_bounds(client, atlas: Atlas) -> None:
    n = len(atlas["network"])
    for limit, returned in ((1, 1), (n, n), (10_000, n), (10**6, n)):
        doc = get(client, f"/collections/network/items?limit={limit}").json()
        assert doc["numberReturned"] == len(doc["features"]) == min(returned, 10_000)
    for bad in ("0", "-1", "unlimited", "1.5", ""):
        r = get(client, f"/collections/network/items?limit={bad}")
        assert r.status_code == 400, bad
        assert r.headers["content-type"] == "application/problem+json"
        assert "limit=" in r.json()["detail"] and "accepted: 1 to 10,000" in r.json()["detail"]


def test_bbox_selects_features_that_intersect_it(client, atlas: Atlas) -> None:
    import shapely

    box = (80.0, 42.0, 84.0, 45.0)  # the Ili headwaters, lon/lat
    doc = get(
        client, "/collections/rivers/items?limit=10000&bbox=" + ",".join(map(str, box))
    ).json()
    expected = shapely.intersects(atlas["rivers"].geometry.values, shapely.box(*box))
    assert doc["numberMatched"] == int(expected.sum()) > 0
    assert sorted(f["id"] for f in doc["features"]) == [i + 1 for i in expected.nonzero()[0]]
    for bad in ("1,2,3", "a,b,c,d", "1,2,3,4,5", "0,50,10,40", "nan,1,2,3"):
        r = get(client, f"/collections/rivers/items?bbox={bad}")
        assert r.status_code == 400 and "bbox=" in r.json()["detail"], bad


def test_feature_by_id(client, atlas: Atlas) -> None:
    doc = get(client, "/collections/crossings/items?limit=1").json()
    fid = doc["features"][0]["id"]
    r = get(client, f"/collections/crossings/items/{fid}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    feature = r.json()
    assert feature["id"] == fid and feature["properties"] == doc["features"][0]["properties"]
    assert rel(feature["links"], "self") and rel(feature["links"], "collection")
    assert feature["properties"]["crossing_id"] == atlas["crossings"]["crossing_id"].iloc[fid - 1]


# --- error conditions (/ats/core/query-param-invalid, query-param-unknown, 404s)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/collections/rivers/items?limit=unlimited", 400, "limit='unlimited'"),
        ("/collections/rivers/items?unknownParameter=1", 400, "unknownParameter"),
        ("/collections/rivers/items?bbox=1,2,3", 400, "bbox="),
        ("/collections/rivers/items?datetime=yesterday", 400, "datetime="),
        ("/collections/rivers/items?crs=EPSG:9999", 400, "crs='EPSG:9999'"),
        ("/collections/rivers/items?bbox-crs=EPSG:32644", 400, "without bbox"),
        ("/collections/rivers/items?offset=-3", 400, "offset="),
        ("/collections/rivers/items?f=xml", 400, "f='xml'"),
        ("/collections/rivers/items?km_from_source_end=far", 400, "not a number"),
        ("/collections?foo=bar", 400, "foo"),
        ("/collections/no_such_collection", 404, "no_such_collection"),
        ("/collections/no_such_collection/items", 404, "no_such_collection"),
        ("/collections/rivers/items/0", 404, "'0'"),
        ("/collections/rivers/items/999999", 404, "999999"),
        ("/collections/rivers/items/abc", 404, "'abc'"),
        ("/no/such/path", 404, "/no/such/path"),
    ],
)
def test_errors_are_problem_json_with_one_line(client, url: str, status: int, says: str) -> None:
    r = get(client, url)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    doc = r.json()
    assert doc["status"] == status and says in doc["detail"] and "\n" not in doc["detail"]
    assert "Traceback" not in r.text


# --- Part 2: CRS by reference


def test_crs_parameter_sets_content_crs_and_coordinates(client, atlas: Atlas) -> None:
    from pyproj import Transformer

    lon, lat = atlas["crossings"].geometry.iloc[0].coords[0]
    for code in (32643, 32644, 32645, 3857):
        uri = f"http://www.opengis.net/def/crs/EPSG/0/{code}"
        r = get(client, f"/collections/crossings/items/1?crs={uri}")
        assert r.status_code == 200 and r.headers["content-crs"] == f"<{uri}>"
        x, y = Transformer.from_crs(4326, code, always_xy=True).transform(lon, lat)
        assert r.json()["geometry"]["coordinates"] == pytest.approx([x, y], abs=1e-3)
    # EPSG:4326 is latitude first (its authority's axis order), CRS84 longitude first
    r = get(client, "/collections/crossings/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/4326")
    assert r.json()["geometry"]["coordinates"] == pytest.approx([lat, lon])
    r = get(client, "/collections/crossings/items/1")
    assert r.headers["content-crs"] == f"<{CRS84}>"
    assert r.json()["geometry"]["coordinates"] == pytest.approx([lon, lat])


def test_bbox_crs_in_utm_and_in_lat_lon_order(client) -> None:
    from pyproj import Transformer

    lonlat = get(client, "/collections/gauges/items?limit=10000&bbox=80,48,84,51").json()
    ids = sorted(f["id"] for f in lonlat["features"])
    assert ids
    latlon = get(
        client,
        "/collections/gauges/items?limit=10000&bbox=48,80,51,84&bbox-crs="
        "http://www.opengis.net/def/crs/EPSG/0/4326",
    ).json()
    assert sorted(f["id"] for f in latlon["features"]) == ids
    t = Transformer.from_crs(4326, 32644, always_xy=True)
    xs, ys = t.transform([81.0, 83.0], [48.5, 50.5])
    utm = get(
        client,
        f"/collections/gauges/items?limit=10000&bbox={xs[0]},{ys[0]},{xs[1]},{ys[1]}"
        "&bbox-crs=EPSG:32644",
    ).json()
    small = get(client, "/collections/gauges/items?limit=10000&bbox=81,48.5,83,50.5").json()
    assert small["features"]
    assert {f["id"] for f in small["features"]} <= {f["id"] for f in utm["features"]} <= set(ids)


def test_next_link_keeps_the_query(client) -> None:
    doc = get(client, "/collections/rivers/items?limit=2&river_id=ili&crs=EPSG:32644").json()
    nxt = rel(doc["links"], "next")["href"]
    query = parse_qs(urlsplit(nxt).query)
    assert query["river_id"] == ["ili"] and query["crs"] == ["EPSG:32644"]
    assert query["limit"] == ["2"] and query["offset"] == ["2"]
