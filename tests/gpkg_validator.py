"""GDAL's GeoPackage validator, run in-process from the installed ``gdal-utils`` wheel.

``osgeo_utils/samples/validate_gpkg.py`` (the script behind GDAL's own GeoPackage tests) needs
only ``sqlite3`` for vector GeoPackages: it imports ``osgeo`` inside ``try`` and skips the
raster-tile checks without it. ``gdal-utils`` declares a dependency on the ``gdal`` bindings
that pip would try to compile, so it is installed with ``pip install --no-deps gdal-utils``.
Nothing here is vendored: without the wheel the tests that need it are skipped, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def validator_messages(path: str | Path, *, extra: bool = False) -> list[str]:
    """Every error and warning GDAL's validator reports on ``path`` (``extra``: like
    ``validate_gpkg.py --extra``, checks beyond the strict requirements); [] when valid."""
    module = pytest.importorskip(
        "osgeo_utils.samples.validate_gpkg",
        reason="GDAL's GeoPackage validator: pip install --no-deps gdal-utils",
    )
    checker = module.GPKGChecker(
        str(path),
        abort_at_first_error=False,
        extra_checks=extra,
        log_msg=False,
        warning_msg=False,
        warning_as_error=False,
        myprint=lambda _msg: None,
    )
    checker.check()
    errors = [f"Req {req}: {msg}" if req else str(msg) for req, msg in checker.errors]
    return errors + [f"warning: {w}" for w in checker.warnings]
