"""What every benchmark section uses: the datasets, timing, peak memory, growth and the report's tables."""

import gc
import itertools
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csei_graph.settings import Settings
from csei_graph.synth import write_synthetic

REPO_ROOT = Path(__file__).resolve().parents[1]
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
# Triples per synthetic cluster, measured: sizes are asked for in triples, made in clusters.
TRIPLES_PER_CLUSTER = 400
DEFECTS_PER_CLUSTER = 0.6
SEED = 42
SHORT_SECONDS = 1.0
SHORT_RUNS = 5
# The shortest loop of calls `per_call` times (seconds).
LOOP_SECONDS = 0.2
# Set by `python -m bench --quick`: each section measures less, and says so.
QUICK_VARIABLE = "CSEI_BENCH_QUICK"


def quick() -> bool:
    """Whether this is a quick run (`--quick`)."""
    return os.environ.get(QUICK_VARIABLE) == "1"


@dataclass(frozen=True)
class Dataset:
    """One synthetic graph, written in both syntaxes, with the manifest of its defects."""

    label: str
    clusters: int
    triples: int
    trig: Path
    nquads: Path
    manifest: Path
    organisations: int
    shared_organisations: int
    memberships: int
    defects: int
    trig_bytes: int


@dataclass
class Timing:
    """Seconds of each run of one measurement, and what the last run returned."""

    seconds: list[float]
    result: Any = None
    peak_mb: float | None = None

    @property
    def median(self) -> float:
        """The median of the runs."""
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        """`min–max` of the runs."""
        return f"{seconds(min(self.seconds))}–{seconds(max(self.seconds))}"


@dataclass(frozen=True)
class Table:
    """A table of the report: its title, header and rows (cells already formatted), notes below."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    notes: Sequence[str] = ()

    def markdown(self) -> str:
        """The table in Markdown; numbers are right-aligned."""
        aligned = ["---:" if _numeric_column(self.rows, i) else "---" for i in range(len(self.columns))]
        lines = [f"### {self.title}", "", _row(self.columns), _row(aligned)]
        lines += [_row(row) for row in self.rows]
        lines += ["", *(f"{note}" for note in self.notes)] if self.notes else []
        return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    """A target the project must meet, what was measured, whether it is met, and why not if it is not.

    `cause` is made from figures of the same run (where the time or the memory went), so that a miss
    is shown with what it costs and where.
    """

    target: str
    measured: str
    met: bool
    cause: str = ""


@dataclass
class Section:
    """What one module measured: an introduction, tables, and the targets it checked."""

    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass
class Context:
    """The datasets of the run, its scratch folder, its settings and its helpers."""

    datasets: list[Dataset]
    workdir: Path
    runs: int
    settings: Settings

    def scratch(self, name: str) -> Path:
        """A new empty folder under the run's scratch folder."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=False)
        return path

    def runs_for(self, first_seconds: float, runs: int | None) -> int:
        """How many runs to make: as asked, else the run's number, and at least 5 below a second."""
        if runs is not None:
            return runs
        if quick():
            return 1
        return max(self.runs, SHORT_RUNS) if first_seconds < SHORT_SECONDS else self.runs

    def timed(self, call: Callable[[], Any], runs: int | None = None) -> Timing:
        """Run `call` several times in this process; seconds of each run (garbage collected between).

        Without `runs`, a call under a second is run at least 5 times: short figures are the noisiest.
        """
        timings: list[float] = []
        result = None
        while not timings or len(timings) < self.runs_for(timings[0], runs):
            gc.collect()
            started = time.perf_counter()
            result = call()
            timings.append(time.perf_counter() - started)
        return Timing(timings, result)

    def per_call(self, call: Callable[[], Any], runs: int | None = None) -> Timing:
        """Seconds per call, as timeit measures it: each run is a loop of calls lasting at least
        `LOOP_SECONDS`, its mean taken, so that a call of microseconds is not timed alone, cold from a
        collection. A call as long as the loop is timed once per run, as `timed` times it."""
        gc.collect()
        started = time.perf_counter()
        result = call()
        first = time.perf_counter() - started
        calls = 1 if first >= LOOP_SECONDS else max(2, int(LOOP_SECONDS / max(first, 1e-7)))
        timings = [first] if calls == 1 else []
        while not timings or len(timings) < self.runs_for(timings[0], runs):
            gc.collect()
            started = time.perf_counter()
            for _ in range(calls):
                call()
            timings.append((time.perf_counter() - started) / calls)
        return Timing(timings, result)

    def in_subprocess(
        self, function: str, *arguments: str, runs: int | None = None, timeout: float = 900
    ) -> Timing:
        """Run `module:function(*arguments)` in a fresh process per run: seconds and peak memory.

        The function's own time is measured (not the interpreter's start); peak memory is the process's
        largest resident size over what it held once its modules were imported. What the function
        returns (JSON-able) comes back as `result`. Runs are counted as in `timed`.
        """
        return self.in_turns({"call": Call(function, arguments, runs)}, timeout=timeout)["call"]

    def in_turns(self, calls: Mapping[str, "Call"], timeout: float = 900) -> dict[str, Timing]:
        """Like `in_subprocess` for several calls whose runs take turns (A, B, C, A, B, C...).

        Figures to be compared are measured this way: whatever else loads the machine at a moment
        weighs on all of them alike, and their ratios stay true.
        """
        timings: dict[str, Timing] = {name: Timing([], peak_mb=0.0) for name in calls}
        peaks: dict[str, list[float]] = {name: [] for name in calls}

        def wanted(name: str) -> int:
            done = timings[name].seconds
            return self.runs_for(done[0], calls[name].runs) if done else 1

        while any(len(timings[name].seconds) < wanted(name) for name in calls):
            for name, call in calls.items():
                if len(timings[name].seconds) < wanted(name):
                    seconds_taken, peak, result = _probe(call, timeout)
                    timings[name].seconds.append(seconds_taken)
                    timings[name].result = result
                    peaks[name].append(peak)
        for name, timing in timings.items():
            timing.peak_mb = statistics.median(peaks[name])
        return timings


@dataclass(frozen=True)
class Call:
    """A call to measure in a fresh process: `module:function`, its arguments, its number of runs."""

    function: str
    arguments: Sequence[str] = ()
    runs: int | None = None


def _probe(call: Call, timeout: float) -> tuple[float, float, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.probe", call.function, *call.arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{call.function} {' '.join(call.arguments)} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["seconds"], report["peak_mb"], report["result"]


def make_datasets(labels: Sequence[str], workdir: Path) -> list[Dataset]:
    """Write the synthetic graph of each size (TriG and N-Quads) with its defects manifest."""
    datasets = []
    for label in labels:
        clusters = max(1, round(SIZES[label] / TRIPLES_PER_CLUSTER))
        trig, nquads = workdir / f"synthetic-{label}.trig", workdir / f"synthetic-{label}.nq"
        manifest = workdir / f"synthetic-{label}.defects.json"
        defects = round(clusters * DEFECTS_PER_CLUSTER)
        result = write_synthetic(trig, clusters, SEED, defects=defects, manifest=manifest)
        write_synthetic(nquads, clusters, SEED, defects=defects, manifest=manifest)
        datasets.append(
            Dataset(
                label,
                clusters,
                result.triples,
                trig,
                nquads,
                manifest,
                result.organisations,
                result.shared_organisations,
                result.memberships,
                len(result.defects),
                trig.stat().st_size,
            )
        )
    return datasets


def growth(points: Mapping[int, float]) -> list[float | None]:
    """Exponents k of t ∝ n^k between consecutive sizes (n triples → t), None where t is missing."""
    ordered = sorted(points.items())
    exponents: list[float | None] = []
    for (n1, t1), (n2, t2) in itertools.pairwise(ordered):
        exponents.append(math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 else None)
    return exponents


def growth_table(title: str, series: Mapping[str, Mapping[int, float]], sizes: Sequence[Dataset]) -> Table:
    """A table of growth exponents: one row per measured figure, one column per step in size.

    With a single size there is no step: the table then says so in its notes.
    """
    steps = [f"{a.label}→{b.label}" for a, b in itertools.pairwise(sizes)]
    rows = [[name, *(exponent(k) for k in growth(points))] for name, points in series.items()]
    note = "k in t ∝ n^k, n = triples, from the medians." if steps else "One size only: no growth measured."
    return Table(title, ["figure", *steps], rows, [note])


def seconds(value: float | None) -> str:
    """Seconds with three significant figures (milliseconds shown as such below 0.1 s)."""
    if value is None:
        return "–"
    if value < 0.1:
        return f"{value * 1000:.3g} ms"
    return f"{value:.3g} s"


def ratio(value: float | None) -> str:
    """A ratio like `1.07×`."""
    return "–" if value is None else f"{value:.2f}×"


def exponent(value: float | None) -> str:
    """A growth exponent to two decimals."""
    return "–" if value is None else f"{value:.2f}"


def megabytes(value: float | None) -> str:
    """Megabytes, whole."""
    return "–" if value is None else f"{value:,.0f}"


def count(value: int) -> str:
    """A whole number with thousands separators."""
    return f"{value:,}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


_NUMBER = r"[\d.,]+(?: ?(?:ms|s|MB|×|%|/s))?"
_NUMERIC = re.compile(rf"{_NUMBER}(?:–{_NUMBER})?|–")


def _numeric_column(rows: Sequence[Sequence[str]], index: int) -> bool:
    cells = [str(row[index]) for row in rows if index < len(row)]
    return bool(cells) and all(_NUMERIC.fullmatch(cell) for cell in cells)
