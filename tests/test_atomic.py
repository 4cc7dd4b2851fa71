"""Atomic writing (geo.atomic): complete files or none, the previous file kept on failure."""

from __future__ import annotations

import errno
import os

import pytest

from geo.atomic import atomic_path
from geo.errors import OutputError


def test_success_replaces_target_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".html" and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # not replaced before the block ends
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


@pytest.mark.parametrize(
    "exc, expected",
    [
        (OSError(errno.ENOSPC, "No space left on device"), OutputError),
        (KeyboardInterrupt(), KeyboardInterrupt),
        (ValueError("a bug"), ValueError),
    ],
)
def test_failure_keeps_previous_file(tmp_path, exc, expected):
    target = tmp_path / "rivermap.gpkg"
    target.write_bytes(b"previous complete file")
    with pytest.raises(expected) as info, atomic_path(target, what="the GeoPackage") as tmp:
        tmp.write_bytes(b"half")
        tmp.with_name(tmp.name + "-journal").write_bytes(b"journal")
        raise exc
    assert target.read_bytes() == b"previous complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rivermap.gpkg"]
    if expected is OutputError:
        assert str(info.value) == (
            f"{target}: cannot write the GeoPackage (the disk is full: no space left on device); "
            "nothing was replaced"
        )


def test_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match=r"cannot write the file \(the folder does not exist\)"):
        with atomic_path(tmp_path / "nope" / "x.tif") as tmp:
            tmp.write_bytes(b"x")


# --------------------------------------------------------------------------- folders


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_new_folder_appears_whole_or_not_at_all(tmp_path):
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    with pytest.raises(OutputError), atomic_folder(out) as stage:
        (stage / "overview.html").write_text("half a run")
        raise OutputError("the GeoPackage step failed")
    assert _names(tmp_path) == []
    with atomic_folder(out) as stage:
        (stage / "overview.html").write_text("new")
        assert not out.exists()
    assert _names(tmp_path) == ["out"] and (out / "overview.html").read_text() == "new"


def test_existing_folder_is_swapped_with_its_other_files_kept(tmp_path):
    """The previous maps are replaced together; a file the run does not write stays."""
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    out.mkdir()
    for name, text in (("overview.html", "old"), ("ili.html", "old"), ("notes.txt", "mine")):
        (out / name).write_text(text)
    inode = out.stat().st_ino
    with atomic_folder(out) as stage:
        (stage / "overview.html").write_text("new")
        (stage / "ili.html").write_text("new")
        assert (out / "overview.html").read_text() == "old"
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "overview.html": "new",
        "ili.html": "new",
        "notes.txt": "mine",
    }
    assert out.stat().st_ino != inode  # exchanged as a whole (renameat2)
    assert _names(tmp_path) == ["out"]


def test_language_sub_folders_are_swapped_too(tmp_path):
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    (out / "kk").mkdir(parents=True)
    (out / "kk" / "overview.html").write_text("old kk")
    (out / "kk" / "mine.txt").write_text("mine")
    (out / "zh").mkdir()
    (out / "zh" / "overview.html").write_text("old zh")
    with atomic_folder(out) as stage:
        (stage / "kk").mkdir()
        (stage / "kk" / "overview.html").write_text("new kk")
    assert (out / "kk" / "overview.html").read_text() == "new kk"
    assert (out / "kk" / "mine.txt").read_text() == "mine"
    assert (out / "zh" / "overview.html").read_text() == "old zh"  # not written by this run
    assert _names(tmp_path) == ["out"]


def test_the_working_folder_gets_file_by_file_replacement(tmp_path, monkeypatch):
    """``--out .`` (or a folder holding the working folder) is never swapped away."""
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    (out / "keep").mkdir(parents=True)
    (out / "overview.html").write_text("old")
    monkeypatch.chdir(out)
    inode = out.stat().st_ino
    with atomic_folder(out) as stage:
        (stage / "overview.html").write_text("new")
        (stage / "ru").mkdir()
        (stage / "ru" / "overview.html").write_text("new ru")
    assert out.stat().st_ino == inode
    assert _names(out) == ["keep", "overview.html", "ru"]
    assert (out / "overview.html").read_text() == "new"
    assert (out / "ru" / "overview.html").read_text() == "new ru"
    assert _names(tmp_path) == ["out"]


def test_a_concurrent_run_creating_the_folder_is_no_error(tmp_path):
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    with atomic_folder(out) as stage:
        (stage / "overview.html").write_text("second")
        out.mkdir()  # the other run got there first
        (out / "overview.html").write_text("first")
    assert (out / "overview.html").read_text() == "second"
    assert _names(tmp_path) == ["out"]


def test_discard_all_removes_what_a_signal_left(tmp_path):
    from geo.atomic import discard_all
    from geo.atomic_folder import atomic_folder

    out = tmp_path / "out"
    ctx = atomic_folder(out)
    stage = ctx.__enter__()
    (stage / "half.html").write_text("half")
    with atomic_path(tmp_path / "x.gpkg") as tmp:
        tmp.write_bytes(b"half")
        discard_all()  # what rivermap.signals.finish does on SIGTERM
        assert _names(tmp_path) == []
        tmp.write_bytes(b"whole")
    interrupted = KeyboardInterrupt()
    assert ctx.__exit__(KeyboardInterrupt, interrupted, None) is False
    assert _names(tmp_path) == ["x.gpkg"]


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "the disk is full: no space left on device"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EDQUOT, "the disk quota is exceeded"),
    ],
)
def test_output_errors_say_the_cause_in_words(tmp_path, code, words):
    from geo.atomic_folder import atomic_folder

    with pytest.raises(OutputError, match=rf"cannot write the map \({words}\)"):
        with (
            atomic_folder(tmp_path / "out") as stage,
            atomic_path(stage / "a.html", what="the map"),
        ):
            raise OSError(code, os.strerror(code))
    assert _names(tmp_path) == []


def test_a_library_error_on_a_full_disk_is_put_down_to_the_disk(tmp_path, monkeypatch):
    """GDAL/SQLite errors carry no errno: a full disk is recognised by the free space left."""
    import geo.atomic

    class GDALError(OSError):
        pass

    monkeypatch.setattr(geo.atomic, "disk_full", lambda folder, need=0: True)
    with pytest.raises(OutputError, match=r"\(the disk is full: no space left on device\)"):
        with atomic_path(tmp_path / "x.gpkg", what="the GeoPackage"):
            raise GDALError("sqlite3_step() failed: database or disk is full")
