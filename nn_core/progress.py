"""A progress bar for the command line that draws only on a terminal.

Piped into a file, another program or a CI log, a bar is noise (and ``--json`` output
must stay one object per line), so there it draws nothing at all. rich draws it: it
decides what a terminal is the way other well-behaved tools do, and ships type hints.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Advance = Callable[[int], None]  # called with how many are done so far


@contextmanager
def progress_bar(total: int, unit: str, stream: TextIO | None = None) -> Iterator[Advance]:
    """``with progress_bar(500, "epochs") as shown: shown(done)``; quiet unless ``stream`` is a terminal."""
    from rich.console import Console  # only the commands that train import rich

    console = Console(file=stream or sys.stderr)
    if not console.is_interactive:
        yield _nothing
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (BarColumn(), MofNCompleteColumn(), TextColumn(unit), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(unit, total=total)
        yield lambda done: bar.update(task, completed=done)


def _nothing(done: int) -> None:
    """Not a terminal: nothing to draw."""
