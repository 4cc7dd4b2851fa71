"""A catalogue of hostile inputs, each built in a temporary folder, with the error it must produce.

Every case is a function ``make(tmp: Path) -> list[str]`` returning the ``rivermap`` arguments that
feed the hostile input, registered with the exit code and a regular expression the one-line error
must match. ``tests/test_bad_inputs.py`` runs them all through the CLI, checks that earlier outputs
stay byte-identical and nothing is left beside them, and that the library (the same steps through
its public functions) raises the project's own exception with exactly the CLI's message.

The first round lives in ``cases.py`` (files, CRS, geometries, network, register, flow tables,
outputs, rasters); the second in ``values.py`` (nodata markers, non-finite numbers and
coordinates, empty DEMs), ``files.py`` (special files, wrong or truncated containers, ``/vsizip/``)
and ``analyst.py`` (``--assume-crs``, workbook sheets, title rows, output locations).
"""
