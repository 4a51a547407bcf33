"""Publishing: `csei publish` of the whole static site, and publishing again after a contribution."""

import os
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Check, Context, Section, Table, count, growth_table, megabytes, seconds
from csei_graph.api import open_graph
from csei_graph.progress import Steps
from csei_graph.settings import Settings
from csei_graph.site.build import publish

TITLE = "Publishing"
INTRO = """One call in a fresh process per size, on the built-in graph together with the synthetic graph
(loaded in memory first; the load is not counted). *Publish*: `publish` (what `csei publish OUTDIR`
runs): one page and three documents per resource, the listings with their facets, the ontology, shapes
and query pages, the search index, gzip dumps in six syntaxes, catalogue, VoID, sitemap and redirect
rules, built beside OUTDIR and swapped in. *Publishing again*: the same over the site just published,
after a contribution of about 1,000 triples (only the pages whose resource or neighbours changed are
written anew). The stored queries' checks are kept from the run's earlier commands (docs/queries.md), as
they are after a user's first command. Publishing takes minutes at 1M: one run of each."""
PUBLISH_TARGET_SECONDS_PER_MILLION = 120
INCREMENTAL_TARGET_SECONDS = 10
# A contribution of about a thousand statements: new organisations, each a member of a cluster.
CONTRIBUTED_ORGANISATIONS = 143
CLUSTERS = (
    "SELECT ?c WHERE { ?c a ?t FILTER(STRSTARTS(STR(?c), 'https://w3id.org/csei/id/cluster/')) } LIMIT 50"
)


def _settings() -> Settings:
    return Settings.from_env().with_values(release_date="2025-01-01")


class StepTimes(Steps):
    """The seconds of each step of a publish, in order (where its time goes)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []
        self._began = time.perf_counter()

    def step(self, name: str, total: int | None = None, *, unit: str = "items") -> None:
        self._end()
        self.steps.append((name, 0.0))
        self._began = time.perf_counter()

    def close(self) -> None:
        self._end()

    def _end(self) -> None:
        if self.steps:
            name, _ = self.steps[-1]
            self.steps[-1] = (name, time.perf_counter() - self._began)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its ended children (the workers that wrote pages)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed_publish(store: Any) -> Callable[[Path], dict[str, Any]]:
    def call(outdir: Path) -> dict[str, Any]:
        steps = StepTimes()
        cpu, started = _cpu_seconds(), time.perf_counter()
        report = publish(store, outdir, _settings(), progress=steps)
        spent = time.perf_counter() - started
        return {
            "seconds": spent,
            "cpu": _cpu_seconds() - cpu,
            "steps": steps.steps,
            "pages": report.pages,
            "resources": report.resources,
            "files": report.files,
            "rewritten": report.rewritten,
            "incremental": report.incremental,
        }

    return call


def publish_site(path: str, outdir: str) -> dict[str, Any]:
    """Load the graph, then publish the site (only the publishing is timed)."""
    store = open_graph([Path(path)], settings=_settings())
    result = _timed_publish(store)(Path(outdir))
    result["bytes"] = sum(p.stat().st_size for p in Path(outdir).rglob("*") if p.is_file())
    return result


def publish_again(path: str, outdir: str, contribution: str) -> dict[str, Any]:
    """Load the graph with a contribution, then publish it over the site of the graph without it."""
    store = open_graph([Path(path), Path(contribution)], settings=_settings())
    return _timed_publish(store)(Path(outdir))


def _cause(result: dict[str, Any]) -> str:
    """Where a publish's time went: its steps, and the CPU it took per resource written."""
    written = result["rewritten"] or result["resources"]
    steps = "; ".join(f"{name}: {seconds(spent)}" for name, spent in result["steps"])
    cores = os.cpu_count() or 1
    per_resource = result["cpu"] / max(written, 1)
    return (
        f"{steps}. {seconds(result['cpu'])} of CPU in all, {seconds(per_resource)} per resource written "
        f"({count(written)}; its page, three documents, its share of listings and dumps): at most "
        f"{cores / per_resource:,.0f} resources/s on this machine's {cores} cores"
    )


def write_contribution(path: str, target: str) -> int:
    """About a thousand new statements about the graph's clusters, as an accepted contribution brings."""
    store = open_graph([Path(path)], settings=_settings())
    clusters = [row["c"].value for row in store.query(CLUSTERS)]  # type: ignore[union-attr]
    lines = [
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix csei: <https://w3id.org/csei/ontology#> .",
    ]
    for number in range(CONTRIBUTED_ORGANISATIONS):
        organisation = f"<https://w3id.org/csei/id/organisation/contributed-{number}>"
        lines += [
            f'{organisation} a org:Organization ; skos:prefLabel "Contributed {number}"@en ;',
            "    csei:country <http://publications.europa.eu/resource/authority/country/BEL> .",
            f"<https://w3id.org/csei/id/membership/contributed-{number}> a org:Membership ;",
            f'    skos:prefLabel "Contributed membership {number}"@en ; org:member {organisation} ;',
            f"    org:organization <{clusters[number % len(clusters)]}> .",
        ]
    Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def run(context: Context) -> Section:
    section = Section(TITLE, INTRO)
    rows, incremental_rows = [], []
    series: dict[str, dict[int, float]] = {}
    for dataset in context.datasets:
        scratch = context.scratch(f"publish-{dataset.label}")
        outdir = str(scratch / "site")
        path = str(dataset.trig)
        timing = context.in_subprocess("bench.bench_publish:publish_site", path, outdir, runs=1, timeout=7200)
        result = timing.result
        spent = result["seconds"]
        rows.append(
            [
                dataset.label,
                count(dataset.triples),
                seconds(spent),
                count(result["resources"]),
                count(result["pages"]),
                count(result["files"]),
                f"{result['bytes'] / 1e6:.0f}",
                f"{result['resources'] / spent:,.0f}/s" if spent else "–",
                megabytes(timing.peak_mb),
            ]
        )
        series.setdefault("publish", {})[dataset.triples] = spent
        limit = PUBLISH_TARGET_SECONDS_PER_MILLION * max(dataset.triples, 1) / 1_000_000
        section.checks.append(
            Check(
                f"`csei publish` of {dataset.label} triples within {seconds(limit)} "
                f"({PUBLISH_TARGET_SECONDS_PER_MILLION} s per million)",
                seconds(spent),
                spent <= limit,
                _cause(result),
            )
        )
        contribution = str(scratch / "contribution.ttl")
        context.in_subprocess("bench.bench_publish:write_contribution", path, contribution, runs=1)
        again = context.in_subprocess(
            "bench.bench_publish:publish_again", path, outdir, contribution, runs=1, timeout=7200
        ).result
        shutil.rmtree(scratch, ignore_errors=True)
        incremental_rows.append(
            [dataset.label, count(dataset.triples), count(again["rewritten"]), seconds(again["seconds"])]
        )
        section.checks.append(
            Check(
                f"{dataset.label}: publishing again after a 1,000-triple contribution within "
                f"{INCREMENTAL_TARGET_SECONDS} s",
                seconds(again["seconds"]),
                bool(again["incremental"]) and again["seconds"] <= INCREMENTAL_TARGET_SECONDS,
                _cause(again) if again["incremental"] else "the site was published whole, not incrementally",
            )
        )
    section.tables += [
        Table(
            "Publishing the site (`csei publish OUTDIR`)",
            [
                "size",
                "triples",
                "seconds",
                "resources",
                "pages",
                "files",
                "site MB",
                "resources/s",
                "peak MB",
            ],
            rows,
            ["Seconds after the load; `peak`: the process's peak resident memory (MB), load included."],
        ),
        Table(
            "Publishing again after a contribution (`csei publish OUTDIR` over the previous site)",
            ["size", "triples", "resource pages written anew", "seconds"],
            incremental_rows,
            [
                "The contribution: 143 new organisations and their memberships of existing clusters, about "
                "1,000 triples. Seconds of the second publish alone (the load excluded)."
            ],
        ),
        growth_table("Growth of publishing times", series, context.datasets),
    ]
    return section
