"""The progress display: tqdm's bar with counts and time left on a terminal, plain lines in a log."""

import fcntl
import io
import os
import pty
import struct
import termios

import pytest

from csei_graph import progress as progress_module
from csei_graph.progress import ShownSteps, StepNames, progress, track


def test_a_log_gets_plain_lines_with_counts_and_time_left() -> None:
    log = io.StringIO()
    assert list(track(range(4), "synth", 4, unit="clusters", output=log, every=0)) == [0, 1, 2, 3]
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("synth: 1/4 clusters (25%), 00:00 so far, ")
    assert lines[-1].startswith("synth: 4/4 clusters (100%)")
    assert lines[-1].endswith("left")
    assert "\r" not in log.getvalue(), "no bar drawn in a log"


def test_a_short_job_writes_nothing_to_a_log() -> None:
    log = io.StringIO()
    with progress("publish", 1000, unit="pages", output=log) as shown:
        shown.advance(1000)
    assert log.getvalue() == ""


def test_a_job_of_unknown_size_says_how_far_it_got() -> None:
    log = io.StringIO()
    with progress("push", unit="triples", output=log, every=0) as shown:
        shown.advance(2500)
    assert log.getvalue().startswith("push: 2500 triples, 00:00 so far")


def test_a_terminal_gets_a_bar_with_counts() -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # as a real terminal
    try:
        with os.fdopen(terminal, "w", encoding="utf-8", closefd=False) as screen:
            with progress("synth", 3, unit="clusters", output=screen) as shown:
                shown.advance(1)
            screen.flush()
        drawn = os.read(controller, 65536).decode("utf-8", "replace")
    finally:
        os.close(terminal)
        os.close(controller)
    assert "synth" in drawn
    assert "0/3" in drawn
    assert "clusters/s" in drawn
    assert "\r" in drawn, "the bar is redrawn in place"


def test_a_log_gets_a_line_for_each_step_that_took_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    log = io.StringIO()
    monkeypatch.setattr(progress_module, "STEP_LINE_FROM_SECONDS", 0.0)
    shown = ShownSteps(log)
    shown.step("reading the index of the graph")
    shown.step("writing the pages", 3, unit="resources")
    shown.advance(2)
    shown.advance(1)
    shown.close()
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("reading the index of the graph in ")
    assert lines[1].startswith("writing the pages: 3 resources in ")
    assert all(line.endswith(" s") for line in lines)
    assert len(lines) == 2


def test_short_steps_write_nothing_to_a_log() -> None:
    log = io.StringIO()
    shown = ShownSteps(log)
    shown.step("writing the pages", 1000, unit="resources")
    shown.advance(1000)
    shown.close()
    assert log.getvalue() == ""


def test_the_api_callable_gets_each_step_name() -> None:
    names: list[str] = []
    shown = StepNames(names.append)
    shown.step("one")
    shown.advance(5)
    shown.step("two", 3)
    shown.close()
    assert names == ["one", "two"]
