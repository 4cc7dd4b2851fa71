"""The command line's rule for errors: one line on stderr and an exit code, never a traceback.

Exit codes: 0 success; 1 bad input data (file, layer, column, value); 2 bad usage (unknown option
or value, raised by click); 3 an output could not be written; 70 an unexpected error (a bug);
130 / 143 interrupted by SIGINT / SIGTERM (:mod:`rivermap.signals`). ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

import click

from geo.errors import Interrupted, OutputError, RivermapError
from rivermap import signals

EXIT_DATA, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 70, 130


def _fail(message: str, code: int) -> None:
    click.echo(f"rivermap: error: {message}", err=True)
    sys.exit(code)


def handled(func: Callable | None = None, *, hold_warnings: bool = True) -> Callable:
    """Turn the project's exceptions into one line on stderr and an exit code.

    Warnings raised on the way are kept back: printed as notes when the command succeeds,
    dropped when it fails (the one error line says what matters); ``hold_warnings=False`` for
    a command that runs until stopped (``serve``). A signal ends the command through
    :func:`rivermap.signals.finish` (exit 130 / 143), also when a library swallowed the
    exception it raised.
    """
    if func is None:
        return lambda f: handled(f, hold_warnings=hold_warnings)

    @wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = ctx.find_root().params.get("debug", False)
        try:
            with held_warnings(debug or not hold_warnings) as held:
                result = func(*args, **kwargs)
            if signals.received() is not None:
                signals.finish(signals.received())
            print_notes(ctx, [f"warning: {w}" for w in held])
            return result
        except Interrupted as exc:
            signals.finish(exc.signum)
        except KeyboardInterrupt:
            signals.finish(signals.SIGINT)
        except OutputError as exc:
            if debug:
                raise
            _fail(str(exc), EXIT_OUTPUT)
        except RivermapError as exc:
            if debug:
                raise
            _fail(str(exc), EXIT_DATA)
        except MemoryError:
            _fail("out of memory; try fewer rivers (--rivers) or a smaller DEM", EXIT_DATA)
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
            if debug:
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            _fail(
                f"unexpected {type(exc).__name__}: {first} (a bug, or an input we do not "
                "check yet; run with --debug for the traceback and report it)",
                EXIT_INTERNAL,
            )

    return wrapper


@contextmanager
def held_warnings(debug: bool) -> Iterator[list[str]]:
    """Collect the warnings of a block as distinct one-line texts (shown as usual in --debug)."""
    if debug:
        yield []
        return
    with warnings.catch_warnings(record=True) as caught:
        held: list[str] = []
        yield held
        for w in caught:
            text = (str(w.message).strip().splitlines() or [w.category.__name__])[0]
            if text not in held:
                held.append(text)


def print_notes(ctx: click.Context, lines: list[str]) -> None:
    """Print ``lines`` as ``note:`` lines on stderr, unless ``--quiet``."""
    if not ctx.find_root().obj.get("quiet"):
        for line in lines:
            click.echo(f"note: {line}", err=True)
