"""Command line start-up: how long `csei --help` takes, whole process, against a bare interpreter."""

import shutil
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.common import Check, Context, Section, Table, quick, seconds

TITLE = "Command line start-up"
INTRO = """Each command is run in a fresh process, wall-clock from start to exit, the interpreter's own
start included: what a person waits for. The commands take turns with a bare interpreter
(`python -c pass`), whose time is the floor. `csei --help` loads click and the command modules only;
a command's `--help` also loads the module that names its choices (for `csei query`, the stored
queries' result formats); the rest of the library a command uses is imported when it runs."""
HELP_TARGET_SECONDS = 0.3
# Start-up is short and noisy: many runs, their median.
RUNS = 21
QUICK_RUNS = 7


def _csei() -> list[str]:
    found = shutil.which("csei")
    return [found] if found else [sys.executable, "-m", "csei_graph"]


COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "csei --help": [*_csei(), "--help"],
    "csei query --help": [*_csei(), "query", "--help"],
}


def _once(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(runs: int) -> dict[str, list[float]]:
    """Seconds of each run of each command, the commands taking turns."""
    timings: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        _once(command)  # the first run reads the files from disk: not counted
    for _ in range(runs):
        for name, command in COMMANDS.items():
            timings[name].append(_once(command))
    return timings


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def run(context: Context) -> Section:
    runs = QUICK_RUNS if quick() else RUNS
    timings = measure(runs)
    rows = [
        [name, str(runs), seconds(_median(values)), f"{seconds(min(values))}–{seconds(max(values))}"]
        for name, values in timings.items()
    ]
    section = Section(TITLE, INTRO)
    section.tables.append(
        Table("Start-up of the command line", ["command", "runs", "median", "fastest–slowest"], rows)
    )
    helped = _median(timings["csei --help"])
    section.checks.append(
        Check(f"`csei --help` under {HELP_TARGET_SECONDS} s", seconds(helped), helped < HELP_TARGET_SECONDS)
    )
    return section


if __name__ == "__main__":
    for name, values in measure(QUICK_RUNS).items():
        print(f"{name}: median {seconds(_median(values))} of {len(values)} runs")
