"""The application factory for ASGI servers run by hand (gunicorn, uvicorn --factory).

``gunicorn --preload -w 2 -k uvicorn_worker.UvicornWorker 'service.asgi:create(cache="/var/cache/rivermap")'``
loads the data once in gunicorn's master (``--preload``) and forks the workers from it.
Arguments are literals on the command line — nothing is read from environment variables.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from rivermap import api
from service.app import create_app
from service.run import configure_logging, default_cache_dir


def create(
    cache: str | None = None,
    data: dict[str, str] | None = None,
    rivers: list[str] | None = None,
    register: str | None = None,
    base_url: str | None = None,
) -> Starlette:
    """Load the Atlas (embedded data, or ``data`` per role like ``rivermap --data``) and
    return the app; errors are the library's one-line errors. ``base_url``: the public URL
    behind a reverse proxy, as ``rivermap serve --base-url``."""
    if base_url:
        from service.links import public_base_url

        public_base_url(base_url)  # checked before the data is read
    atlas = api.load(rivers=rivers, data=data, register=register)
    folder = Path(cache) if cache else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    configure_logging()
    return create_app(atlas, cache_dir=folder, base_url=base_url)
