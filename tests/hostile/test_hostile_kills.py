"""`csei contribute` and `csei publish` killed with SIGKILL at random points: the data folder and the site
are byte-identical to before or to the fully updated state, never in between, and the next run works."""

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.files import TEMPORARY
from csei_graph.sources import resource_dir
from tests.hostile.corpus import fingerprint

pytestmark = pytest.mark.slow

GOOD = Path(__file__).resolve().parents[1] / "validation" / "good" / "green-valley.ttl"
CSEI = [sys.executable, "-m", "csei_graph"]
KILLS = 4
SMALL_DATA = ("project-vocabularies.trig",)
# The one thing two runs of the same contribution write differently: when it was made.
_TIMESTAMP = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def data_state(folder: Path) -> dict[str, str]:
    """What the loader reads of a data folder (time stamps blanked): a killed contribute's temporary
    file is not read, and the next contribute removes it (tests/validation/test_contribute.py)."""
    state = {}
    for name, _ in fingerprint(folder).items():
        if not TEMPORARY.fullmatch(name):
            state[name] = _TIMESTAMP.sub(b'"TIME"', (folder / name).read_bytes()).hex()
    return state


def killed_after(command: list[str], delay: float) -> int:
    """Run the command, SIGKILL it after `delay` seconds if it is still running; its return code."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    return process.wait()


def timed_run(command: list[str]) -> float:
    began = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - began


def test_a_killed_contribute_leaves_the_data_before_or_after(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(resource_dir("data"), reference)
    before = data_state(reference)
    duration = timed_run([*CSEI, "--data-dir", str(reference), "contribute", str(GOOD), "--by", "tester"])
    after = data_state(reference)
    assert after != before and len(after) == len(before) + 1
    delays = random.Random(7).sample([duration * i / 20 for i in range(20)], KILLS)
    outcomes = set()
    for number, delay in enumerate(delays):
        data = tmp_path / f"data-{number}"
        shutil.copytree(resource_dir("data"), data)
        code = killed_after(
            [*CSEI, "--data-dir", str(data), "contribute", str(GOOD), "--by", "tester"], delay
        )
        state = data_state(data)
        assert state in (before, after), f"killed after {delay:.2f} s: the data folder is in between"
        outcomes.add((code, state == after))
        again = CliRunner().invoke(main, ["--data-dir", str(data), "contribute", str(GOOD), "--by", "tester"])
        assert again.exit_code == 0, again.output
        assert data_state(data) == after
        assert not list(data.glob(".*.tmp")), "the next run removed what the killed one left"
    assert any(code == -signal.SIGKILL for code, _ in outcomes), "at least one run was really killed"


def _publish(data: Path, outdir: Path, *sources: Path) -> list[str]:
    return [
        "--data-dir",
        str(data),
        "publish",
        str(outdir),
        *map(str, sources),
        "--quiet",
        "--release-date",
        "2025-01-01",
    ]


def test_a_killed_publish_leaves_the_site_before_or_after(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in SMALL_DATA:
        shutil.copy(resource_dir("data") / name, data / name)
    first = CliRunner().invoke(main, _publish(data, tmp_path / "first"))
    assert first.exit_code == 0, first.output
    before = fingerprint(tmp_path / "first")
    duration = timed_run([*CSEI, *_publish(data, tmp_path / "full", GOOD)])
    after = fingerprint(tmp_path / "full")
    assert after != before
    delays = random.Random(11).sample([duration * i / 20 for i in range(20)], KILLS - 1)
    for number, delay in enumerate(delays):
        place = tmp_path / f"kill-{number}"
        place.mkdir()
        outdir = place / "site"
        shutil.copytree(tmp_path / "first", outdir)
        killed_after([*CSEI, *_publish(data, outdir, GOOD)], delay)
        assert outdir.is_dir(), f"killed after {delay:.2f} s: the site is gone"
        assert fingerprint(outdir) in (before, after), f"killed after {delay:.2f} s: the site is in between"
        leftovers = {p.name for p in place.iterdir()} - {"site"}
        # A run killed while building, or after the swap but before removing the old site, leaves that
        # folder beside the site (never inside it); nothing reads it.
        assert all(name.startswith((".site.building-", ".site.previous-")) for name in leftovers), leftovers
        again = CliRunner().invoke(main, _publish(data, outdir, GOOD))
        assert again.exit_code == 0, again.output
        assert fingerprint(outdir) == after
