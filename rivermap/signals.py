"""SIGINT and SIGTERM at any moment: one line on stderr, exit 130 / 143, no temporary file left.

:func:`install` replaces Python's default handlers (a KeyboardInterrupt traceback for Ctrl-C,
instant death without clean-up for SIGTERM) by one that raises
:class:`geo.errors.Interrupted`; the CLI entry point installs it before importing anything
heavy, so a signal during start-up is handled too. :func:`finish` is the one way out: it
ignores further signals, removes the temporary files :mod:`geo.atomic` still holds, prints one
line and exits with ``128 + signum``.
"""

from __future__ import annotations

import sys

try:  # the C module behind ``signal``: importing it costs nothing (``signal`` pulls in enum,
    # ~15 ms at start-up during which a signal would still print a traceback)
    import _signal as signal
except ImportError:  # pragma: no cover - not CPython
    import signal

from geo.errors import Interrupted

__all__ = ["Interrupted", "finish", "ignore", "install", "received"]

SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM
SIGNALS = (SIGINT, SIGTERM)
NAMES = {signal.SIGINT: "SIGINT (Ctrl-C)", signal.SIGTERM: "SIGTERM"}

_received: list[int] = []


def _raise(signum: int, _frame: object) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (a signal the
    parent process set to be ignored, as shells do for background jobs, stays ignored)."""
    for s in SIGNALS:
        if signal.getsignal(s) is not signal.SIG_IGN:
            signal.signal(s, _raise)


def received() -> int | None:
    """The first signal received, also if a library swallowed the exception it raised."""
    return _received[0] if _received else None


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on (the work is done, or being wound up)."""
    for s in SIGNALS:
        if signal.getsignal(s) is _raise:
            signal.signal(s, signal.SIG_IGN)


def finish(signum: int) -> None:
    """Exit after a signal: clean up, one line, exit code ``128 + signum``."""
    ignore()
    atomic = sys.modules.get("geo.atomic")
    if atomic is not None:
        atomic.discard_all()
    what = NAMES.get(signum, f"signal {signum}")
    print(
        f"rivermap: interrupted by {what}; nothing was left half-written, earlier outputs "
        "are complete",
        file=sys.stderr,
        flush=True,
    )
    sys.exit(128 + signum)
