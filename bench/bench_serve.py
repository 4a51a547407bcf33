"""Serving: start-up, requests per second and latency of `csei serve` for pages and SPARQL, and a soak."""

import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Check, Context, Dataset, Section, Table, count, growth_table, megabytes, seconds

TITLE = "Serving"
INTRO = f"""`csei serve` runs in its own process on the synthetic graph (built-in graph + the size's TriG
file), with its default settings (3 query workers, 10 s and 10,000 rows per query); the load comes from
this process over loopback, with keep-alive connections, each sending its next request as soon as
the last is answered (a closed loop, so the load is bounded by the connections). Load generator and
server share the machine's {os.cpu_count()} cores, so the rates are lower bounds for a server alone.

- *Resource page*: the HTML page of a cluster, rotating over up to 500 clusters. *First render*
  asks each page once (the server renders it from the store); *kept* asks them again and again
  (the server keeps rendered pages: the graph cannot change while it runs).
- *SPARQL lookup*: `SELECT ?p ?o WHERE {{ <cluster> ?p ?o }}` through `/sparql` (SPARQL JSON),
  rotating over the clusters; every lookup runs in a query worker, nothing is kept.
- *Persistent store*: the same, with `--store DIR` (the graph reopened from disk, read-only); its
  first render is measured on pages no process has rendered before.
- *Soak*: pages, lookups and a client sending a query bomb (a count over a threefold cartesian
  product, stopped at the time limit) all at once; memory is the proportional set size (PSS) of the
  server and its query workers, sampled twice a second."""
SAMPLE_CLUSTERS = 2000
CONNECTIONS = 8
LOAD_SECONDS = float(os.environ.get("CSEI_BENCH_SERVE_SECONDS", "20"))
SOAK_SECONDS = float(os.environ.get("CSEI_BENCH_SOAK_SECONDS", "60"))
TARGET_SIZE = "1M"
PAGES_PER_SECOND = 500
FIRST_RENDERS_PER_SECOND = 500
LOOKUPS_PER_SECOND = 200
P99_LIMIT = 0.100
CLUSTERS_QUERY = """SELECT ?c WHERE {
  VALUES ?t { <https://w3id.org/csei/ontology#CSEI> <https://w3id.org/csei/ontology#Cluster> }
  ?c a ?t FILTER(STRSTARTS(STR(?c), "https://w3id.org/csei/id/cluster/"))
} ORDER BY ?c LIMIT %d"""
LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@dataclass
class Load:
    """What a load run got: latencies and statuses of the answered requests, transport failures."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.statuses)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    @property
    def errors(self) -> int:
        """Transport failures and 5xx answers."""
        return self.failures + sum(1 for status in self.statuses if status >= 500)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def row(self, label: str, workload: str, connections: int) -> list[str]:
        return [
            label,
            workload,
            str(connections),
            count(self.requests),
            f"{self.rate:,.0f}/s",
            seconds(self.percentile(0.5)),
            seconds(self.percentile(0.99)),
            count(self.errors),
        ]


@dataclass
class Server:
    """A `csei serve` process of the benchmark."""

    process: subprocess.Popen[bytes]
    port: int
    ready_seconds: float

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Measured:
    """What one size gave: the rows of each table, the figures that grow with size, the targets."""

    startup: list[str]
    loads: list[list[str]]
    soak: list[str]
    first_render: float
    lookup: float
    checks: list[Check]


def run(context: Context) -> Section:
    measured = {dataset.triples: _measure(dataset, context) for dataset in context.datasets}
    checks = [check for figures in measured.values() for check in figures.checks]
    section = Section(TITLE, INTRO, checks=checks)
    section.tables += [
        Table(
            "Start-up: from the command to the first answer",
            ["size", "triples", "in memory", "persistent store, first start (build)", "reopened"],
            [figures.startup for figures in measured.values()],
            ["The time until `/openapi.json` first answers: the graph loaded, the query workers started."],
        ),
        Table(
            "Requests per second and latency",
            ["size", "workload", "connections", "requests", "rate", "p50", "p99", "errors"],
            [row for figures in measured.values() for row in figures.loads],
            [f"Each timed workload runs {LOAD_SECONDS:.0f} s; errors: 5xx answers and failed connections."],
        ),
        Table(
            "Soak: pages, lookups and query bombs at once",
            [
                "size",
                "seconds",
                "pages",
                "lookups",
                "bombs stopped",
                "5xx / failed",
                "p99 page",
                "p99 lookup",
                "bomb answered after",
                "memory first third MB",
                "memory last third MB",
                "peak MB",
            ],
            [figures.soak for figures in measured.values()],
            ["A bomb is answered 422 when it is stopped at the time limit (10 s)."],
        ),
        growth_table(
            "Growth with size",
            {
                "first render of a page (p50)": {n: f.first_render for n, f in measured.items()},
                "SPARQL lookup (p50)": {n: f.lookup for n, f in measured.items()},
            },
            context.datasets,
        ),
    ]
    if checks:
        rows = [[c.target, c.measured, "yes" if c.met else "**no**"] for c in checks]
        section.tables.append(Table("Targets measured here", ["target", "measured", "met"], rows))
    return section


def _measure(dataset: Dataset, context: Context) -> Measured:
    """Start the server in memory (loads and soak), then with a persistent store (built, reopened)."""
    memory = _start(dataset, context.scratch(f"serve-{dataset.label}"))
    try:
        paths, lookups = _targets(memory)
        cold = _hammer(memory.port, paths, connections=4, once=True)
        warm = _hammer(memory.port, paths, connections=CONNECTIONS, duration=LOAD_SECONDS)
        queried = _hammer(memory.port, lookups, connections=CONNECTIONS, duration=LOAD_SECONDS)
        soak = _soak(memory, paths, lookups)
    finally:
        memory.stop()
    store_dir = context.scratch(f"serve-store-{dataset.label}")
    built = _start(dataset, context.scratch(f"serve-build-{dataset.label}"), store=store_dir)
    built.stop()
    reopened = _start(dataset, context.scratch(f"serve-reopen-{dataset.label}"), store=store_dir)
    try:
        cold_on_disk = _hammer(reopened.port, paths, connections=4, once=True)
        pages_on_disk = _hammer(reopened.port, paths, connections=CONNECTIONS, duration=LOAD_SECONDS)
        lookups_on_disk = _hammer(reopened.port, lookups, connections=CONNECTIONS, duration=LOAD_SECONDS)
    finally:
        reopened.stop()
    label = dataset.label
    return Measured(
        startup=[
            label,
            count(dataset.triples),
            seconds(memory.ready_seconds),
            seconds(built.ready_seconds),
            seconds(reopened.ready_seconds),
        ],
        loads=[
            cold.row(label, "resource page, first render", 4),
            warm.row(label, "resource page, kept", CONNECTIONS),
            queried.row(label, "SPARQL lookup", CONNECTIONS),
            cold_on_disk.row(label, "resource page, first render (persistent store)", 4),
            pages_on_disk.row(label, "resource page, kept (persistent store)", CONNECTIONS),
            lookups_on_disk.row(label, "SPARQL lookup (persistent store)", CONNECTIONS),
        ],
        soak=_soak_row(dataset, soak),
        first_render=cold.percentile(0.5),
        lookup=queried.percentile(0.5),
        checks=_checks(warm, queried, soak, cold_on_disk) if label == TARGET_SIZE else [],
    )


def _start(dataset: Dataset, folder: Path, store: Path | None = None) -> Server:
    """Start `csei serve` on a dataset and wait for its first answer."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [sys.executable, "-c", "from csei_graph.cli import main; main()", "serve", str(dataset.trig)]
    command += ["--port", str(port), *(["--store", str(store)] if store else [])]
    started = time.perf_counter()
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RUST_BACKTRACE": "0"}
        )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"csei serve exited: {(folder / 'serve.log').read_text()[-2000:]}")
        try:
            if _get(port, "/openapi.json")[0] == 200:
                return Server(process, port, time.perf_counter() - started)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise TimeoutError("csei serve did not start")


def _targets(server: Server) -> tuple[list[str], list[str]]:
    """Page paths and lookup requests for the clusters of the graph."""
    query = urllib.parse.urlencode({"query": CLUSTERS_QUERY % SAMPLE_CLUSTERS})
    status, body = _get(server.port, f"/sparql?{query}", JSON_RESULTS)
    if status != 200:
        raise RuntimeError(f"the clusters query failed: {status} {body[:300]!r}")
    clusters = [b["c"]["value"] for b in json.loads(body)["results"]["bindings"]]
    base = "https://w3id.org/csei/id/"
    pages = [f"/doc/{iri[len(base) :]}.html" for iri in clusters]
    lookups = [f"/sparql?{urllib.parse.urlencode({'query': LOOKUP % iri})}" for iri in clusters]
    return pages, lookups


def _hammer(
    port: int,
    paths: Sequence[str],
    *,
    connections: int,
    duration: float | None = None,
    once: bool = False,
    headers: dict[str, str] | None = None,
    stop: threading.Event | None = None,
) -> Load:
    """Send the paths round-robin from `connections` keep-alive connections, each waiting for its answer.

    Until `duration` has passed, until `stop` is set, or (`once`) until every path was sent once.
    """
    load = Load()
    turns = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + duration if duration else None

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            turn = next(turns)
            if (once and turn >= len(paths)) or (deadline and time.perf_counter() > deadline):
                break
            if stop is not None and stop.is_set():
                break
            began = time.perf_counter()
            try:
                connection.request("GET", paths[turn % len(paths)], headers=headers or JSON_RESULTS)
                answer = connection.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    load.failures += 1
                continue
            with lock:
                load.latencies.append(time.perf_counter() - began)
                load.statuses.append(answer.status)
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.elapsed = time.perf_counter() - began
    return load


@dataclass
class Soak:
    """The loads of a soak and the memory samples (MB) taken meanwhile."""

    pages: Load
    lookups: Load
    bombs: Load
    memory_mb: list[float]
    seconds: float


def _soak(server: Server, pages: Sequence[str], lookups: Sequence[str]) -> Soak:
    stop = threading.Event()
    memory: list[float] = []
    bomb_path = "/sparql?" + urllib.parse.urlencode({"query": BOMB})
    results: dict[str, Load] = {}

    def drive(name: str, paths: Sequence[str], connections: int) -> None:
        results[name] = _hammer(server.port, paths, connections=connections, stop=stop)

    def sample() -> None:
        while not stop.wait(0.5):
            memory.append(_pss_kib(server.process.pid) / 1024)

    threads = [
        threading.Thread(target=drive, args=("pages", pages, 4)),
        threading.Thread(target=drive, args=("lookups", lookups, 2)),
        threading.Thread(target=drive, args=("bombs", [bomb_path], 1)),
        threading.Thread(target=sample),
    ]
    for thread in threads:
        thread.start()
    time.sleep(SOAK_SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return Soak(results["pages"], results["lookups"], results["bombs"], memory, SOAK_SECONDS)


def _soak_row(dataset: Dataset, soak: Soak) -> list[str]:
    third = max(1, len(soak.memory_mb) // 3)
    stopped = sum(1 for status in soak.bombs.statuses if status == 422)
    errors = soak.pages.errors + soak.lookups.errors + soak.bombs.errors
    return [
        dataset.label,
        f"{soak.seconds:.0f}",
        count(soak.pages.requests),
        count(soak.lookups.requests),
        f"{stopped} of {soak.bombs.requests}",
        count(errors),
        seconds(soak.pages.percentile(0.99)),
        seconds(soak.lookups.percentile(0.99)),
        seconds(statistics.median(soak.bombs.latencies)) if soak.bombs.latencies else "–",
        megabytes(max(soak.memory_mb[:third], default=None)),
        megabytes(max(soak.memory_mb[-third:], default=None)),
        megabytes(max(soak.memory_mb, default=None)),
    ]


def _checks(pages: Load, lookups: Load, soak: Soak, first_renders: Load) -> list[Check]:
    third = max(1, len(soak.memory_mb) // 3)
    first, last = max(soak.memory_mb[:third]), max(soak.memory_mb[-third:])
    soak_errors = soak.pages.errors + soak.lookups.errors + soak.bombs.errors
    return [
        Check(
            f"{TARGET_SIZE}: csei serve --store ≥ {FIRST_RENDERS_PER_SECOND} first renders of pages/s",
            f"{first_renders.rate:,.0f}/s, p99 {seconds(first_renders.percentile(0.99))}",
            first_renders.rate >= FIRST_RENDERS_PER_SECOND,
        ),
        Check(
            f"{TARGET_SIZE}: csei serve ≥ {PAGES_PER_SECOND} resource pages/s, p99 under 100 ms",
            f"{pages.rate:,.0f}/s, p99 {seconds(pages.percentile(0.99))}",
            pages.rate >= PAGES_PER_SECOND and pages.percentile(0.99) < P99_LIMIT,
        ),
        Check(
            f"{TARGET_SIZE}: csei serve ≥ {LOOKUPS_PER_SECOND} SPARQL lookups/s, p99 under 100 ms",
            f"{lookups.rate:,.0f}/s, p99 {seconds(lookups.percentile(0.99))}",
            lookups.rate >= LOOKUPS_PER_SECOND and lookups.percentile(0.99) < P99_LIMIT,
        ),
        Check(
            f"{TARGET_SIZE}: csei serve answers without errors",
            f"{pages.errors + lookups.errors + soak_errors} errors",
            pages.errors + lookups.errors + soak_errors == 0,
        ),
        Check(
            f"{TARGET_SIZE}: memory flat over a {SOAK_SECONDS:.0f} s load (with query bombs)",
            f"{first:,.0f} MB → {last:,.0f} MB",
            last <= first * 1.1 + 20,
        ),
    ]


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pss_kib(pid: int) -> int:
    """The proportional memory of a process and its descendants (shared pages counted once)."""
    total = 0
    for process in [pid, *_descendants(pid)]:
        try:
            rollup = Path(f"/proc/{process}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text(encoding="ascii").split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found
