"""`python -m bench`: make the synthetic datasets, run every section, write docs/benchmarks.md.

One run writes the whole document: the command, how long it took, the versions, the machine, and
for each section the machine's load while it ran (the machine may be shared). `--quick` measures
the smallest graph once, in a few minutes: what to run before a change lands.
"""

import argparse
import importlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.common import (
    QUICK_VARIABLE,
    REPO_ROOT,
    SIZES,
    Check,
    Context,
    Dataset,
    Section,
    Table,
    count,
    make_datasets,
)
from csei_graph.settings import Settings

# The sections, in the order of the report; each is bench/<name>.py (see bench/__init__.py).
SECTIONS = (
    "bench_cli",
    "bench_load",
    "bench_queries",
    "bench_validation",
    "bench_export",
    "bench_publish",
    "bench_serve",
    "bench_heavy",
    "bench_network",
    "bench_reconcile",
)
PACKAGES = (
    "csei-graph",
    "pyoxigraph",
    "oxigraph",
    "rdflib",
    "pyshacl",
    "shacl",
    "PyLD",
    "starlette",
    "uvicorn",
    "httpx",
    "rapidfuzz",
    "uvloop",
    "psutil",
)
QUICK_SIZES = "10k"
# Seconds between two readings of the machine's load.
LOAD_EVERY_SECONDS = 5.0


def main(argv: Sequence[str] | None = None) -> None:
    arguments = _parser().parse_args(argv)
    if arguments.quick:
        os.environ[QUICK_VARIABLE] = "1"
        arguments.runs = 1
        arguments.sizes = arguments.sizes or QUICK_SIZES
    labels = (arguments.sizes or ",".join(SIZES)).split(",")
    if unknown := [label for label in labels if label not in SIZES]:
        sys.exit(f"unknown size {', '.join(unknown)}: use {', '.join(SIZES)}")
    names = arguments.only.split(",") if arguments.only else list(SECTIONS)
    if unknown := [name for name in names if f"bench_{name}" not in SECTIONS and name not in SECTIONS]:
        known = ", ".join(s.removeprefix("bench_") for s in SECTIONS)
        sys.exit(f"unknown section {', '.join(unknown)}: use {known}")
    workdir = Path(tempfile.mkdtemp(prefix="csei-bench-", dir=arguments.workdir))
    # What csei keeps between runs (the stored queries' checks) starts empty, in the scratch folder:
    # the run's first command checks them, the later ones find them kept, as a user's commands do.
    os.environ["CSEI_CACHE_DIR"] = str(workdir / "cache")
    started = time.perf_counter()
    load = LoadWatch(LOAD_EVERY_SECONDS)
    load.start()
    try:
        _say(f"datasets {', '.join(labels)} in {workdir}")
        datasets = make_datasets(labels, workdir)
        context = Context(datasets, workdir, arguments.runs, Settings.from_env())
        sections = [
            _run_section(name if name in SECTIONS else f"bench_{name}", context, load) for name in names
        ]
    finally:
        load.stop()
        if not arguments.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    report = _report(command.strip(), datasets, sections, time.perf_counter() - started, load)
    _write(arguments.out, report)
    _say(f"wrote {arguments.out} in {time.perf_counter() - started:.0f} s")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes", help=f"Sizes to measure (default: {','.join(SIZES)}; --quick: {QUICK_SIZES})."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="One run of each figure, short loads, the slowest reference engines only where quick: minutes.",
    )
    parser.add_argument("--runs", type=int, default=3, help="Runs per measurement (default: %(default)s).")
    parser.add_argument("--only", help="Comma-separated sections to run (load, queries, validation, ...).")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md", help="Report to write."
    )
    parser.add_argument("--workdir", type=Path, help="Folder for the scratch folder (default: the temp dir).")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder (datasets, stores).")
    return parser


def _run_section(name: str, context: Context, load: "LoadWatch") -> Section:
    started = time.perf_counter()
    began = time.monotonic()
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"bench.{name}":
            raise
        return Section(
            name.removeprefix("bench_").title(), f"Not measured: `bench/{name}.py` does not exist."
        )
    _say(f"{name} ...")
    try:
        section = module.run(context)
    except Exception as error:  # a failing section is reported, the others still run
        traceback.print_exc()
        section = Section(
            module.TITLE, f"**This section failed in this run:** `{type(error).__name__}: {error}`"
        )
    spent = time.perf_counter() - started
    _say(f"{name} done in {spent:.0f} s")
    section.intro = (section.intro + "\n\n" if section.intro else "") + (
        f"This section took {spent / 60:.0f} minutes; {load.summary(began, time.monotonic())}"
    )
    return section


def _report(
    command: str, datasets: list[Dataset], sections: list[Section], elapsed: float, load: "LoadWatch"
) -> str:
    checks = [check for section in sections for check in section.checks]
    parts = [
        "# Benchmarks",
        "",
        "<!-- Written by `python -m bench`: change bench/, then run it again. -->",
        "",
        f"Measured on {datetime.now(UTC):%Y-%m-%d} by this command, in {elapsed / 60:.0f} minutes:",
        "",
        "```sh",
        command,
        "```",
        "",
        _machine(),
        "",
        "Every figure is the median of its runs (the `runs` column); every ratio compares figures "
        "measured in this same run, the arms compared taking turns where they run apart, so that "
        "other work on the machine weighs on both alike. What else ran is told by the machine's load "
        f"(the 1-minute load average, read every {LOAD_EVERY_SECONDS:.0f} s; "
        f"{os.cpu_count()} cores): over the whole run, {load.summary(None, None)} Each section "
        "gives its own.",
        "",
        Table("Versions", ["package", "version"], [[p, _version(p)] for p in PACKAGES]).markdown(),
        "",
        "## Targets",
        "",
        *_unmeasured(datasets),
        Table(
            "What the project must show",
            ["target", "measured", "met", "cause of a miss, from this run's figures"],
            [_check_row(c) for c in checks],
        ).markdown()
        if checks
        else "No target was measured in this run.",
        "",
        "## Datasets",
        "",
        _datasets_table(datasets).markdown(),
    ]
    for section in sections:
        parts += ["", f"## {section.title}", ""]
        if section.intro:
            parts += [section.intro, ""]
        for table in section.tables:
            parts += [table.markdown(), ""]
    return "\n".join(parts).rstrip() + "\n"


def _unmeasured(datasets: list[Dataset]) -> list[str]:
    """Words for the sizes this run left out, whose targets it therefore did not check."""
    left_out = [label for label in SIZES if label not in {d.label for d in datasets}]
    if not left_out:
        return []
    return [
        f"This run did not measure the {', '.join(left_out)} graph(s): the targets set at those sizes "
        "(among them every 1M target of export, serving, memory and validation) are not checked here.",
        "",
    ]


def _check_row(check: Check) -> list[str]:
    if check.met:
        return [check.target, check.measured, "yes", ""]
    return [check.target, check.measured, "**no**", check.cause or "not found by this run"]


def _datasets_table(datasets: list[Dataset]) -> Table:
    rows = [
        [
            d.label,
            count(d.clusters),
            count(d.triples),
            count(d.organisations),
            f"{d.shared_organisations / d.organisations:.0%}",
            count(d.memberships),
            count(d.defects),
            f"{d.trig_bytes / 1e6:.1f}",
        ]
        for d in datasets
    ]
    columns = ["size", "clusters", "triples", "organisations", "in several clusters"]
    columns += ["memberships", "defects", "TriG MB"]
    notes = [
        "Made by `csei synth --clusters N --seed 42 --defects D` (D = 0.6 per cluster), TriG and N-Quads."
    ]
    return Table("Synthetic graphs", columns, rows, notes)


def _machine() -> str:
    cpu = "unknown processor"
    memory = "unknown memory"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        cpu = next(
            line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")
        )
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").split()
        memory = f"{int(meminfo[meminfo.index('MemTotal:') + 1]) / 1024**2:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}."
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


class LoadWatch:
    """Reads the machine's 1-minute load average now and then, in a thread, to say what else ran."""

    def __init__(self, every: float) -> None:
        self._every = every
        self._readings: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while True:
            self._readings.append((time.monotonic(), os.getloadavg()[0]))
            if self._stop.wait(self._every):
                return

    def summary(self, start: float | None, end: float | None) -> str:
        """The load between two moments (None: the whole run), in words."""
        values = [
            value
            for moment, value in self._readings
            if (start is None or moment >= start) and (end is None or moment <= end)
        ]
        if not values:
            return "the machine's load was not read."
        return (
            f"the machine's load was {statistics.median(values):.1f} (median; "
            f"{min(values):.1f}–{max(values):.1f})."
        )


def _write(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
