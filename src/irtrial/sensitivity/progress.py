"""A rich progress bar for the long resampling loops (shown only on an interactive terminal)."""

from __future__ import annotations

import contextlib
import sys

__all__ = ["progress_bar"]


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool | None = None):
    """Yield a ``progress(done, total)`` callback drawing a rich bar on stderr, or None.

    ``enabled=None`` shows the bar when stderr is a terminal.

    Examples
    --------
    >>> with progress_bar("jackknife", enabled=False) as cb:
    ...     cb is None
    True
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
