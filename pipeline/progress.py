"""Progress bars for long steps (crawl, clean, process), with rate and ETA.

``progress(description)`` is a context manager giving an ``update(done,
total)`` callable that the stages call as they go; the stages know nothing
of rich. When the stream (stderr by default) is not a terminal, nothing is
drawn at all: logs and pipes get the run summary only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Update = Callable[[int, int | None], None]


class RateColumn(ProgressColumn):
    """Items a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "–/s", style="progress.data.speed")


def _quiet(done: int, total: int | None = None) -> None:
    return None


@contextmanager
def progress(description: str, stream: TextIO | None = None) -> Iterator[Update]:
    """``update(done, total)`` for one step; a bar on a terminal, silence elsewhere."""
    stream = stream if stream is not None else sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield _quiet
        return
    console = Console(file=stream, force_terminal=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                   console=console, transient=False)
    with bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
