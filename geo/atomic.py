"""Writing outputs atomically: a temporary file beside the target, renamed only when complete.

Used by every writer (HTML maps, GeoPackage, Cloud-Optimised GeoTIFFs), so that a failed,
interrupted or killed run never leaves a half-written file and never damages an earlier one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError, RivermapError

#: SQLite side files a GeoPackage writer may leave next to its file
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")


def temporary_name(target: Path) -> Path:
    """A hidden, unique name beside ``target`` that keeps its suffix (GDAL picks drivers by it)."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp{target.suffix}")


def discard(tmp: Path) -> None:
    """Remove a temporary file and any SQLite side files of it."""
    for p in (tmp, *(tmp.with_name(tmp.name + s) for s in SIDE_SUFFIXES)):
        p.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def atomic_path(
    target: str | Path,
    *,
    what: str = "the file",
    errors: tuple[type[BaseException], ...] = (OSError,),
    fsync: bool = True,
    before_rename: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends normally, sync it to disk
    and ``os.replace`` it onto ``target``. On any failure (exception, KeyboardInterrupt) the
    temporary file is removed and ``target`` stays as it was; ``errors`` raised while writing
    become :class:`geo.errors.OutputError` naming ``target``.
    """
    target = Path(target)
    tmp = temporary_name(target)
    try:
        yield tmp
        if before_rename is not None:
            before_rename(tmp)
        if fsync:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        discard(tmp)
        if isinstance(exc, errors) and not isinstance(exc, RivermapError):
            raise OutputError(
                f"{target}: cannot write {what} ({_reason(exc)}); nothing was replaced"
            ) from exc
        raise
