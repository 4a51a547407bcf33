"""Publishing: `csei export` in each syntax and `csei publish` of the whole static site."""

import shutil
from pathlib import Path

from bench.common import Check, Context, Section, Table, count, growth_table, megabytes, seconds
from csei_graph.api import open_graph
from csei_graph.export import FORMATS, export_to_file
from csei_graph.settings import Settings
from csei_graph.site.build import publish

TITLE = "Publishing"
INTRO = """Each figure is one call in a fresh process, on the built-in graph together with the synthetic
graph (loaded in memory first; the load is not counted). *Export*: `export_to_file` (what `csei export
--out FILE` runs) in each syntax: canonical blank-node labels, sorted statements, the file replaced
atomically. *Publish*: `publish` (what `csei publish OUTDIR` runs): one page and three documents per
resource, the listings with their facets, the ontology, shapes and query pages, the search index, gzip
dumps in six syntaxes, catalogue, VoID, sitemap and redirect rules, built beside OUTDIR and swapped in.
*Publishing again*: the same over the site just published, after a contribution of about 1,000 triples
(only the pages whose resource or neighbours changed are written anew)."""
# Publishing 1M triples takes some minutes: one run is enough to see where the time goes.
PUBLISH_RUNS_AT_1M = 1
PUBLISH_TARGET_SECONDS_PER_MILLION = 120
INCREMENTAL_TARGET_SECONDS = 10
# A contribution of about a thousand statements: new organisations, each a member of a cluster.
CONTRIBUTED_ORGANISATIONS = 143
CLUSTERS = (
    "SELECT ?c WHERE { ?c a ?t FILTER(STRSTARTS(STR(?c), 'https://w3id.org/csei/id/cluster/')) } LIMIT 50"
)


def _settings() -> Settings:
    return Settings.from_env().with_values(release_date="2025-01-01")


def export_file(path: str, format_name: str, target: str) -> int:
    """Load the graph, then time only the export (the probe times the whole call: load excluded below)."""
    store = open_graph([Path(path)], settings=_settings())
    export_to_file(store, format_name, Path(target), settings=_settings())
    return Path(target).stat().st_size


def load_only(path: str) -> int:
    """The load alone, subtracted from the export and publish figures."""
    return len(open_graph([Path(path)], settings=_settings()))


def publish_site(path: str, outdir: str) -> dict[str, int]:
    """Load the graph and publish the site."""
    store = open_graph([Path(path)], settings=_settings())
    report = publish(store, Path(outdir), _settings())
    size = sum(p.stat().st_size for p in Path(outdir).rglob("*") if p.is_file())
    return {"pages": report.pages, "resources": report.resources, "files": report.files, "bytes": size}


def publish_again(path: str, outdir: str, contribution: str) -> dict[str, float | int]:
    """Publish the graph, then the graph with a contribution over it: the second publish's figures."""
    publish(open_graph([Path(path)], settings=_settings()), Path(outdir), _settings())
    store = open_graph([Path(path), Path(contribution)], settings=_settings())
    report = publish(store, Path(outdir), _settings())
    return {"seconds": report.seconds, "rewritten": report.rewritten, "incremental": report.incremental}


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
    export_rows, publish_rows, incremental_rows = [], [], []
    series: dict[str, dict[int, float]] = {}
    for dataset in context.datasets:
        path = str(dataset.trig)
        runs = PUBLISH_RUNS_AT_1M if dataset.triples > 500_000 else None
        load = context.in_subprocess("bench.bench_publish:load_only", path, runs=runs).median
        scratch = context.scratch(f"publish-{dataset.label}")
        for name, fmt in FORMATS.items():
            target = str(scratch / f"graph.{fmt.extension}")
            timing = context.in_subprocess("bench.bench_publish:export_file", path, name, target, runs=runs)
            spent = max(timing.median - load, 0.0)
            export_rows.append(
                [
                    dataset.label,
                    name,
                    str(len(timing.seconds)),
                    seconds(spent),
                    f"{dataset.triples / spent:,.0f}/s" if spent else "–",
                    f"{timing.result / 1e6:.1f}",
                    megabytes(timing.peak_mb),
                ]
            )
            series.setdefault(f"export {name}", {})[dataset.triples] = spent
        outdir = str(scratch / "site")
        timing = context.in_subprocess(
            "bench.bench_publish:publish_site", path, outdir, runs=runs, timeout=7200
        )
        shutil.rmtree(outdir, ignore_errors=True)
        spent = max(timing.median - load, 0.0)
        result = timing.result
        publish_rows.append(
            [
                dataset.label,
                count(dataset.triples),
                str(len(timing.seconds)),
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
                f"`csei publish` of {dataset.label} triples within {seconds(limit)} (2 min per million)",
                seconds(spent),
                spent <= limit,
            )
        )
        contribution = str(scratch / "contribution.ttl")
        context.in_subprocess("bench.bench_publish:write_contribution", path, contribution, runs=1)
        again = context.in_subprocess(
            "bench.bench_publish:publish_again", path, outdir, contribution, runs=1, timeout=7200
        ).result
        shutil.rmtree(outdir, ignore_errors=True)
        incremental_rows.append(
            [dataset.label, count(dataset.triples), count(again["rewritten"]), seconds(again["seconds"])]
        )
        section.checks.append(
            Check(
                f"{dataset.label}: publishing again after a 1,000-triple contribution within "
                f"{INCREMENTAL_TARGET_SECONDS} s",
                seconds(again["seconds"]),
                bool(again["incremental"]) and again["seconds"] <= INCREMENTAL_TARGET_SECONDS,
            )
        )
        shutil.rmtree(scratch, ignore_errors=True)
    section.tables += [
        Table(
            "Export (`csei export --out FILE`)",
            ["size", "format", "runs", "median", "triples/s", "file MB", "peak MB"],
            export_rows,
            ["Seconds after the load; `peak MB` is the whole call's, load included."],
        ),
        Table(
            "Publishing the site (`csei publish OUTDIR`)",
            [
                "size",
                "triples",
                "runs",
                "median",
                "resources",
                "pages",
                "files",
                "site MB",
                "resources/s",
                "peak MB",
            ],
            publish_rows,
            ["Seconds after the load; `peak MB` is the whole call's, load included."],
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
        growth_table("Growth of export and publishing times", series, context.datasets),
    ]
    return section
