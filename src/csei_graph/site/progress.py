"""How `csei publish` shows its progress: a bar with counts and time left on a terminal (tqdm), plain
lines otherwise, nothing when quiet."""

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Steps of a long job, each with a count of its items when it has any; shows nothing itself."""

    def step(self, name: str, total: int | None = None) -> None:
        """A new step begins (with `total` items to do, when counted)."""

    def advance(self, done: int = 1) -> None:
        """Items of the current step are done."""

    def close(self) -> None:
        """The job is over."""


class StepNames(Progress):
    """Calls a function with the name of each step (what the Python API's `progress=` callable gets)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say

    def step(self, name: str, total: int | None = None) -> None:
        self.say(name)


class ShownProgress(Progress):
    """A tqdm bar per counted step on a terminal; on anything else a line per step and when it ends."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self._bar: tqdm | None = None
        self._name = ""
        self._total: int | None = None
        self._began = time.monotonic()

    def step(self, name: str, total: int | None = None) -> None:
        self._end_step()
        self._name, self._total, self._began = name, total, time.monotonic()
        if self.terminal and total:
            self._bar = tqdm(total=total, desc=name, unit="page", file=self.stream, dynamic_ncols=True)
        else:
            counted = f" ({total:,})" if total is not None else ""
            print(f"writing {name}{counted}...", file=self.stream, flush=True)

    def advance(self, done: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def close(self) -> None:
        self._end_step()

    def _end_step(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._name and not self.terminal:
            seconds = time.monotonic() - self._began
            counted = f" ({self._total:,})" if self._total else ""
            print(f"wrote {self._name}{counted} in {seconds:.1f} s", file=self.stream, flush=True)
        self._name, self._total = "", None
