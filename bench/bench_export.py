"""Export: `csei export` in each syntax against the bare engine's dump of the same store."""

import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.common import Check, Context, Section, Table, growth_table, megabytes, quick, ratio, seconds
from csei_graph.api import open_graph
from csei_graph.export import FORMATS, ExportFormat, canonical_statements, export_to_file
from csei_graph.settings import Settings

TITLE = "Export"
INTRO = """Each syntax is timed in a fresh process once the graph is loaded (the built-in graph together
with the synthetic graph, in memory; the load is not counted), its runs taking turns with the bare
engine's on the same store. *Export*: `export_to_file` (what `csei export --out FILE` runs):
canonical form (blank nodes labelled by RDFC-1.0, each statement once, sorted), the syntax written,
the file replaced atomically and synced to disk. *Bare dump*: what pyoxigraph alone writes for the
same content, in its own order and with its own blank node labels, into a file: `Store.dump` for
N-Quads and TriG, and for the syntaxes of one graph the union of the graphs (`CONSTRUCT WHERE
{ ?s ?p ?o }` on the union, written by the query's `serialize`); the bare N-Quads dump is also given
for every syntax, the cheapest way the engine writes every statement."""
EXPORT_TARGET_RATIO = 3.0
JSONLD_TARGET_SECONDS = 5.0
TARGET_SIZE = "1M"
UNION = "CONSTRUCT WHERE { ?s ?p ?o }"


def export_in_turns(path: str, format_name: str, folder: str, runs: str) -> dict[str, Any]:
    """Load the graph once, then export it and dump it bare in turns; the seconds of each."""
    settings = Settings.from_env()
    store = open_graph([Path(path)], settings=settings)
    fmt = FORMATS[format_name]
    target, bare_target = Path(folder) / f"graph.{fmt.extension}", Path(folder) / f"bare.{fmt.extension}"
    timings: dict[str, list[float]] = {"project": [], "bare": [], "bare nquads": [], "canonical": []}
    for _ in range(int(runs)):
        started = time.perf_counter()
        export_to_file(store, format_name, target, settings=settings)
        timings["project"].append(time.perf_counter() - started)
        # The canonical form alone, as export_to_file makes it: the share of the export it takes.
        started = time.perf_counter()
        canonical_statements(store, union=not fmt.holds_graphs)
        timings["canonical"].append(time.perf_counter() - started)
        started = time.perf_counter()
        _bare(store, fmt, bare_target)
        timings["bare"].append(time.perf_counter() - started)
        started = time.perf_counter()
        bare_target.with_suffix(".nq").write_bytes(store.dump(ox.RdfFormat.N_QUADS))
        timings["bare nquads"].append(time.perf_counter() - started)
    return {**timings, "bytes": target.stat().st_size}


def _bare(store: Any, fmt: ExportFormat, target: Path) -> None:
    if fmt.holds_graphs and fmt.syntax is not None:
        target.write_bytes(store.dump(fmt.syntax))
    else:
        store.query(UNION).serialize(output=str(target), format=fmt.syntax or ox.RdfFormat.JSON_LD)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def run(context: Context) -> Section:
    section = Section(TITLE, INTRO)
    rows = []
    series: dict[str, dict[int, float]] = {}
    for dataset in context.datasets:
        scratch = context.scratch(f"export-{dataset.label}")
        for name, fmt in FORMATS.items():
            runs = 1 if quick() else (3 if dataset.triples > 500_000 else 5)
            timing = context.in_subprocess(
                "bench.bench_export:export_in_turns", str(dataset.trig), name, str(scratch), str(runs), runs=1
            )
            measured = timing.result
            project, bare, nquads, canonical = (
                _median(measured[k]) for k in ("project", "bare", "bare nquads", "canonical")
            )
            rows.append(
                [
                    dataset.label,
                    fmt.label,
                    str(runs),
                    seconds(project),
                    f"{dataset.triples / project:,.0f}/s",
                    seconds(bare),
                    ratio(project / bare),
                    seconds(nquads),
                    ratio(project / nquads),
                    f"{measured['bytes'] / 1e6:.1f}",
                    megabytes(timing.peak_mb),
                ]
            )
            series.setdefault(f"export {name}", {})[dataset.triples] = project
            if dataset.label == TARGET_SIZE:
                section.checks += _checks(fmt, project, bare, nquads, canonical)
    section.tables += [
        Table(
            "Export (`csei export --out FILE`) and the bare engine",
            [
                "size",
                "syntax",
                "runs",
                "export",
                "triples/s",
                "bare dump",
                "export / bare",
                "bare N-Quads dump",
                "export / bare N-Quads",
                "file MB",
                "peak MB",
            ],
            rows,
            [
                "Seconds after the load, medians of runs taking turns in one process; `peak MB`: the "
                "process's peak resident memory, load included."
            ],
        ),
        growth_table("Growth of export times", series, context.datasets),
    ]
    return section


def _checks(fmt: ExportFormat, project: float, bare: float, nquads: float, canonical: float) -> list[Check]:
    cause = (
        f"of {seconds(project)}, {seconds(canonical)} making the canonical form (blank nodes labelled by "
        f"RDFC-1.0, each statement once, sorted: what makes the export byte-deterministic) and "
        f"{seconds(max(project - canonical, 0.0))} writing {fmt.label} and syncing the file"
    )
    checks = [
        Check(
            f"{TARGET_SIZE}: `csei export` in {fmt.label} within {EXPORT_TARGET_RATIO:.0f}× of the bare "
            "engine's dump of the same store",
            f"{seconds(project)} against {seconds(bare)}: {ratio(project / bare)} "
            f"({ratio(project / nquads)} of the bare N-Quads dump)",
            project <= EXPORT_TARGET_RATIO * bare,
            cause,
        )
    ]
    if fmt.name == "jsonld":
        checks.append(
            Check(
                f"{TARGET_SIZE}: JSON-LD export under {JSONLD_TARGET_SECONDS:.0f} s",
                seconds(project),
                project < JSONLD_TARGET_SECONDS,
                cause,
            )
        )
    return checks
