"""Publishing: `csei publish` of the whole static site."""

import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import Check, Context, Section, Table, count, growth_table, megabytes, seconds
from csei_graph.api import open_graph
from csei_graph.settings import Settings
from csei_graph.site.build import publish

TITLE = "Publishing"
INTRO = """One call in a fresh process per size, on the built-in graph together with the synthetic graph
(loaded in memory first; the load is not counted): `publish` (what `csei publish OUTDIR` runs): one
page and three documents per resource, the listings with their facets, the ontology, shapes and query
pages, the search index, gzip dumps in six syntaxes, catalogue, VoID, sitemap and redirect rules,
built beside OUTDIR and swapped in. Publishing takes minutes at 1M: one run of each size."""
PUBLISH_TARGET_SECONDS_PER_MILLION = 1800


def _settings() -> Settings:
    return Settings.from_env().with_values(release_date="2025-01-01")


def publish_site(path: str, outdir: str) -> dict[str, Any]:
    """Load the graph, then publish the site (only the publishing is timed)."""
    store = open_graph([Path(path)], settings=_settings())
    started = time.perf_counter()
    report = publish(store, Path(outdir), _settings())
    spent = time.perf_counter() - started
    size = sum(p.stat().st_size for p in Path(outdir).rglob("*") if p.is_file())
    return {
        "seconds": spent,
        "pages": report.pages,
        "resources": report.resources,
        "files": report.files,
        "bytes": size,
    }


def run(context: Context) -> Section:
    section = Section(TITLE, INTRO)
    rows = []
    series: dict[str, dict[int, float]] = {}
    for dataset in context.datasets:
        scratch = context.scratch(f"publish-{dataset.label}")
        outdir = str(scratch / "site")
        timing = context.in_subprocess(
            "bench.bench_publish:publish_site", str(dataset.trig), outdir, runs=1, timeout=7200
        )
        shutil.rmtree(scratch, ignore_errors=True)
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
                f"`csei publish` of {dataset.label} triples within {seconds(limit)} (30 min per million)",
                seconds(spent),
                spent <= limit,
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
        growth_table("Growth of publishing times", series, context.datasets),
    ]
    return section
