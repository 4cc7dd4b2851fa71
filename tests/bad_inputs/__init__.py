"""A catalogue of hostile inputs, each built in a temporary folder, with the error it must produce.

Every case is a function ``make(tmp: Path) -> list[str]`` returning the ``rivermap`` arguments that
feed the hostile input, registered with the exit code and a regular expression the one-line error
must match. ``tests/test_bad_inputs.py`` runs them all through the CLI.
"""
