"""A build's outputs: all of them or none, earlier ones untouched, every failure exit 3 in words.

The disk-full and read-only cases run on a real tmpfs mounted for the test when the machine
allows it (root in CI), and on an injected ``OSError`` otherwise.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.errors import OutputError
from rivermap import api
from rivermap.cli import main


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def previous(tmp_path) -> Path:
    """An earlier, complete output folder (a GeoPackage header so it may be replaced)."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("overview.html", "ili.html"):
        (out / name).write_text(f"earlier {name}")
    (out / "rivermap.gpkg").write_bytes(b"SQLite format 3\x00 earlier")
    return out


def test_failing_geopackage_step_leaves_the_earlier_maps(atlas, previous, monkeypatch):
    """The maps are written first; the GeoPackage fails: no new map may be left beside the
    old GeoPackage."""
    before = _snapshot(previous)

    def broken(*_args, **_kwargs):
        raise OutputError("rivermap.gpkg: cannot write the GeoPackage (injected)")

    monkeypatch.setattr(api, "export", broken)
    with pytest.raises(OutputError, match="injected"):
        api.write_outputs(atlas, previous)
    assert _snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["out"]


def test_outputs_replace_the_previous_ones_together(atlas, previous, tmp_path):
    (previous / "my_notes.txt").write_text("the analyst's own file")
    paths = api.write_outputs(atlas, previous)
    assert {p.name for p in paths} >= {"overview.html", "ili.html", "rivermap.gpkg"}
    assert all(p.is_relative_to(previous) and p.stat().st_size > 1000 for p in paths)
    assert {p.parent.name for p in paths} == {"out", "kk", "ru", "zh"}
    assert (previous / "my_notes.txt").read_text() == "the analyst's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a tmpfs of the given size/options under tmp_path (skip where not permitted)."""
    mounted = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True
        )
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.decode().strip()})")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


@pytest.mark.parametrize(
    "size, fails_at",
    [
        ("1m", r"\.html: cannot write the map"),
        ("6m", r"rivermap\.gpkg: cannot write the GeoPackage"),
    ],
)
def test_full_disk_is_exit_3_saying_the_disk_is_full(atlas, tmpfs, size, fails_at):
    """1 MB: the first map does not fit; 6 MB: the English maps do, the GeoPackage (SQLite and
    GDAL's raster tiles, which fail without an errno) does not."""
    small = tmpfs("small", f"size={size}")
    with pytest.raises(OutputError, match=rf"{fails_at} \(the disk is full: no space") as info:
        api.write_outputs(atlas, small / "out", langs=["en"])
    assert str(small / "out") in str(info.value)
    assert os.listdir(small) == []  # nothing half-written, no temporary folder


def test_full_disk_injected(atlas, tmp_path, monkeypatch):
    """The same without a mount: the first map write meets ENOSPC."""
    import maps.render

    def full(self, *_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(maps.render.Path, "write_text", full)
    result = CliRunner().invoke(main, ["--quiet", "build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "the disk is full: no space left on device" in result.stderr
    assert result.stderr.count("\n") == 1 and os.listdir(tmp_path) == []


def test_read_only_file_system_is_exit_3_before_any_work(tmpfs):
    ro = tmpfs("ro", "ro,size=1m")
    result = CliRunner().invoke(main, ["--quiet", "build", "--out", str(ro / "out")])
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"rivermap: error: --out {ro / 'out'}: cannot write there (the file system is read-only)"
    )
    result = CliRunner().invoke(main, ["--quiet", "export", "--out", str(ro / "x.gpkg")])
    assert result.exit_code == 3 and "the file system is read-only" in result.stderr


def test_two_runs_creating_the_same_folder(tmp_path):
    """Two real processes build into the same new --out at once: both succeed, the folder
    holds one complete set of outputs and no temporary folder."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "rivermap", "--quiet", "build", "--rivers", "emel"]
    runs = [subprocess.Popen([*cmd, "--out", str(out)], stderr=subprocess.PIPE) for _ in "ab"]
    for proc in runs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    assert names == sorted(
        f"{lang}{name}"
        for lang in ("", "kk/", "ru/", "zh/")
        for name in ("emel.html", "overview.html")
    )
    assert (out / "rivermap.gpkg").stat().st_size > 100_000


def test_cog_out_inside_a_new_out_folder(atlas, tmp_path):
    """``--out new --cog-out new/cogs``: the COG folder is staged with the maps, not refused
    because its parent does not exist yet."""
    out = tmp_path / "new"
    paths = api.write_outputs(atlas, out, langs=["en"], cog_out=out / "cogs")
    cogs = sorted(p.name for p in (out / "cogs").iterdir())
    assert "hillshade.tif" in cogs and any(n.startswith("dem_") for n in cogs)
    assert {p.parent for p in paths} == {out, out / "cogs"} and all(p.exists() for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]
