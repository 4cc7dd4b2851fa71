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
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geo.atomic import atomic_path
from geo.errors import OutputError

log = logging.getLogger("rivermap.cache")


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

    #: files up to this size are kept in memory once read (they never change: content-addressed)
    MEMORY_FILE_LIMIT = 4 << 20
    MEMORY_FILES = 32
    #: bytes the folder may hold; beyond, the least recently written files are removed
    LIMIT_BYTES = 2 << 30

    def __init__(self, root: Path, digest: str, limit_bytes: int = LIMIT_BYTES) -> None:
        self.root = Path(root)
        self.digest = digest
        self.limit_bytes = limit_bytes
        self._blobs: dict[Path, bytes] = {}

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

    def read(self, path: Path) -> bytes | None:
        """The bytes of a small cached file (kept in memory after the first read), or None
        for a large one (serve it from disk)."""
        blob = self._blobs.get(path)
        if blob is None:
            if path.stat().st_size > self.MEMORY_FILE_LIMIT:
                return None
            blob = path.read_bytes()
            if len(self._blobs) < self.MEMORY_FILES:
                self._blobs[path] = blob
        return blob

    @contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        with open(self.root / f"{key}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _gzip(self, entry: Entry) -> None:
        if entry.gzip_path is not None and not entry.gzip_path.is_file():
            with atomic_path(entry.gzip_path, what="the compressed copy") as tmp:
                tmp.write_bytes(gzip.compress(entry.path.read_bytes(), compresslevel=6))

    def build(self, entry: Entry, write: Callable[[Path], None]) -> Entry:
        """Make ``entry`` exist: ``write(target)`` must write ``target`` atomically. Runs in a
        pool thread; an exclusive lock makes concurrent builders (other workers) wait and
        then find the file instead of writing it again."""
        with self._locked(entry.key):
            if not entry.path.is_file():
                t0 = time.perf_counter()
                write(entry.path)
                log.info("built %s in %.1f s", entry.path.name, time.perf_counter() - t0)
            self._gzip(entry)
        self.trim()
        return entry

    def build_group(
        self, key: str, entries: dict[str, Entry], write: Callable[[Path], None]
    ) -> None:
        """Make several entries exist from one job: ``write(folder)`` writes ``NAME.SUFFIX``
        for each entry name into a temporary folder beside the cache; each file is then
        renamed onto its entry (atomic), under one lock for the group."""
        with self._locked(key):
            if all(self.ready(e) for e in entries.values()):
                return
            folder = Path(tempfile.mkdtemp(prefix=".build-", dir=self.root))
            try:
                t0 = time.perf_counter()
                write(folder)
                log.info(
                    "built %s (%d files) in %.1f s", key, len(entries), time.perf_counter() - t0
                )
                for name, entry in entries.items():
                    made = folder / f"{name}{entry.path.suffix}"
                    if not made.is_file():
                        raise OutputError(f"{made.name}: was not written by the build")
                    os.replace(made, entry.path)
                    self._gzip(entry)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        self.trim()

    def trim(self) -> None:
        """Keep the folder under ``limit_bytes``: remove the least recently written files
        (a file being sent stays readable until closed)."""
        files = [
            p
            for p in self.root.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix != ".lock"
        ]
        stats = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in files), reverse=True)
        total = 0
        for _, size, path in stats:
            total += size
            if total > self.limit_bytes:
                path.unlink(missing_ok=True)
                self._blobs.pop(path, None)
