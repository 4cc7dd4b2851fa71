"""Writing outputs atomically: complete files (or folders of files) or nothing.

- :func:`atomic_path`: one file, written to a temporary name beside the target and renamed
  onto it only when complete (HTML maps, GeoPackage, Cloud-Optimised GeoTIFFs).
- :func:`atomic_folder`: the outputs of one run, written into a temporary folder beside the
  target folder and swapped in together at the end, so a run that fails at its last step
  leaves every earlier output as it was (not new maps beside an old GeoPackage).

Every temporary file and folder is registered while it exists; :func:`discard_all` removes
those left when a signal ends the process (the CLI calls it), so a failed, interrupted or
terminated run never leaves a half-written file and never damages an earlier one. Failures
become :class:`geo.errors.OutputError` with the cause in words (:func:`reason`: the disk is
full, the file system is read-only, permission denied, …).
"""

from __future__ import annotations

import ctypes
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
#: a previous output folder with at most this many plain files is swapped as a whole
SWAP_MAX_ENTRIES = 200

#: temporary files and folders of this process that still exist
_LIVE: set[Path] = set()
_LIVE_LOCK = threading.Lock()

_WORDS = {
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


def _track(p: Path) -> Path:
    with _LIVE_LOCK:
        _LIVE.add(p)
    return p


def _untrack(p: Path) -> None:
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
    _untrack(tmp)


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
    if isinstance(exc, OSError) and code in _WORDS:
        return _WORDS[code]
    if folder is not None and code is None:
        if disk_full(folder, need):
            return _WORDS[errno.ENOSPC]
        if read_only(folder):
            return _WORDS[errno.EROFS]
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
    tmp = _track(temporary_name(target))
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
            _untrack(tmp)
    except BaseException as exc:
        # a library failing in its own way on a full disk (rasterio raises a TypeError while
        # formatting GDAL's message) is still a full disk: say so
        need = _size(tmp)
        unexpected = isinstance(exc, Exception) and not isinstance(exc, errors)
        full = unexpected and disk_full(target.parent, need)
        expected = isinstance(exc, errors) and not isinstance(exc, RivermapError)
        why = _WORDS[errno.ENOSPC] if full else reason(exc, target.parent, need) if expected else ""
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
    _track(tmp)
    try:
        yield tmp
    finally:
        discard(tmp)


# --------------------------------------------------------------------------- folders


def check_folder_target(target: str | Path, *, option: str = "--out") -> Path:
    """OutputError unless ``target`` can receive a run's outputs: it is a folder or can be
    created in an existing folder, and the file system lets us write there. Writes nothing."""
    out = Path(target)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{option} {out}: exists and is not a folder")
    folder = out if out.is_dir() else out.parent
    if not folder.exists():
        raise OutputError(f"{option} {out}: parent folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{option} {out}: {folder} is not a folder")
    if read_only(folder):
        raise OutputError(f"{option} {out}: cannot write there ({_WORDS[errno.EROFS]})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {out}: cannot write there (permission denied)")
    return out


def check_file_target(target: str | Path, *, option: str = "--out") -> Path:
    """OutputError unless the file ``target`` can be (re)placed: its folder exists and the file
    system lets us write there, and ``target`` is not a folder or a special file (a device or
    a pipe is never replaced). Writes nothing."""
    out = Path(target)
    folder = out.parent
    if not folder.exists():
        raise OutputError(f"{option} {out}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{option} {out}: {folder} is not a folder")
    if out.is_dir():
        raise OutputError(f"{option} {out}: is a folder; give a file name")
    if out.exists() and not out.is_file():
        raise OutputError(
            f"{option} {out}: exists and is not a regular file (a device, a pipe or a socket); "
            "not replaced"
        )
    if read_only(folder):
        raise OutputError(f"{option} {out}: cannot write there ({_WORDS[errno.EROFS]})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {out}: cannot write there (permission denied)")
    return out


@contextmanager
def atomic_folder(target: str | Path, *, option: str = "--out") -> Iterator[Path]:
    """Yield a staging folder for a run's outputs into folder ``target``; when the block ends
    normally, the staged files replace their namesakes in ``target`` together.

    The staging folder is created beside ``target`` (inside it when only ``target`` itself is
    writable). A new ``target`` is the staging folder renamed; an existing one is exchanged
    with it in one atomic step (``renameat2(RENAME_EXCHANGE)``, the previous files the run did
    not write carried over as hard links), or, where that cannot be (a mount point, the
    working folder, sub-folders, another file system), each staged file is renamed onto its
    namesake with signals held. On failure nothing in ``target`` has changed.
    """
    out = check_folder_target(target, option=option)
    out = out.resolve() if out.is_symlink() else out
    stage = _make_stage(out, option)
    try:
        yield stage
        _commit(stage, out, option)
    except OutputError as exc:
        # a writer names the file it was writing: name it where the user will look for it
        raise OutputError(str(exc).replace(str(stage), str(out))) from exc
    finally:
        discard(stage)


def _make_stage(out: Path, option: str) -> Path:
    for folder in (out.parent, out):
        if folder is out and not out.is_dir():
            break
        stage = folder / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"
        try:
            stage.mkdir()
        except OSError as exc:
            last = exc
            continue
        return _track(stage)
    raise OutputError(
        f"{option} {out}: cannot create a temporary folder beside it ({reason(last, out.parent)})"
    ) from last


def _commit(stage: Path, out: Path, option: str) -> None:
    try:
        if stage.parent == out.parent and not out.exists():
            try:
                with deferred_signals():
                    os.rename(stage, out)
                    _untrack(stage)
                return
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                # another run created the folder meanwhile: replace its files as below
        if stage.parent == out.parent and _swappable(out):
            _carry_over(out, stage)
            with deferred_signals():
                swapped = _exchange(stage, out)
            if swapped:
                return  # ``stage`` now holds the previous outputs and is discarded
        _replace_files(stage, out)
    except OSError as exc:
        raise OutputError(
            f"{option} {out}: cannot put the new outputs in place ({reason(exc, out)}); the "
            "previous outputs are kept"
        ) from exc


def _swappable(out: Path) -> bool:
    """A previous output folder: files and folders only (no links), at most
    :data:`SWAP_MAX_ENTRIES` of them, not a mount point, not (holding) the working folder."""
    try:
        if os.path.ismount(out) or Path.cwd().resolve().is_relative_to(out.resolve()):
            return False
        count = 0
        for root, dirs, files in os.walk(out):
            for name in (*dirs, *files):
                p = Path(root, name)
                if p.is_symlink() or not (p.is_dir() or p.is_file()):
                    return False
            count += len(dirs) + len(files)
            if count > SWAP_MAX_ENTRIES:
                return False
    except OSError:
        return False
    return True


def _carry_over(out: Path, stage: Path) -> None:
    """Hard-link (or copy) the files of ``out`` the run did not write into ``stage``,
    folder by folder."""
    for entry in os.scandir(out):
        if entry.name.startswith(".") and ".tmp" in entry.name:
            continue  # another run's temporary file
        dst = stage / entry.name
        if entry.is_dir(follow_symlinks=False):
            if dst.is_dir():
                _carry_over(Path(entry.path), dst)
            elif not dst.exists():
                shutil.copytree(entry.path, dst, copy_function=_link_or_copy)
        elif not dst.exists():
            _link_or_copy(entry.path, dst)


def _link_or_copy(src: str, dst: str | Path) -> str | Path:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EBUSY, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace_files(stage: Path, out: Path) -> None:
    """Rename each staged file onto its namesake in ``out`` (sub-folders too), with signals
    held; checked first so that nothing is replaced when one cannot be."""
    out.mkdir(exist_ok=True)
    files = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    for rel in files:
        target = out / rel
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, f"{target} is a folder", str(target))
        for parent in reversed(rel.parents[:-1]):
            if (out / parent).exists() and not (out / parent).is_dir():
                raise NotADirectoryError(errno.ENOTDIR, f"{out / parent} is a file", str(out))
    with deferred_signals():
        for rel in files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, out / rel)


def staged(paths: list[Path], stage: Path, out: Path) -> list[Path]:
    """Where files written into ``stage`` are once :func:`atomic_folder` has committed."""
    return [out / p.relative_to(stage) if p.is_relative_to(stage) else p for p in paths]
