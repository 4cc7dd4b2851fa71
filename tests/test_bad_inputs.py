"""The catalogue of hostile inputs (tests/bad_inputs): one line, non-zero exit, no traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rivermap.cli import main
from tests.bad_inputs.cases import CASES

#: what an earlier run left in the output folder; no failed run may change it
PREVIOUS = b"SQLite format 3\x00 an earlier, complete output"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_one_clear_line(case, tmp_path):
    args = case.make(tmp_path)
    earlier = tmp_path / "x.gpkg"  # the file the export cases write to
    earlier.write_bytes(PREVIOUS)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["--quiet", *args])
    assert result.exit_code == case.exit_code, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if case.exit_code == 1:
        assert len(lines) == 1, err
        assert lines[0].startswith("rivermap: error: ")
    assert re.search(case.pattern, err), err
    # earlier outputs untouched, nothing half-written left beside them
    assert earlier.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_catalogue_is_large_enough():
    assert len(CASES) >= 30


def test_real_process_prints_no_traceback(tmp_path):
    """One case through a real subprocess: exit code and stderr as a user sees them."""
    (tmp_path / "rivers.geojson").write_bytes(b"")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rivermap.cli",
            "--quiet",
            "trace",
            "--data",
            f"rivers={tmp_path / 'rivers.geojson'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "file is empty" in proc.stderr and "Traceback" not in proc.stderr


def test_fix_geometries_repairs_and_reports(tmp_path):
    """The self-intersecting basin is repaired only when asked, and the repair is reported."""
    from tests.bad_inputs.cases import self_intersecting_basin

    args = self_intersecting_basin(tmp_path)
    result = CliRunner().invoke(main, [*args, "--fix-geometries"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"basins\.gpkg: repaired 1 invalid geometries \(rows 0\) with shapely\.make_valid",
        result.stderr,
    )


def _api_kwargs(args: list[str]) -> dict | None:
    """``api.load`` arguments equivalent to a ``trace`` case's command line (None if other)."""
    if args[0] != "trace":
        return None
    kwargs: dict = {"data": {}, "steps": ()}
    it = iter(args[1:])
    for flag in it:
        value = next(it)
        if flag == "--data":
            role, _, path = value.partition("=")
            kwargs["data"][role] = path
        elif flag == "--register":
            kwargs["register"] = value
        elif flag == "--rivers":
            kwargs["rivers"] = value.split(",")
    return kwargs


def _library_cases() -> list:
    """The catalogue's data-loading cases (``trace`` with --data/--register/--rivers)."""
    import tempfile
    from pathlib import Path

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in CASES:
            args = c.make(Path(tmp))
            if c.exit_code == 1 and args[0] == "trace":
                out.append(c)
    return out


LIBRARY_CASES = _library_cases()


@pytest.mark.parametrize("case", LIBRARY_CASES, ids=[c.name for c in LIBRARY_CASES])
def test_library_raises_the_same_message(case, tmp_path):
    """The library raises the project's own exception with exactly the CLI's message."""
    from geo.errors import RivermapError
    from rivermap import api

    args = case.make(tmp_path)
    kwargs = _api_kwargs(args)
    cli = CliRunner().invoke(main, ["--quiet", *args]).stderr.strip()
    with pytest.raises(RivermapError) as info:
        api.load(**kwargs)
    assert f"rivermap: error: {info.value}" == cli


def test_unexpected_error_is_one_line_with_exit_70(tmp_path, monkeypatch):
    """An error nobody foresaw still gives one line and no traceback (a bug to report)."""
    import layers.rivers

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(layers.rivers, "lakes_layer", broken)
    monkeypatch.setattr("layers.atlas.lakes_layer", broken)
    result = CliRunner().invoke(main, ["--quiet", "trace"])
    assert result.exit_code == 70
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "rivermap: error: unexpected ZeroDivisionError: division by zero (a bug, or an input we "
        "do not check yet; run with --debug for the traceback and report it)"
    ]
    debug = CliRunner().invoke(main, ["--debug", "trace"])
    assert isinstance(debug.exception, ZeroDivisionError)
