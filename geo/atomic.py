"""Writing outputs atomically: complete files (or folders of files) or nothing.

- :func:`atomic_path`: one file, written to a temporary name beside the target and renamed
  onto it only when complete (HTML maps, GeoPackage, Cloud-Optimised GeoTIFFs).
- :mod:`geo.atomic_folder`: the outputs of one run, written into a temporary folder beside
  the target folder and swapped in together at the end, and the checks of output targets.

Every temporary file and folder is registered while it exists; :func:`discard_all` removes
those left when a signal ends the process (the CLI calls it), so a failed, interrupted or
terminated run never leaves a half-written file and never damages an earlier one. Failures
become :class:`geo.errors.OutputError` with the cause in words (:func:`reason`: the disk is
full, the file system is read-only, permission denied, …).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError, RivermapError

#: SQLite side files a GeoPackage writer may leave next to its file
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
#: free space below which a write error without an errno is put down to a full disk (bytes;
#: SQLite and GDAL give up while several MB are still free)
FULL_DISK_BYTES = 16 << 20

#: temporary files and folders of this process that still exist
_LIVE: set[Path] = set()
_LIVE_LOCK = threading.Lock()

#: the cause of an output failure in words, by errno
ERRNO_WORDS = {
    errno.ENOSPC: "the disk is full: no space left on device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is in the way",
    errno.EEXIST: "another file is in the way",
    errno.ENAMETOOLONG: "the path is too long",
    errno.EIO: "input/output error (a failing disk or network share?)",
    errno.EFBIG: "the file is too large for this file system",
}


def track_temporary(p: Path) -> Path:
    """Register temporary file or folder ``p`` (removed by :func:`discard_all`); returns it."""
    with _LIVE_LOCK:
        _LIVE.add(p)
    return p


def untrack_temporary(p: Path) -> None:
    """Forget ``p``: it has become an output (renamed onto its target)."""
    with _LIVE_LOCK:
        _LIVE.discard(p)


def temporary_name(target: Path) -> Path:
    """A hidden, unique name beside ``target`` that keeps its suffix (GDAL picks drivers by it)."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp{target.suffix}")


def discard(tmp: Path) -> None:
    """Remove a temporary file (or folder) and any SQLite side files of it; never raises."""
    for p in (tmp, *(tmp.with_name(tmp.name + s) for s in SIDE_SUFFIXES)):
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        except OSError:
            pass
    untrack_temporary(tmp)


def discard_all() -> None:
    """Remove every temporary file and folder this process still has (after a signal)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for p in live:
        discard(p)


def disk_full(folder: Path, need: int = 0) -> bool:
    """True when the file system holding ``folder`` has (almost) no space left: less than
    :data:`FULL_DISK_BYTES` or than ``need`` bytes (what was being written)."""
    try:
        return shutil.disk_usage(folder).free < max(FULL_DISK_BYTES, need)
    except OSError:
        return False


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def read_only(folder: Path) -> bool:
    """True when ``folder`` lies on a file system mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def reason(exc: BaseException, folder: Path | None = None, need: int = 0) -> str:
    """The cause of a failed write in words: the errno's meaning, or for a library error
    (GDAL, SQLite) without one, a full disk or read-only file system if ``folder`` is on one
    (``need``: bytes that were being written)."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and code in ERRNO_WORDS:
        return ERRNO_WORDS[code]
    if folder is not None and code is None:
        if disk_full(folder, need):
            return ERRNO_WORDS[errno.ENOSPC]
        if read_only(folder):
            return ERRNO_WORDS[errno.EROFS]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (a rename that must not be cut in two)."""
    main = threading.current_thread() is threading.main_thread()
    sigs = {signal.SIGINT, signal.SIGTERM}
    if not main or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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
    become :class:`geo.errors.OutputError` naming ``target`` and the cause in words.
    """
    target = Path(target)
    tmp = track_temporary(temporary_name(target))
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
        with deferred_signals():
            os.replace(tmp, target)
            untrack_temporary(tmp)
    except BaseException as exc:
        # a library failing in its own way on a full disk (rasterio raises a TypeError while
        # formatting GDAL's message) is still a full disk: say so
        need = _size(tmp)
        unexpected = isinstance(exc, Exception) and not isinstance(exc, errors)
        full = unexpected and disk_full(target.parent, need)
        expected = isinstance(exc, errors) and not isinstance(exc, RivermapError)
        why = (
            ERRNO_WORDS[errno.ENOSPC]
            if full
            else reason(exc, target.parent, need)
            if expected
            else ""
        )
        discard(tmp)
        if full or expected:
            raise OutputError(
                f"{target}: cannot write {what} ({why}); nothing was replaced"
            ) from exc
        raise


@contextmanager
def scratch_folder(beside: str | Path, *, what: str = "the file") -> Iterator[Path]:
    """A temporary folder beside ``beside`` for intermediate files, removed when the block
    ends (also on a signal); OutputError naming ``beside`` if it cannot be created."""
    beside = Path(beside)
    tmp = beside.with_name(f".{beside.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(
            f"{beside}: cannot write {what} ({reason(exc, beside.parent)}); nothing was replaced"
        ) from exc
    track_temporary(tmp)
    try:
        yield tmp
    finally:
        discard(tmp)
