"""The progress display: tqdm's bar with counts and time left on a terminal, plain lines in a log."""

import fcntl
import io
import os
import pty
import struct
import termios

from csei_graph.progress import progress, track


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
