"""Progress of long jobs: a bar with counts, rate and time left on a terminal, plain lines otherwise.

The one progress display of the project: every long command (publish, push, synth, large
validations) counts its work here. On a terminal tqdm draws the bar; in a log or CI a plain line
with the same counts is written now and then, and nothing at all for a job shorter than that.
A job of several steps (`Steps`) shows each step so, and in a log says how long each step that
took a while took.
"""

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

from tqdm import tqdm

Item = TypeVar("Item")
# Seconds between two plain lines (the first one comes after as long).
PLAIN_EVERY_SECONDS = 10.0
PLAIN_FORMAT = "{desc}: {n_fmt}/{total_fmt} {unit} ({percentage:.0f}%), {elapsed} so far, {remaining} left"
PLAIN_FORMAT_UNSIZED = "{desc}: {n_fmt} {unit}, {elapsed} so far"
# A step that took this many seconds or more gets a line in a log when it ends.
STEP_LINE_FROM_SECONDS = 1.0


class Progress:
    """The work done of one job, shown as it advances."""

    def __init__(self, description: str, total: int | None, unit: str, output: TextIO, every: float) -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.done = 0
        self._output = output
        self._every = every
        self.started = time.monotonic()
        self._shown = self.started
        self._bar = (
            tqdm(total=total, desc=description, unit=f" {unit}", file=output, dynamic_ncols=True, leave=False)
            if output.isatty()
            else None
        )

    def advance(self, count: int = 1) -> None:
        """Count `count` more units of work done."""
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = time.monotonic()
        if now - self._shown >= self._every:
            self._shown = now
            print(self.line(now - self.started), file=self._output, flush=True)

    def line(self, elapsed: float) -> str:
        """The plain line of the work done so far: counts, share, time spent and time left."""
        sized = self.total is not None
        return tqdm.format_meter(
            self.done,
            self.total,
            elapsed,
            prefix=self.description,
            unit=self.unit,
            bar_format=PLAIN_FORMAT if sized else PLAIN_FORMAT_UNSIZED,
        )

    def close(self) -> None:
        """Take the bar off the terminal (the command says what it did)."""
        if self._bar is not None:
            self._bar.close()


@contextmanager
def progress(
    description: str,
    total: int | None = None,
    *,
    unit: str = "items",
    output: TextIO | None = None,
    every: float = PLAIN_EVERY_SECONDS,
) -> Iterator[Progress]:
    """Show the progress of a job of `total` units (None: not known) while the block runs."""
    shown = Progress(description, total, unit, output or sys.stderr, every)
    try:
        yield shown
    finally:
        shown.close()


def track(
    items: Iterable[Item],
    description: str,
    total: int | None = None,
    *,
    unit: str = "items",
    output: TextIO | None = None,
    every: float = PLAIN_EVERY_SECONDS,
) -> Iterator[Item]:
    """The items, one by one, counted as done once the next is asked for."""
    with progress(description, total, unit=unit, output=output, every=every) as shown:
        for item in items:
            yield item
            shown.advance()


class Steps:
    """The steps of a long job, each with a count of its items when it has any; shows nothing itself."""

    def step(self, name: str, total: int | None = None, *, unit: str = "items") -> None:
        """A new step begins (with `total` items to do, when counted)."""

    def advance(self, done: int = 1) -> None:
        """Items of the current step are done."""

    def close(self) -> None:
        """The job is over."""


class StepNames(Steps):
    """Calls a function with the name of each step (what the Python API's `progress=` callables get)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say

    def step(self, name: str, total: int | None = None, *, unit: str = "items") -> None:
        self.say(name)


class ShownSteps(Steps):
    """Each step shown as `progress` shows a job; in a log, a line for each step that took a while."""

    def __init__(self, output: TextIO | None = None, every: float = PLAIN_EVERY_SECONDS) -> None:
        self._output = output or sys.stderr
        self._every = every
        self._current: Progress | None = None

    def step(self, name: str, total: int | None = None, *, unit: str = "items") -> None:
        self._end_step()
        self._current = Progress(name, total, unit, self._output, self._every)

    def advance(self, done: int = 1) -> None:
        if self._current is not None:
            self._current.advance(done)

    def close(self) -> None:
        self._end_step()

    def _end_step(self) -> None:
        shown, self._current = self._current, None
        if shown is None:
            return
        shown.close()
        elapsed = time.monotonic() - shown.started
        if not self._output.isatty() and elapsed >= STEP_LINE_FROM_SECONDS:
            counted = f": {shown.done:,} {shown.unit}" if shown.done else ""
            print(f"{shown.description}{counted} in {elapsed:.1f} s", file=self._output, flush=True)
