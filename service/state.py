"""What the service holds while it runs: the read-only Atlas and what is derived from it once.

Built by :func:`build_state` at start-up (before any worker forks, so workers share it);
request handlers read it from ``request.app.state.service`` and never change it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from layers.atlas import Atlas
from rivermap.report import trace_rows
from service.cache import Cache, Entry
from service.catalog import Collection, catalog
from service.pool import Pool

#: packages whose code shapes what the service generates (part of the cache key)
CODE_PACKAGES = ("geo", "layers", "maps", "service")


@dataclass
class ServiceState:
    """The Atlas and its derived, read-only views; ``pool`` is created per worker process."""

    atlas: Atlas
    collections: dict[str, Collection]
    traces: dict[str, dict]
    map_pages: tuple[str, ...]
    cache: Cache
    digest: str
    pool_workers: int = 2
    pool_queue: int = 8
    build_timeout: float = 60.0
    pool: Pool | None = field(default=None, repr=False)
    #: map pages known to be in the cache, by (page, lang): content-addressed, so once there
    #: they are served without hashing keys or asking the file system again
    ready_pages: dict[tuple[str, str], Entry] = field(default_factory=dict, repr=False)

    @property
    def river_ids(self) -> tuple[str, ...]:
        """The traced rivers (the allow-list for ``rivers=``)."""
        return tuple(self.traces)

    def start(self) -> None:
        """Create this process's generation pool (called at start-up, after any fork)."""
        if self.pool is None:
            self.pool = Pool(self.pool_workers, self.pool_queue)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _package_version() -> str:
    try:
        return version("rivermap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "source"


def inputs_digest(atlas: Atlas) -> str:
    """SHA-256 of everything a generated file depends on: the input files (their bytes), the
    register, the package version and the code of the packages that generate (so a changed
    input or a new release never serves a stale cached file)."""
    h = hashlib.sha256(_package_version().encode())
    files = [Path(p) for p in atlas.sources.paths.values()]
    files.append(Path(atlas.register.path))
    root = Path(__file__).resolve().parent.parent
    for pkg in CODE_PACKAGES:
        files += sorted(
            p for p in (root / pkg).rglob("*") if p.suffix in (".py", ".j2", ".js", ".css")
        )
    for path in files:
        h.update(str(path.name).encode())
        if path.is_file():
            with path.open("rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
    for role, layer in sorted(atlas.sources.layer_names.items()):
        h.update(f"{role}::{layer}".encode())
    return h.hexdigest()


def map_pages(atlas: Atlas) -> tuple[str, ...]:
    """The pages ``rivermap.api.write_maps`` writes: the overview and one per traced river
    that is not a headwater of another (the allow-list of ``/maps/{page}.html``)."""
    return ("overview", *(r.id for r in atlas.rivers if not r.parent))


def build_state(atlas: Atlas, cache_dir: str | Path, **pool_options) -> ServiceState:
    """Everything the handlers read, computed once from ``atlas`` (which is not changed)."""
    digest = inputs_digest(atlas)
    traces = {row["river_id"]: row for row in trace_rows(atlas)}
    return ServiceState(
        atlas=atlas,
        collections=catalog(atlas),
        traces=traces,
        map_pages=map_pages(atlas),
        cache=Cache(Path(cache_dir), digest),
        digest=digest,
        **pool_options,
    )
