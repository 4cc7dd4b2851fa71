"""One content-addressed cache of generated files (maps, GeoPackages), shared by workers.

A key is the SHA-256 of the inputs' digest (:func:`service.state.inputs_digest`) plus the kind
and the normalised parameters, so one URL with the same data always maps to one file and new
data never meets an old file. Files are written with :func:`geo.atomic.atomic_path`
(temporary file, then rename), and a build takes an exclusive ``flock`` on ``KEY.lock`` so
that several worker processes asked for the same file compute it once.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from geo.atomic import atomic_path
from geo.errors import OutputError


@dataclass(frozen=True)
class Entry:
    """A cached file: its path, key (also the ETag) and, for text, a gzip twin."""

    key: str
    path: Path
    gzip_path: Path | None = None

    @property
    def etag(self) -> str:
        return f'"{self.key}"'


class Cache:
    """Files under ``root`` named by key; ``digest`` identifies the Atlas's inputs."""

    def __init__(self, root: Path, digest: str) -> None:
        self.root = Path(root)
        self.digest = digest

    def prepare(self) -> None:
        """Create the folder (its parent must exist); OutputError if it cannot be used."""
        try:
            self.root.mkdir(parents=False, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"--cache {self.root}: cannot create the folder ({exc.strerror})"
            ) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise OutputError(f"--cache {self.root}: folder is not writable")

    def key(self, kind: str, **params: object) -> str:
        """The key of one generated file (parameters must already be normalised)."""
        text = json.dumps({"inputs": self.digest, "kind": kind, **params}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def entry(self, key: str, suffix: str, *, gzip_twin: bool = False) -> Entry:
        path = self.root / f"{key}{suffix}"
        return Entry(key, path, path.with_name(path.name + ".gz") if gzip_twin else None)

    def ready(self, entry: Entry) -> bool:
        return entry.path.is_file() and (entry.gzip_path is None or entry.gzip_path.is_file())

    def build(self, entry: Entry, write: Callable[[Path], None]) -> Entry:
        """Make ``entry`` exist: ``write(target)`` must write ``target`` atomically. Runs in a
        pool thread; an exclusive lock makes concurrent builders (other workers) wait and
        then find the file instead of writing it again."""
        lock_path = self.root / f"{entry.key}.lock"
        with open(lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not entry.path.is_file():
                    write(entry.path)
                if entry.gzip_path is not None and not entry.gzip_path.is_file():
                    with atomic_path(entry.gzip_path, what="the compressed copy") as tmp:
                        tmp.write_bytes(gzip.compress(entry.path.read_bytes(), compresslevel=6))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return entry
