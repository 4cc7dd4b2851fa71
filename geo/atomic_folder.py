"""The outputs of one run replaced together, and output targets checked before any writing.

:func:`atomic_folder` stages a run's outputs in a temporary folder beside the target folder
and swaps them in together at the end, so a run that fails at its last step leaves every
earlier output as it was (not new maps beside an old GeoPackage).
:func:`check_folder_target` and :func:`check_file_target` refuse a target that cannot be
written before the first byte is. Temporary folders are registered with :mod:`geo.atomic`
(removed on a signal), and failures are :class:`geo.errors.OutputError` with the cause in words.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.atomic import (
    ERRNO_WORDS,
    deferred_signals,
    discard,
    read_only,
    reason,
    track_temporary,
    untrack_temporary,
)
from geo.errors import OutputError

#: a previous output folder with at most this many plain files is swapped as a whole
SWAP_MAX_ENTRIES = 200


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
        raise OutputError(f"{option} {out}: cannot write there ({ERRNO_WORDS[errno.EROFS]})")
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
        raise OutputError(f"{option} {out}: cannot write there ({ERRNO_WORDS[errno.EROFS]})")
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
        return track_temporary(stage)
    raise OutputError(
        f"{option} {out}: cannot create a temporary folder beside it ({reason(last, out.parent)})"
    ) from last


def _commit(stage: Path, out: Path, option: str) -> None:
    try:
        if stage.parent == out.parent and not out.exists():
            try:
                with deferred_signals():
                    os.rename(stage, out)
                    untrack_temporary(stage)
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
