"""Progress output for the CLI: a rich progress bar on stderr, or nothing in quiet mode.

rich is imported only when a bar is shown (a terminal, not ``--quiet``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


class Steps:
    """Counts named steps on one bar; ``__call__(text)`` starts the next step."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("starting", total=total) if progress else None
        self._started = False

    def __call__(self, text: str) -> None:
        if self._progress is None:
            return
        if self._started:
            self._progress.advance(self._task)
        self._started = True
        self._progress.update(self._task, description=text)

    def done(self) -> None:
        if self._progress is not None:
            self._progress.update(
                self._task, description="done", completed=self._progress.tasks[0].total
            )


@contextmanager
def steps(total: int, *, quiet: bool) -> Iterator[Steps]:
    """A progress bar over ``total`` steps on stderr (plain lines when stderr is not a terminal)."""
    if quiet:
        yield Steps(None, total)
        return
    if not sys.stderr.isatty():
        yield _PlainSteps()
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    if not console.is_terminal:
        yield _PlainSteps()
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        s = Steps(progress, total)
        yield s
        s.done()


class _PlainSteps(Steps):
    def __init__(self) -> None:
        super().__init__(None, 0)

    def __call__(self, text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)
