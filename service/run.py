"""Starting the service: one uvicorn process, or gunicorn with uvicorn workers.

The Atlas is loaded once before anything starts; with several workers gunicorn forks them
from the loaded process (``preload``), so they share its memory and none reads the data
again. The listening socket is bound first (:func:`listen`), so a port in use is reported at
once, and ``--port 0`` picks a free port.

Production without ``rivermap serve``: gunicorn's own command line over
:func:`service.asgi.create` (see the README), e.g.
``gunicorn --preload -w 2 -k uvicorn_worker.UvicornWorker 'service.asgi:create(cache="/var/cache/rivermap")'``.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the library is imported by serve(), so that binding the port is quick
    from layers.atlas import Atlas

#: uvicorn's bounds: connections at once (beyond: 503), keep-alive idle seconds
LIMIT_CONCURRENCY = 1000
KEEP_ALIVE = 5


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/rivermap/service`` (``~/.cache/rivermap/service``)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "rivermap" / "service"


def listen(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket (``port`` 0: a free one); OSError if it cannot bind.

    The protocol is named (``IPPROTO_TCP``, not 0) so that asyncio sets ``TCP_NODELAY`` on
    every accepted connection: without it Nagle's algorithm holds a small response body until
    the client's delayed ACK, 40 ms per request on keep-alive connections.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def configure_logging() -> None:
    """Access lines (``GET /path 200 1.2 ms``) and errors on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    root = logging.getLogger("rivermap")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def serve(
    atlas: Atlas,
    sock: socket.socket,
    *,
    workers: int = 1,
    cache_dir: str | Path | None = None,
    announce: Callable[[str], None] = print,
    base_url: str | None = None,
) -> None:
    """Serve ``atlas`` on ``sock`` until interrupted (SIGINT/SIGTERM end it cleanly); links
    are built on ``base_url`` when given (behind a reverse proxy)."""
    from service.app import create_app
    from service.state import build_state

    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    if not cache_dir:
        cache.mkdir(parents=True, exist_ok=True)
    app = create_app(build_state(atlas, cache, pool_workers=2, pool_queue=8), base_url=base_url)
    configure_logging()
    public = f", links on {app.state.base_url}/" if base_url else ""
    announce(
        f"rivermap: serving {url_of(sock)} with {workers} worker{'s' if workers > 1 else ''} "
        f"(cache {cache}{public}); Ctrl+C stops"
    )
    if workers == 1:
        _uvicorn(app, sock)
    else:
        _gunicorn(app, sock, workers)


def _uvicorn(app, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE,
        limit_concurrency=LIMIT_CONCURRENCY,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _gunicorn(app, sock: socket.socket, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": [f"fd://{sock.fileno()}"],
                "workers": workers,
                "worker_class": "uvicorn_worker.UvicornWorker",
                "preload_app": True,
                "accesslog": None,
                "timeout": 120,
                "graceful_timeout": 10,
                "keepalive": KEEP_ALIVE,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Application().run()
