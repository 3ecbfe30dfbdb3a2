"""What a long command shows as it works: a progress bar per step on a terminal, and informational lines.

Bars go to stderr, and only when it is a terminal: piped or logged output stays as it was. The global
`--quiet` silences both bars and informational lines; results, warnings and errors still print.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from reportgen.models import Progress

LABELS = {"download": "Downloading", "read": "Reading the sheet", "parse": "Parsing", "queries": "Querying the API",
          "build": "Building", "feeds": "Reading feeds", "send": "Sending"}
BYTES = ("download",)  # steps counted in bytes: shown as megabytes, not as a count


def is_quiet(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("quiet"))


def info(ctx: click.Context, message: str) -> None:
    """Print an informational line on stdout, unless --quiet."""
    if not is_quiet(ctx):
        click.echo(message)


@contextmanager
def progress(ctx: click.Context) -> Iterator[Progress | None]:
    """The pipeline's `progress` callback drawing bars on stderr; None (nothing to draw) when stderr is not a
    terminal or with --quiet."""
    if is_quiet(ctx) or not sys.stderr.isatty():
        yield None
        return
    bars = _Bars()
    try:
        yield bars
    finally:
        bars.close()  # also on an error or Ctrl-C: the cursor comes back and the message starts a new line


class _Bars:
    """One click progress bar per step, replaced when the step changes."""

    def __init__(self) -> None:
        self._bar = None
        self._step = ""
        self._done = 0

    def __call__(self, step: str, done: int, total: int | None) -> None:
        if step != self._step:
            self.close()
            self._bar = _bar(step, total)
            self._bar.__enter__()
            self._step, self._done = step, 0
        if step in BYTES:
            self._bar.update(done - self._done, f"{done / 1e6:.1f} MB")
        else:
            self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._step = ""


def _bar(step: str, total: int | None):
    label = f"{LABELS.get(step, step):<18}"
    options = {"label": label, "file": sys.stderr}
    if step in BYTES:
        options["item_show_func"] = lambda shown: shown
    else:
        options["show_pos"] = True
    if total is None:  # a bar that moves without a percentage: click needs an iterable of unknown length
        return click.progressbar((item for item in ()), **options)
    return click.progressbar(length=total, show_percent=True, **options)
