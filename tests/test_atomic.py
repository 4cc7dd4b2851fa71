"""Atomic writing (geo.atomic): complete files or none, the previous file kept on failure."""

from __future__ import annotations

import errno

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
