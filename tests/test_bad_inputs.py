"""The catalogue of hostile inputs (tests/bad_inputs): one line, non-zero exit, no traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rivermap.cli import main
from tests.bad_inputs.cases import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_one_clear_line(case, tmp_path):
    args = case.make(tmp_path)
    result = CliRunner().invoke(main, ["--quiet", *args])
    assert result.exit_code == case.exit_code, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if case.exit_code == 1:
        assert len(lines) == 1, err
        assert lines[0].startswith("rivermap: error: ")
    assert re.search(case.pattern, err), err


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
