"""Behind a reverse proxy: ``--base-url`` puts every link on the public URL (QGIS follows the
``next`` links it is given), and a value that is not one is refused before anything starts."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from rivermap.cli import main
from service.links import public_base_url

PUBLIC = "https://maps.example.org/rivermap"


@pytest.fixture(scope="module")
def proxied(service_app):
    """A second app over the session's service state, with a public URL. Not entered as a
    context: its lifespan would stop the state (and its build pool) the other tests share."""
    from service.app import create_app

    return TestClient(create_app(service_app.state.service, base_url=PUBLIC + "/"))


def _hrefs(doc: object) -> list[str]:
    return re.findall(r'"href": "([^"]+)"', json.dumps(doc))


def test_every_link_is_on_the_public_url(proxied, client) -> None:
    for path in ("/", "/collections", "/collections/rivers", "/collections/rivers/items/1"):
        doc = proxied.get(path, headers={"accept": "application/json"}).json()
        hrefs = _hrefs(doc)
        assert hrefs and all(h.startswith(PUBLIC + "/") for h in hrefs), (path, hrefs)
    page = proxied.get(
        "/collections/rivers/items?limit=2", headers={"accept": "application/geo+json"}
    )
    nxt = [lk["href"] for lk in page.json()["links"] if lk["rel"] == "next"]
    assert len(nxt) == 1 and nxt[0].startswith(PUBLIC + "/collections/rivers/items?")
    assert "offset=2" in nxt[0]
    api = proxied.get("/api", headers={"accept": "application/vnd.oai.openapi+json;version=3.0"})
    assert [s["url"] for s in api.json()["servers"]] == [PUBLIC]
    # the app without --base-url keeps the request's own URL
    own = _hrefs(client.get("/", headers={"accept": "application/json"}).json())
    assert own and not any(h.startswith(PUBLIC) for h in own)


def test_html_pages_link_on_the_public_url(proxied) -> None:
    html = proxied.get("/collections", headers={"accept": "text/html"}).text
    links = re.findall(r'href="(https?://[^"]+)"', html)
    assert links and all(h.startswith(PUBLIC + "/") for h in links)


@pytest.mark.parametrize(
    "bad", ["ftp://maps.example.org", "maps.example.org", "https://h/x?y=1", "https://h:port/"]
)
def test_a_value_that_is_no_public_url_is_a_usage_error(bad: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--base-url", bad])
    assert result.exit_code == 2
    assert f"--base-url: {bad!r}: not a public base URL; accepted: http(s)://" in result.output
    assert "Traceback" not in result.output


def test_the_trailing_slash_is_dropped() -> None:
    assert public_base_url("http://127.0.0.1:9000/a/b/") == "http://127.0.0.1:9000/a/b"
