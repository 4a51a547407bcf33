"""Heavy neighbours: pages served while a resource of a million statements and the dumps are rendered."""

import json
import threading
import urllib.parse
from pathlib import Path

from bench import worst
from bench.bench_serve import HTML, Load, get, hammer, start_serve
from bench.common import Check, Context, Section, Table, count, quick, seconds

TITLE = "Heavy neighbours"
HEAVY_STATEMENTS = 100_000 if quick() else 1_000_000
HEAVY = "https://w3id.org/csei/id/organisation/heavy-neighbour"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HEAVY_PAGE = "/doc/organisation/heavy-neighbour.html"
DUMPS = ("/dumps/csei.nt.gz", "/dumps/csei.ttl.gz", "/dumps/csei.jsonld.gz", "/dumps/csei.rdf.gz")
ORGANISATIONS = """SELECT DISTINCT ?o WHERE {
    ?o ?p ?x FILTER(STRSTARTS(STR(?o), "https://w3id.org/csei/id/organisation/"))
}"""
PAGE_CONNECTIONS = 2
SECONDS = 10.0 if quick() else 30.0
P99_RATIO = 2.0
WORST_RATIO = 2.0
INTRO = f"""`csei serve` (in memory, no page kept: `page_cache_entries = 0`, so every request renders its
page) publishes the built-in graph and one resource with {HEAVY_STATEMENTS:,} statements (an organisation with
that many values of one property; the admission limit `max_statements_per_resource` raised to let it
in). Two connections ask for the organisations' pages, one after the other, for {SECONDS:.0f} s: alone,
then while one more connection asks for the heavy resource's page again and again and another for
each dump in turn (N-Triples, Turtle, JSON-LD, RDF/XML), every one made anew. The pages' p99 must stay
within {P99_RATIO:g}x of what it is alone (hostile data inside the graph must not take the publisher
down).

Then `csei publish` and every export (run in this process, the median of three runs, the two graphs
taking turns) on the built-in graph with the worst input of each kind the admission policy accepts
(its limits at their defaults) against the built-in graph with as many statements in ordinary shapes:
each must finish within {WORST_RATIO:g}x of the clean graph's time."""


def run(context: Context) -> Section:
    folder = context.scratch("heavy")
    heavy = folder / "heavy.nt"
    _write_heavy(heavy)
    environment = {
        "CSEI_PAGE_CACHE_ENTRIES": "0",
        "CSEI_MAX_STATEMENTS_PER_RESOURCE": str(HEAVY_STATEMENTS + 10),
    }
    server = start_serve([heavy], folder / "server", environment=environment)
    try:
        pages = [_page_path(iri) for iri in _organisations(server.port)]
        hammer(server.port, pages, connections=PAGE_CONNECTIONS, once=True, headers=HTML)  # warm up
        alone = hammer(server.port, pages, connections=PAGE_CONNECTIONS, duration=SECONDS, headers=HTML)
        beside, heavy_load, dump_load = _with_heavy_neighbours(server.port, pages)
    finally:
        server.stop()
    ratio = beside.percentile(0.99) / alone.percentile(0.99)
    rows = [
        _row("alone", alone, "–", "–"),
        _row(
            "while the heavy page and the dumps render",
            beside,
            f"{heavy_load.requests} ({_statuses(heavy_load)}, p50 {seconds(heavy_load.percentile(0.5))})",
            f"{dump_load.requests} ({_statuses(dump_load)}, p50 {seconds(dump_load.percentile(0.5))})",
        ),
    ]
    check = Check(
        f"organisation pages' p99 while a {HEAVY_STATEMENTS:,}-statement resource and the dumps render, "
        f"within {P99_RATIO:g}x of alone",
        f"{seconds(beside.percentile(0.99))} vs {seconds(alone.percentile(0.99))}: {ratio:.2f}x",
        ratio <= P99_RATIO and beside.errors == 0,
    )
    table = Table(
        "Organisation pages (first renders), alone and beside heavy renders",
        ["pages", "requests", "rate", "p50", "p99", "5xx / failed", "heavy page renders", "dumps made"],
        rows,
        [f"{PAGE_CONNECTIONS} connections for the pages; the heavy page and the dumps one connection each."],
    )
    worst_table, worst_check = _worst_accepted(folder, context)
    return Section(TITLE, INTRO, [table, worst_table], [check, worst_check])


def _worst_accepted(folder: Path, context: Context) -> tuple[Table, Check]:
    """Publishing and exporting the worst accepted input against as many statements in ordinary shapes."""
    held = worst.write_worst(folder / "worst", context.settings)
    worst.write_clean(folder / "clean", context.settings)
    rows = worst.compare(folder / "out", folder / "clean", folder / "worst", context.settings)
    ratios = {label: bad / good for label, good, bad in rows}
    table = Table(
        "Publishing and exporting the worst accepted input",
        ["what", "clean graph", "with the worst input", "worst / clean"],
        [[label, seconds(good), seconds(bad), f"{bad / good:.2f}x"] for label, good, bad in rows],
        ["The worst input, one file each: " + "; ".join(held.values()) + "."],
    )
    slowest = max(ratios, key=ratios.__getitem__)
    check = Check(
        f"`csei publish` and every export of a graph holding the worst accepted input of each kind within "
        f"{WORST_RATIO:g}x of the clean graph",
        f"worst {ratios[slowest]:.2f}x ({slowest})",
        ratios[slowest] <= WORST_RATIO,
    )
    return table, check


def _write_heavy(path: Path) -> None:
    """The heavy resource: a type, a name and `HEAVY_STATEMENTS` values of one property."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f"<{HEAVY}> <{RDF_TYPE}> <http://www.w3.org/ns/org#Organization> .\n")
        out.write(f'<{HEAVY}> <http://www.w3.org/2000/01/rdf-schema#label> "Heavy neighbour"@en .\n')
        note = "<http://www.w3.org/2004/02/skos/core#note>"
        for index in range(HEAVY_STATEMENTS - 2):
            out.write(f'<{HEAVY}> {note} "note {index:07d} of the heavy neighbour" .\n')


def _organisations(port: int) -> list[str]:
    query = urllib.parse.urlencode({"query": ORGANISATIONS})
    status, body = get(port, f"/sparql?{query}", {"Accept": "application/sparql-results+json"})
    if status != 200:
        raise RuntimeError(f"/sparql answered {status}: {body[:200]!r}")
    found = [row["o"]["value"] for row in json.loads(body)["results"]["bindings"]]
    return sorted(iri for iri in found if iri != HEAVY)


def _page_path(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/csei/").replace("id/", "doc/", 1) + ".html"


def _with_heavy_neighbours(port: int, pages: list[str]) -> tuple[Load, Load, Load]:
    """The pages for `SECONDS`, while the heavy page and the dumps are asked for until they end."""
    stop = threading.Event()
    found: dict[str, Load] = {}

    def drive(name: str, paths: list[str], headers: dict[str, str]) -> None:
        found[name] = hammer(port, paths, connections=1, stop=stop, headers=headers)

    neighbours = [
        threading.Thread(target=drive, args=("heavy", [HEAVY_PAGE], HTML)),
        threading.Thread(target=drive, args=("dumps", list(DUMPS), {"Accept-Encoding": "gzip"})),
    ]
    for thread in neighbours:
        thread.start()
    try:
        beside = hammer(port, pages, connections=PAGE_CONNECTIONS, duration=SECONDS, headers=HTML)
    finally:
        stop.set()
        for thread in neighbours:
            thread.join()
    return beside, found["heavy"], found["dumps"]


def _row(label: str, load: Load, heavy: str, dumps: str) -> list[str]:
    return [
        label,
        count(load.requests),
        f"{load.rate:,.0f}/s",
        seconds(load.percentile(0.5)),
        seconds(load.percentile(0.99)),
        count(load.errors),
        heavy,
        dumps,
    ]


def _statuses(load: Load) -> str:
    kinds = sorted(set(load.statuses))
    return ", ".join(f"{sum(1 for s in load.statuses if s == kind)} x {kind}" for kind in kinds) or "none"
