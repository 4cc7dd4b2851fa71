"""SIGINT and SIGTERM at any moment: one line, exit 130 / 143, no temporary file left."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "rivermap", "--quiet"]
LINE = "rivermap: interrupted by {}; nothing was left half-written, earlier outputs are complete"


def _handler_installed(pid: int, signum: int) -> bool:
    """True once the process catches ``signum`` (Linux: SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(ln for ln in status.splitlines() if ln.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (signum - 1) & 1)


def _wait(predicate, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


@pytest.mark.parametrize(
    "signum, code, name",
    [(signal.SIGINT, 130, "SIGINT (Ctrl-C)"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_signal_during_start_up_imports(signum, code, name, tmp_path):
    """The signal arrives while the CLI is still importing geopandas & co (as soon as the
    handlers are in place: SIGTERM caught, which Python itself never does)."""
    proc = subprocess.Popen([*CLI, "trace"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait(lambda: _handler_installed(proc.pid, signal.SIGTERM))
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err.decode()
    assert err.decode().splitlines() == [LINE.format(name)]
    assert out == b""


def test_sigterm_while_writing_leaves_earlier_outputs_and_no_temporary(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    earlier = {"overview.html": b"earlier map", "rivermap.gpkg": b"SQLite format 3\x00 earlier"}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    proc = subprocess.Popen(
        [*CLI, "build", "--rivers", "emel", "--out", str(out)], stderr=subprocess.PIPE
    )

    def writing() -> bool:
        return any(any(stage.iterdir()) for stage in tmp_path.glob(".out.*.tmp"))

    _wait(writing, timeout=600)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err.decode()
    assert err.decode().splitlines() == [LINE.format("SIGTERM")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
