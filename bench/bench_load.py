"""Loading the graph: rdflib, the project's store and bare pyoxigraph, in memory and on disk; reopening."""

import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bench.common import (
    Call,
    Check,
    Context,
    Section,
    Table,
    Timing,
    growth_table,
    megabytes,
    ratio,
    seconds,
)
from csei_graph import admission
from csei_graph.settings import Settings
from csei_graph.sources import discover
from csei_graph.stores import disk
from csei_graph.stores.embedded import GraphStore

TITLE = "Loading and reopening the graph"
INTRO = """Each load runs in a fresh process (so its peak memory is its own), from the synthetic graph's
TriG file; the runs of the engines compared take turns, so that other work on the machine weighs on
all alike. *In memory*: rdflib's `Dataset` (Memory store), the project's `GraphStore.from_sources`
and a bare `pyoxigraph.Store().load`. *On disk*: the project's persistent store `GraphStore.open`
(content hash of the sources, bulk load, compaction, atomic swap) against a bare on-disk
`bulk_load`, with and without the same compaction (`optimize`). *Reopen*: opening the persistent
store again with unchanged sources (hashing every source to prove it unchanged) against a bare
`Store.read_only`."""
RDFLIB_RUNS_AT_1M = 1  # about a minute each


def load_rdflib(path: str) -> None:
    """rdflib's Memory store, its own TriG parser."""
    rdflib.Dataset().parse(path, format="trig")


def load_project(path: str) -> None:
    """The project's store in memory, with its strict loading."""
    GraphStore.from_sources(discover([Path(path)]), Settings.from_env())


def load_bare(path: str) -> None:
    """Bare pyoxigraph in memory."""
    ox.Store().load(path=path, format=ox.RdfFormat.TRIG)


def build_project(path: str, base: str) -> None:
    """The project's persistent store, built from nothing."""
    GraphStore.open(Path(tempfile.mkdtemp(dir=base)), discover([Path(path)]), Settings.from_env())


def build_bare(path: str, base: str, optimize: str = "") -> None:
    """A bare on-disk pyoxigraph store, bulk loaded (and compacted when `optimize`)."""
    store = ox.Store(tempfile.mkdtemp(dir=base))
    store.bulk_load(path=path, format=ox.RdfFormat.TRIG)
    if optimize:
        store.optimize()
    store.flush()


def project_parts(path: str) -> dict[str, float]:
    """What the project's load does beyond the engine's, each part timed alone on a bare store loaded
    first: the admission policy's checks (as `GraphStore.from_sources` runs them) and the sources'
    hash (what `GraphStore.open` adds)."""
    settings = Settings.from_env()
    source = Path(path)
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.TRIG)
    started = time.perf_counter()
    may_be_long, may_hold_blank = admission.file_may_hold(source, ox.RdfFormat.TRIG, settings)
    bytes_read = time.perf_counter()
    blank = []
    if may_hold_blank:
        read = ox.parse(path=path, format=ox.RdfFormat.TRIG, rename_blank_nodes=True)
        blank = admission.with_blank_nodes(read)
    parsed_again = time.perf_counter()
    admission.store_refusal(store, settings, long_terms=may_be_long, blank=blank)
    checked = time.perf_counter()
    disk.fingerprint(discover([source]), settings)
    hashed = time.perf_counter()
    return {
        "bytes read": bytes_read - started,
        "parsed again": parsed_again - bytes_read,
        "statements checked": checked - parsed_again,
        "hashed": hashed - checked,
    }


def reopen_project(path: str, directory: str) -> None:
    """The project's persistent store reopened: sources hashed, build found, opened read-only."""
    store = GraphStore.open(Path(directory), discover([Path(path)]), Settings.from_env())
    if store.rebuilt:
        raise RuntimeError("the store was rebuilt instead of reopened")


def reopen_bare(directory: str) -> None:
    """A bare on-disk pyoxigraph store opened read-only."""
    ox.Store.read_only(directory)


def run(context: Context) -> Section:
    section = Section(TITLE, INTRO)
    memory_rows, disk_rows, reopen_rows = [], [], []
    series: dict[str, dict[int, float]] = {}
    for dataset in context.datasets:
        path = str(dataset.trig)
        slow_runs = RDFLIB_RUNS_AT_1M if dataset.triples > 500_000 else None
        memory = context.in_turns(
            {
                "rdflib Memory": Call("bench.bench_load:load_rdflib", (path,), slow_runs),
                "project (memory)": Call("bench.bench_load:load_project", (path,)),
                "bare pyoxigraph (memory)": Call("bench.bench_load:load_bare", (path,)),
            }
        )
        base = context.scratch(f"load-{dataset.label}")
        disk = context.in_turns(
            {
                "project (persistent)": Call("bench.bench_load:build_project", (path, str(base))),
                "bare pyoxigraph bulk_load": Call("bench.bench_load:build_bare", (path, str(base))),
                "bare bulk_load + optimize": Call(
                    "bench.bench_load:build_bare", (path, str(base), "optimize")
                ),
            }
        )
        shutil.rmtree(base)
        reopen = _reopen(context, dataset.label, path)
        bare = memory["bare pyoxigraph (memory)"].median
        for name, timing in memory.items():
            memory_rows.append(_row(dataset.label, dataset.triples, name, timing, bare))
            series.setdefault(f"load {name}", {})[dataset.triples] = timing.median
        bare_disk = disk["bare bulk_load + optimize"].median
        for name, timing in disk.items():
            disk_rows.append(_row(dataset.label, dataset.triples, name, timing, bare_disk))
            series.setdefault(f"build {name}", {})[dataset.triples] = timing.median
        for name, timing in reopen.items():
            reopen_rows.append(
                [dataset.label, name, str(len(timing.seconds)), seconds(timing.median), timing.spread]
            )
        parts = None
        if dataset.label == "1M":  # where the load targets are checked
            parts = context.in_subprocess("bench.bench_load:project_parts", path, runs=1).result
        section.checks += _checks(dataset.label, memory, disk, reopen, parts)
    columns = ["size", "triples", "engine", "runs", "median", "min–max", "triples/s", "peak MB", "vs bare"]
    section.tables += [
        Table("In memory", columns, memory_rows, ["`vs bare`: median over bare pyoxigraph's, same size."]),
        Table(
            "On disk (persistent store)",
            columns,
            disk_rows,
            ["`vs bare`: median over the bare bulk load with the same compaction, same size."],
        ),
        Table("Reopening an unchanged store", ["size", "engine", "runs", "median", "min–max"], reopen_rows),
        growth_table("Growth of load times", series, context.datasets),
    ]
    return section


def _reopen(context: Context, label: str, path: str) -> dict[str, Timing]:
    base = context.scratch(f"reopen-{label}")
    project_dir, bare_dir = base / "project", base / "bare"
    GraphStore.open(project_dir, discover([Path(path)]), context.settings)
    bare = ox.Store(str(bare_dir))
    bare.bulk_load(path=path, format=ox.RdfFormat.TRIG)
    bare.optimize()
    bare.flush()
    del bare
    timings = context.in_turns(
        {
            "project `GraphStore.open`": Call("bench.bench_load:reopen_project", (path, str(project_dir))),
            "bare `Store.read_only`": Call("bench.bench_load:reopen_bare", (str(bare_dir),)),
        }
    )
    shutil.rmtree(base)
    return timings


def _row(label: str, triples: int, name: str, timing: Timing, bare: float) -> list[str]:
    return [
        label,
        f"{triples:,}",
        name,
        str(len(timing.seconds)),
        seconds(timing.median),
        timing.spread,
        f"{triples / timing.median:,.0f}",
        megabytes(timing.peak_mb),
        ratio(timing.median / bare),
    ]


def _checks(
    label: str,
    memory: dict[str, Timing],
    disk: dict[str, Timing],
    reopen: dict[str, Timing],
    parts: dict[str, float] | None,
) -> list[Check]:
    project, bare = memory["project (memory)"].median, memory["bare pyoxigraph (memory)"].median
    rdflib_time = memory["rdflib Memory"].median
    reopened = reopen["project `GraphStore.open`"].median
    persistent = disk["project (persistent)"].median / disk["bare bulk_load + optimize"].median
    checks = [Check(f"{label}: store reopen under 1 s", seconds(reopened), reopened < 1.0)]
    if parts is None:
        return checks
    in_memory = _load_cause(project, bare, parts)
    return [
        *checks,
        Check(
            "1M: load within 1.3× of bare pyoxigraph (in memory)",
            ratio(project / bare),
            project / bare <= 1.3,
            in_memory,
        ),
        Check(
            "1M: load within 1.3× of bare pyoxigraph (persistent, same compaction)",
            ratio(persistent),
            persistent <= 1.3,
            f"{in_memory}; the sources' content hash, which a reopening compares: {seconds(parts['hashed'])}",
        ),
        Check(
            "1M: load ≥ 10× faster than rdflib",
            ratio(rdflib_time / project),
            rdflib_time / project >= 10,
            f"rdflib's load {seconds(rdflib_time)}, the project's {seconds(project)}: {in_memory}",
        ),
    ]


def _load_cause(project: float, bare: float, parts: dict[str, float]) -> str:
    """Where the project's load goes beyond the bare engine's, from the parts timed alone."""
    return (
        f"{seconds(project - bare)} over the bare load; the admission policy's checks timed alone: "
        f"the file's bytes read for long terms and blank nodes {seconds(parts['bytes read'])} (beside "
        f"the engine's load, in another thread), the file parsed again for its blank nodes "
        f"{seconds(parts['parsed again'])} (only where its bytes may hold some), the statements per "
        f"resource and blank nodes checked {seconds(parts['statements checked'])}"
    )
