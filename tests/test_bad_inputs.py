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
    if case.exit_code in (1, 3):  # the library raises the same (see run_library)
        _library_raises(case, args, err)
    # earlier outputs untouched, nothing half-written left beside them
    assert earlier.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_catalogue_is_large_enough():
    assert len(CASES) >= 30 + 49  # the first round's 49 and at least 30 of the second
    assert len(LIBRARY_CASES) >= 70


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


def _parse(args: list[str]) -> tuple[str, dict]:
    """A command line as click parses it: the command's name and its parameters."""
    import click

    name, rest = args[0], args[1:]
    command = main.get_command(click.Context(main), name)
    parent = click.Context(main, info_name="rivermap", obj={"quiet": True})
    return name, command.make_context(name, rest, parent=parent).params


def run_library(name: str, p: dict) -> None:
    """What the command does, through the library's public functions only (as a notebook
    user would call them): checks, flow tables, load, joins, writing."""
    from geo import numeric
    from geo.io import parse_crs
    from layers.gpkg import export_crs
    from layers.joins import JoinPolicy
    from layers.table_list import TableSpec, read_table_list
    from layers.user_flows import attach_user_flows
    from rivermap import api
    from rivermap.options import data_option, nodata_option, rivers_option

    if name == "merge-network":
        from geo.atomic_folder import check_file_target

        check_file_target(p["out_file"])
        api.merge_network(p["out_file"], data_option(p["data"]))
        return
    with numeric.using(nodata_option(p["nodata"])):
        if p["assume_crs"]:
            parse_crs(p["assume_crs"], what="--assume-crs")
        if p.get("crs"):
            export_crs(p["crs"])
        if name == "build":
            api.check_outputs(p["out_dir"], p["cog_out"])
        if name == "export":
            api.check_export(p["out_file"])
        tables = []
        if p.get("flow_table"):
            policy = JoinPolicy(
                **{k: p[f"on_{k}"] for k in ("duplicates", "bad_values", "negative", "missing")}
            )
            options = {k: p[f"flow_{k}"] for k in ("key", "value", "unit", "period", "sheet")}
            tables = [
                (
                    TableSpec(
                        path,
                        **options,
                        key_kind=p["flow_key_kind"],
                        encoding=p["flow_encoding"],
                        skip_rows=p["flow_skip_rows"],
                        policy=policy,
                    ).read(),
                    policy,
                )
                for path in p["flow_table"]
            ]
        if p.get("flow_tables"):
            default = JoinPolicy(
                **{k: p[f"on_{k}"] for k in ("duplicates", "bad_values", "negative", "missing")}
            )
            tables += [
                (spec.read(), spec.policy)
                for spec in read_table_list(p["flow_tables"], default=default)
            ]
        atlas = api.load(
            rivers=rivers_option(p["rivers"]),
            data=data_option(p["data"]),
            register=p["register_path"],
            fix_geometries=p["fix_geometries"],
            assume_crs=p["assume_crs"],
            nodata=nodata_option(p["nodata"]),
            bad_values=p["on_bad_values"],
            steps=() if name == "trace" else None,
        )
        for table, policy in tables:
            attach_user_flows(atlas, table, policy)
        if name == "build":
            api.write_outputs(atlas, p["out_dir"], crs=p["crs"], cog_out=p["cog_out"])
        if name == "export":
            api.export(atlas, p["out_file"], crs=p["crs"], rivers=rivers_option(p["rivers"]))


#: every case the library must refuse as the CLI does (data errors and output errors)
LIBRARY_CASES = [c for c in CASES if c.exit_code in (1, 3)]


def _library_raises(case, args: list[str], cli: str) -> None:
    """The library raises the project's own exception with exactly the CLI's message (an
    OutputError for exit 3)."""
    from geo.errors import OutputError, RivermapError

    name, params = _parse(args)
    with pytest.raises(OutputError if case.exit_code == 3 else RivermapError) as info:
        run_library(name, params)
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
