"""`pip install .` must give a working product: the wheel carries the embedded data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from layers.sources import DATA_DIR, default_sources, load_provenance

ROOT = Path(__file__).resolve().parents[1]


def test_every_role_has_a_shipped_file_and_provenance():
    sources = default_sources()
    for role, path in sources.paths.items():
        assert path.is_file(), role
        p = sources.about(role)
        assert p.licence and p.source and p.attribution
    # every data file in the folder is described in provenance.toml
    described = {p.file for p in load_provenance().values()}
    shipped = {
        p.name for p in DATA_DIR.iterdir() if p.suffix in {".geojson", ".gpkg", ".tif", ".csv"}
    }
    assert shipped == described


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    return next(out.glob("rivermap-*.whl"))


def test_wheel_carries_data_register_and_packages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in DATA_DIR.iterdir():
        if f.is_file() and f.suffix != ".py":
            assert f"layers/data/{f.name}" in names, f.name
    for pkg in ("geo", "layers", "maps", "rivermap"):
        assert f"{pkg}/__init__.py" in names
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert (
        entry
        and "rivermap = rivermap.__main__:run" in zipfile.ZipFile(wheel).read(entry[0]).decode()
    )
