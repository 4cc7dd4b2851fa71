"""``rivermap`` / ``python -m rivermap``: signal handlers first, then the command line.

The handlers are installed before the CLI's imports (geopandas, GDAL, … take a second), so
Ctrl-C or SIGTERM during start-up ends with one line and exit 130 / 143 too.
"""

from __future__ import annotations

from rivermap import signals


def run() -> None:
    """The console entry point."""
    signals.install()
    try:
        from rivermap.cli import main

        main()
    except signals.Interrupted as exc:
        signals.finish(exc.signum)
    finally:
        # the outputs are complete and reported: a signal while the interpreter shuts down
        # (Python restores the default handlers then) must not look like an interrupted run
        signals.ignore()


if __name__ == "__main__":  # pragma: no cover
    run()
