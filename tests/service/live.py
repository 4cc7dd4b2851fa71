"""Start ``rivermap serve`` (or gunicorn) as a real process on 127.0.0.1 and talk to it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

URL = re.compile(r"serving (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT = 120.0


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path
    cache: Path

    def get(self, path: str, headers: dict | None = None, timeout: float = 60.0):
        """``(status, headers, body bytes)`` of a GET (errors included, not raised); the
        headers are looked up case-insensitively."""
        req = urllib.request.Request(self.url.rstrip("/") + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def json(self, path: str):
        status, _, body = self.get(path, {"Accept": "application/json"})
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def wait_for_url(process: subprocess.Popen, log: Path, pattern: re.Pattern = URL) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = pattern.search(text)
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise RuntimeError(
                f"the server stopped with exit {process.returncode}:\n{text[-2000:]}"
            )
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not start within {START_TIMEOUT:g} s")


def wait_healthy(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}healthz did not answer within {timeout:g} s")


def start(command: list[str], folder: Path, pattern: re.Pattern = URL) -> Server:
    """Run ``command`` with stderr into ``folder/server.log`` until it prints its URL."""
    log = folder / "server.log"
    cache = folder / "cache"
    with log.open("wb") as fh:
        process = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT, cwd=folder)
    url = wait_for_url(process, log, pattern).rstrip("/") + "/"
    wait_healthy(url)
    return Server(process, url, log, cache)


def start_server(args: list[str], folder: Path) -> Server:
    """``python -m rivermap.cli --quiet ARGS --cache FOLDER/cache``."""
    cache = folder / "cache"
    cache.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "rivermap.cli", "--quiet", *args, "--cache", str(cache)]
    return start(command, folder)
