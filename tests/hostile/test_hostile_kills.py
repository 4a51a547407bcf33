"""`csei contribute` and `csei publish` killed with SIGKILL at random points: the workspace and the site
are byte-identical to a state a complete run leaves, never in between, and the next run works."""

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
from csei_graph.workspace import init
from tests.hostile.corpus import fingerprint

pytestmark = pytest.mark.slow

GOOD = Path(__file__).resolve().parents[1] / "validation" / "good" / "green-valley.ttl"
CSEI = [sys.executable, "-m", "csei_graph"]
KILLS = 4
SMALL_DATA = ("project-vocabularies.trig",)
# The one thing two runs of the same contribution write differently: when it was made.
_TIMESTAMP = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def workspace_state(folder: Path) -> dict[str, str]:
    """What a workspace holds (time stamps blanked), but for what a killed command left being written:
    a temporary file or folder, which nothing reads and the next command removes."""
    state = {}
    for name, digest in fingerprint(folder).items():
        if any(TEMPORARY.fullmatch(part) for part in Path(name).parts):
            continue
        path = folder / name
        state[name] = _TIMESTAMP.sub(b'"TIME"', path.read_bytes()).hex() if path.is_file() else digest
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


def _contribute(workspace: Path, *more: str) -> list[str]:
    return [*CSEI, "--workspace", str(workspace), "contribute", str(GOOD), "--by", "tester", *more]


def test_a_killed_contribute_leaves_the_workspace_in_a_state_of_its_own(tmp_path: Path) -> None:
    """Sending and accepting in one step writes twice (the queue's folder, then the data file): a run
    killed in between leaves the contribution filed and pending, and the next run accepts it."""
    states = []
    for name, more in (("untouched", None), ("filed", ()), ("accepted", ("--accept",))):
        reference = init(tmp_path / name).root
        if more is not None:
            subprocess.run(_contribute(reference, *more), check=True, capture_output=True)
        states.append(workspace_state(reference))
    before, filed, after = states
    assert len({str(sorted(state.items())) for state in states}) == 3
    duration = timed_run(_contribute(init(tmp_path / "timed").root, "--accept"))
    delays = random.Random(7).sample([duration * i / 20 for i in range(20)], KILLS)
    outcomes = set()
    for number, delay in enumerate(delays):
        workspace = init(tmp_path / f"killed-{number}").root
        code = killed_after(_contribute(workspace, "--accept"), delay)
        state = workspace_state(workspace)
        assert state in (before, filed, after), f"killed after {delay:.2f} s: the workspace is in between"
        outcomes.add((code, state == after))
        again = CliRunner().invoke(main, _contribute(workspace, "--accept")[len(CSEI) :])
        assert again.exit_code == 0, again.output
        assert workspace_state(workspace) == after
        assert not list(workspace.rglob(".*.tmp")), "the next run removed what the killed one left"
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
