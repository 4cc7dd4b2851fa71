"""Fixtures of the service tests: the app over the session's Atlas (in-process, Starlette's
TestClient) and ``rivermap serve`` started as a real process on 127.0.0.1."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from layers.atlas import Atlas
from tests.service.live import Server, start_server


@pytest.fixture(scope="session")
def service_app(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory):
    """The service over the full Atlas, its cache in a temporary folder."""
    from service.app import create_app

    return create_app(atlas, cache_dir=tmp_path_factory.mktemp("service-cache"))


@pytest.fixture(scope="session")
def client(service_app) -> TestClient:
    with TestClient(service_app) as c:
        yield c


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Server:
    """``rivermap serve --port 0`` in a subprocess (one worker), stopped after the session."""
    server = start_server(["serve", "--port", "0"], tmp_path_factory.mktemp("live"))
    yield server
    server.stop()
