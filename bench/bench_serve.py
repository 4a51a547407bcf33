"""Serving: start-up, requests per second and latency of `csei serve` for pages and SPARQL, and a soak."""

import http.client
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

from bench.common import (
    Check,
    Context,
    Dataset,
    Section,
    Table,
    count,
    growth_table,
    megabytes,
    quick,
    ratio,
    seconds,
)

TITLE = "Serving"
SAMPLE_CLUSTERS = 500
FIRST_RENDER_PAGES = 100 if quick() else 1500
CONNECTIONS = 8
FIRST_RENDER_CONNECTIONS = 4
WRK = 2
ROUNDS = 1 if quick() else 2
LOAD_SECONDS = float(os.environ.get("CSEI_BENCH_SERVE_SECONDS", "3" if quick() else "10"))
SOAK_SECONDS = float(os.environ.get("CSEI_BENCH_SOAK_SECONDS", "10" if quick() else "60"))
INTRO = f"""`csei serve` runs in its own process on the synthetic graph (built-in graph + the size's TriG
file), with its default settings (3 query workers, 10 s and 10,000 rows per query), in memory and with
the persistent store (`--store DIR`, reopened read-only). `oxigraph serve-read-only` (the engine's
own server) runs on a store loaded with the same quads (the persistent store's N-Quads dump, loaded
and compacted by `oxigraph load` and `oxigraph optimize`), with `--union-default-graph` as the
project queries the union of its graphs. The load comes from this machine over loopback: `wrk`
({WRK} threads, keep-alive connections, each sending its next request as soon as the last is
answered) for the timed loads, the same Lua script and the same requests for both servers; a Python
client for the first renders (each page asked once) and the soak. Load generator and servers share
the machine's {os.cpu_count()} cores, so the rates are lower bounds for a server alone; the two
servers' lookups take turns, {ROUNDS} rounds each.

- *SPARQL lookup*: `SELECT ?p ?o WHERE {{{{ <cluster> ?p ?o }}}}` (SPARQL JSON), rotating over up to
  {SAMPLE_CLUSTERS} clusters; on `csei serve` every lookup runs in a query worker, nothing is kept.
- *Resource page, first render*: the HTML page of each of up to {FIRST_RENDER_PAGES:,} resources
  (clusters, then organisations), each asked once, so the server renders every one from the store.
  *Kept*: the pages of the first {SAMPLE_CLUSTERS} clusters asked again and again (the server keeps
  rendered pages: the graph cannot change while it runs).
- *Soak*: on the persistent store, first renders, lookups and a client sending a query bomb (a count
  over a threefold cartesian product, stopped at the time limit) all at once; memory is the
  proportional set size (PSS, shared pages counted once) of the server and all its processes
  (zygote, query workers), read from the kernel twice a second; the largest reading is split into the
  processes' own memory and their share of mapped files (Pss_Anon and Pss_File)."""
TARGET_SIZE = "1M"
PAGES_PER_SECOND = 500
LOOKUP_RATE_SHARE = 0.5
LOOKUP_P99_FACTOR = 2.0
MEMORY_LIMIT_MB = 1024
_CORES = os.cpu_count() or 1
Answer = TypeVar("Answer")
P99_LIMIT = 0.100
RESOURCES_QUERY = """SELECT ?r WHERE {
  VALUES ?t { <https://w3id.org/csei/ontology#CSEI> <https://w3id.org/csei/ontology#Cluster>
              <http://www.w3.org/ns/org#Organization> }
  ?r a ?t FILTER(STRSTARTS(STR(?r), "https://w3id.org/csei/id/"))
} LIMIT %d"""
CLUSTERS_QUERY = """SELECT ?c WHERE {
  VALUES ?t { <https://w3id.org/csei/ontology#CSEI> <https://w3id.org/csei/ontology#Cluster> }
  ?c a ?t FILTER(STRSTARTS(STR(?c), "https://w3id.org/csei/id/cluster/"))
} ORDER BY ?c LIMIT %d"""
LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}
# The requests of a file, one a line, sent in turn by every wrk thread, each starting elsewhere; the
# figures in one line of JSON at the end (latencies in seconds).
WRK_SCRIPT = """local paths = {}
for line in io.lines(os.getenv("CSEI_BENCH_PATHS")) do paths[#paths + 1] = line end
local accept = os.getenv("CSEI_BENCH_ACCEPT")
local started = 0
function setup(thread) thread:set("start", started); started = started + 1 end
function init(args) counter = (start or 0) * 7919 end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Accept"] = accept})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "seconds": %.6f, "p50": %.6f, "p99": %.6f, ' ..
    '"failed": %d, "status_errors": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e6, latency:percentile(99) / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


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

    def row(self, label: str, server: str, workload: str, connections: int, tool: str) -> list[str]:
        return [
            label,
            server,
            workload,
            tool,
            str(connections),
            count(self.requests),
            f"{self.rate:,.0f}/s",
            seconds(self.percentile(0.5)),
            seconds(self.percentile(0.99)),
            count(self.errors),
        ]


@dataclass
class WrkLoad:
    """What a wrk run reported."""

    requests: int
    elapsed: float
    p50: float
    p99: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        return self.p50 if share <= 0.5 else self.p99

    def row(self, label: str, server: str, workload: str, connections: int, tool: str) -> list[str]:
        return [
            label,
            server,
            workload,
            tool,
            str(connections),
            count(self.requests),
            f"{self.rate:,.0f}/s",
            seconds(self.p50),
            seconds(self.p99),
            count(self.errors),
        ]


@dataclass
class Server:
    """A server process of the benchmark."""

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
class Costs:
    """Server CPU seconds per request of each kind (all its processes), and where its memory is."""

    first_render: float
    kept_page: float
    kept_rate: float
    lookup: float
    memory: str = ""


@dataclass
class Measured:
    """What one size gave: the rows of each table, the figures that grow with size, the targets."""

    startup: list[str]
    loads: list[list[str]]
    memory: list[list[str]]
    soak: list[str]
    first_render: float
    lookup: float
    checks: list[Check]


def run(context: Context) -> Section:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (the load generator of this section)")
    if shutil.which("oxigraph", path=str(Path(sys.executable).parent)) is None:
        raise RuntimeError("the oxigraph server is not installed: pip install oxigraph (in the bench extra)")
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
            [
                "size",
                "server",
                "workload",
                "load from",
                "connections",
                "requests",
                "rate",
                "p50",
                "p99",
                "errors",
            ],
            [row for figures in measured.values() for row in figures.loads],
            [
                f"Each wrk load runs {LOAD_SECONDS:.0f} s (lookups: {ROUNDS} rounds each, taking turns; the "
                "median round is shown); errors: 5xx answers and failed connections (wrk: non-2xx/3xx "
                "answers and socket errors)."
            ],
        ),
        Table(
            "Memory of the server and all its processes",
            ["size", "server", "after the timed loads MB (PSS)", "processes"],
            [row for figures in measured.values() for row in figures.memory],
            ["Read with psutil: proportional set size, summed over the server and every process it started."],
        ),
        Table(
            "Soak: first renders, lookups and query bombs at once (persistent store)",
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
        rows = [[c.target, c.measured, "yes" if c.met else f"**no**: {c.cause}"] for c in checks]
        section.tables.append(Table("Targets measured here", ["target", "measured", "met"], rows))
    return section


def _measure(dataset: Dataset, context: Context) -> Measured:
    """In memory (first renders, kept pages, lookups), then the persistent store (built, reopened:
    first renders, lookups in turns with oxigraph's server, soak)."""
    scratch = context.scratch(f"serve-{dataset.label}")
    memory = _start(dataset, scratch / "memory")
    try:
        pages, kept, lookups, oxigraph_lookups = _targets(memory, scratch)
        pid = memory.process.pid
        cold, cold_cpu = _with_cpu(
            pid,
            lambda: hammer(memory.port, pages, connections=FIRST_RENDER_CONNECTIONS, once=True, headers=HTML),
        )
        warm, warm_cpu = _with_cpu(pid, lambda: _wrk(memory.port, kept, HTML["Accept"], CONNECTIONS, scratch))
        queried, queried_cpu = _with_cpu(
            pid, lambda: _wrk(memory.port, lookups, JSON_RESULTS["Accept"], CONNECTIONS, scratch)
        )
        costs = Costs(
            first_render=cold_cpu / max(cold.requests, 1),
            kept_page=warm_cpu / max(warm.requests, 1),
            kept_rate=warm.rate,
            lookup=queried_cpu / max(queried.requests, 1),
        )
        in_memory_mb = _pss_mb(memory.process.pid)
        in_memory_processes = len(_tree(memory.process.pid))
    finally:
        memory.stop()
    store_dir = scratch / "store"
    built = _start(dataset, scratch / "build", store=store_dir)
    built.stop()
    oxigraph_dir = _oxigraph_store(store_dir, scratch)
    reopened = _start(dataset, scratch / "reopen", store=store_dir)
    try:
        cold_on_disk = hammer(
            reopened.port, pages, connections=FIRST_RENDER_CONNECTIONS, once=True, headers=HTML
        )
        ours, theirs = _lookups_in_turns(reopened, oxigraph_dir, lookups, oxigraph_lookups, scratch)
        on_disk_mb = _pss_mb(reopened.process.pid)
        on_disk_processes = len(_tree(reopened.process.pid))
        soak = _soak(reopened, pages, lookups)
        costs.memory = _memory_by_process(reopened.process.pid)
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
            cold.row(
                label, "csei, in memory", "resource page, first render", FIRST_RENDER_CONNECTIONS, "Python"
            ),
            warm.row(label, "csei, in memory", "resource page, kept", CONNECTIONS, "wrk"),
            queried.row(label, "csei, in memory", "SPARQL lookup", CONNECTIONS, "wrk"),
            cold_on_disk.row(
                label, "csei, persistent", "resource page, first render", FIRST_RENDER_CONNECTIONS, "Python"
            ),
            ours.row(label, "csei, persistent", "SPARQL lookup", CONNECTIONS, "wrk"),
            theirs.row(label, "oxigraph serve-read-only", "SPARQL lookup", CONNECTIONS, "wrk"),
        ],
        memory=[
            [label, "csei, in memory", megabytes(in_memory_mb), str(in_memory_processes)],
            [label, "csei, persistent store", megabytes(on_disk_mb), str(on_disk_processes)],
        ],
        soak=_soak_row(dataset, soak),
        first_render=cold.percentile(0.5),
        lookup=ours.percentile(0.5),
        checks=_checks(cold, cold_on_disk, ours, theirs, soak, costs=costs) if label == TARGET_SIZE else [],
    )


def _start(dataset: Dataset, folder: Path, store: Path | None = None) -> Server:
    """Start `csei serve` on a dataset and wait for its first answer."""
    return start_serve([dataset.trig], folder, store=store)


def start_serve(
    sources: Sequence[Path],
    folder: Path,
    *,
    store: Path | None = None,
    environment: dict[str, str] | None = None,
) -> Server:
    """Start `csei serve` on the built-in graph and these sources, and wait for its first answer."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    command = [sys.executable, "-c", "from csei_graph.cli import main; main()", "serve", *map(str, sources)]
    command += ["--port", str(port), *(["--store", str(store)] if store else [])]
    started = time.perf_counter()
    env = {**os.environ, "RUST_BACKTRACE": "0", **(environment or {})}
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"csei serve exited: {(folder / 'serve.log').read_text()[-2000:]}")
        try:
            if get(port, "/openapi.json")[0] == 200:
                return Server(process, port, time.perf_counter() - started)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise TimeoutError("csei serve did not start")


def _targets(server: Server, scratch: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Pages to render once, pages to keep asking for, and lookups (for csei serve and for oxigraph)."""
    resources = _select(server, RESOURCES_QUERY % FIRST_RENDER_PAGES, "r")
    clusters = _select(server, CLUSTERS_QUERY % SAMPLE_CLUSTERS, "c")
    base = "https://w3id.org/csei/id/"
    pages = [f"/doc/{iri[len(base) :]}.html" for iri in resources]
    kept = [f"/doc/{iri[len(base) :]}.html" for iri in clusters]
    queries = [urllib.parse.urlencode({"query": LOOKUP % iri}) for iri in clusters]
    return pages, kept, [f"/sparql?{q}" for q in queries], [f"/query?{q}" for q in queries]


def _select(server: Server, query: str, variable: str) -> list[str]:
    status, body = get(server.port, f"/sparql?{urllib.parse.urlencode({'query': query})}", JSON_RESULTS)
    if status != 200:
        raise RuntimeError(f"the query of the targets failed: {status} {body[:300]!r}")
    return [b[variable]["value"] for b in json.loads(body)["results"]["bindings"]]


def _wrk(port: int, paths: Sequence[str], accept: str, connections: int, scratch: Path) -> WrkLoad:
    """A wrk load of LOAD_SECONDS sending the paths in turn."""
    script, listed = scratch / "rotate.lua", scratch / f"paths-{port}-{len(paths)}.txt"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    listed.write_text("\n".join(paths) + "\n", encoding="utf-8")
    command = [
        "wrk",
        f"-t{WRK}",
        f"-c{connections}",
        f"-d{LOAD_SECONDS:.0f}s",
        "--latency",
        "-s",
        str(script),
    ]
    done = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 60,
        env={**os.environ, "CSEI_BENCH_PATHS": str(listed), "CSEI_BENCH_ACCEPT": accept},
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return WrkLoad(
        figures["requests"],
        figures["seconds"],
        figures["p50"],
        figures["p99"],
        figures["failed"] + figures["status_errors"],
    )


def _oxigraph_store(store_dir: Path, scratch: Path) -> Path:
    """oxigraph's own store, loaded with the quads of the persistent store and compacted as it is."""
    quads, location = scratch / "graph.nq", scratch / "oxigraph-store"
    database = next(store_dir.glob("build-*/oxigraph"))
    subprocess.run([sys.executable, "-c", DUMP_STORE, str(database), str(quads)], check=True, timeout=1800)
    binary = str(Path(sys.executable).parent / "oxigraph")
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(quads)],
        check=True,
        capture_output=True,
        timeout=3600,
    )
    subprocess.run(
        [binary, "optimize", "--location", str(location)], check=True, capture_output=True, timeout=3600
    )
    quads.unlink()
    return location


DUMP_STORE = (
    "import sys, pyoxigraph as ox; "
    "ox.Store.read_only(sys.argv[1]).dump(output=sys.argv[2], format=ox.RdfFormat.N_QUADS)"
)


def _start_oxigraph(location: Path, folder: Path) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    binary = str(Path(sys.executable).parent / "oxigraph")
    command = [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    command.append("--union-default-graph")
    started = time.perf_counter()
    with (folder / "oxigraph.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited: {(folder / 'oxigraph.log').read_text()[-2000:]}")
        try:
            if get(port, "/query?query=ASK%7B%7D", JSON_RESULTS)[0] == 200:
                return Server(process, port, time.perf_counter() - started)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise TimeoutError("oxigraph serve did not start")


def _lookups_in_turns(
    ours: Server, location: Path, lookups: Sequence[str], oxigraph_lookups: Sequence[str], scratch: Path
) -> tuple[WrkLoad, WrkLoad]:
    """The same lookups on csei serve (persistent store) and on oxigraph's server, taking turns."""
    theirs = _start_oxigraph(location, scratch / "oxigraph")
    rounds: dict[str, list[WrkLoad]] = {"ours": [], "theirs": []}
    try:
        for _ in range(ROUNDS):
            rounds["theirs"].append(
                _wrk(theirs.port, oxigraph_lookups, JSON_RESULTS["Accept"], CONNECTIONS, scratch)
            )
            rounds["ours"].append(_wrk(ours.port, lookups, JSON_RESULTS["Accept"], CONNECTIONS, scratch))
    finally:
        theirs.stop()
    middle = (ROUNDS - 1) // 2
    ours_load = sorted(rounds["ours"], key=lambda load: load.rate)[middle]
    theirs_load = sorted(rounds["theirs"], key=lambda load: load.rate)[middle]
    return ours_load, theirs_load


def hammer(
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


@dataclass(frozen=True)
class MemorySample:
    """The proportional memory (MB) of the server's processes at one moment, the server first: each
    process's own pages (anonymous: heaps, the engine's caches, a query's working memory) and its share
    of mapped files (the store's files as the engine reads them, the libraries), which the system can
    take back."""

    own: tuple[float, ...]
    files: tuple[float, ...]

    @property
    def total(self) -> float:
        return sum(self.own) + sum(self.files)

    def described(self) -> str:
        """Where the memory is, in words."""
        others = zip(self.own[1:], self.files[1:], strict=True)
        sizes = sorted((own + files for own, files in others), reverse=True)
        return (
            f"at the peak ({self.total:,.0f} MB): the server process {self.own[0] + self.files[0]:,.0f} MB, "
            f"its {len(sizes)} other processes {sum(sizes):,.0f} MB (the largest "
            f"{', '.join(f'{size:,.0f}' for size in sizes[:3])} MB); of the whole, "
            f"{sum(self.own):,.0f} MB the processes' own memory and {sum(self.files):,.0f} MB pages of "
            "mapped files"
        )


@dataclass
class Soak:
    """The loads of a soak and the memory samples (MB) taken meanwhile, the largest split by process."""

    pages: Load
    lookups: Load
    bombs: Load
    memory_mb: list[float]
    seconds: float
    peak: MemorySample | None = None


def _soak(server: Server, pages: Sequence[str], lookups: Sequence[str]) -> Soak:
    stop = threading.Event()
    memory: list[float] = []
    bomb_path = "/sparql?" + urllib.parse.urlencode({"query": BOMB})
    results: dict[str, Load] = {}

    def drive(name: str, paths: Sequence[str], connections: int, headers: dict[str, str]) -> None:
        results[name] = hammer(server.port, paths, connections=connections, stop=stop, headers=headers)

    peak: list[MemorySample] = []

    def sample() -> None:
        while not stop.wait(0.5):
            taken = _memory_sample(server.process.pid)
            memory.append(taken.total)
            if not peak or taken.total > peak[0].total:
                peak[:] = [taken]

    threads = [
        threading.Thread(target=drive, args=("pages", pages, 4, HTML)),
        threading.Thread(target=drive, args=("lookups", lookups, 2, JSON_RESULTS)),
        threading.Thread(target=drive, args=("bombs", [bomb_path], 1, JSON_RESULTS)),
        threading.Thread(target=sample),
    ]
    for thread in threads:
        thread.start()
    time.sleep(SOAK_SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    largest = peak[0] if peak else None
    return Soak(results["pages"], results["lookups"], results["bombs"], memory, SOAK_SECONDS, largest)


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


def _checks(
    cold: Load, cold_on_disk: Load, ours: WrkLoad, theirs: WrkLoad, soak: Soak, *, costs: Costs
) -> list[Check]:
    third = max(1, len(soak.memory_mb) // 3)
    first, last = max(soak.memory_mb[:third]), max(soak.memory_mb[-third:])
    peak = max(soak.memory_mb)
    soak_errors = soak.pages.errors + soak.lookups.errors + soak.bombs.errors
    errors = cold.errors + cold_on_disk.errors + ours.errors + soak_errors
    return [
        Check(
            f"{TARGET_SIZE}: csei serve ≥ {PAGES_PER_SECOND} resource pages/s on first render, "
            "p99 under 100 ms",
            f"{cold.rate:,.0f}/s, p99 {seconds(cold.percentile(0.99))} (in memory); "
            f"{cold_on_disk.rate:,.0f}/s, p99 {seconds(cold_on_disk.percentile(0.99))} (persistent)",
            min(cold.rate, cold_on_disk.rate) >= PAGES_PER_SECOND
            and max(cold.percentile(0.99), cold_on_disk.percentile(0.99)) < P99_LIMIT,
            f"a first render costs {seconds(costs.first_render)} of the server's CPU (its processes "
            f"together; a kept page {seconds(costs.kept_page)}): at most "
            f"{_CORES / costs.first_render:,.0f} pages/s on {_CORES} cores, which the load generator shares",
        ),
        Check(
            f"{TARGET_SIZE}: SPARQL lookups ≥ {LOOKUP_RATE_SHARE}× the rate of oxigraph serve, "
            f"p99 within {LOOKUP_P99_FACTOR:.0f}× of its (persistent stores, same load)",
            f"{ours.rate:,.0f}/s against {theirs.rate:,.0f}/s: {ratio(ours.rate / theirs.rate)}; "
            f"p99 {seconds(ours.p99)} against {seconds(theirs.p99)}: {ratio(ours.p99 / theirs.p99)}",
            ours.rate >= LOOKUP_RATE_SHARE * theirs.rate and ours.p99 <= LOOKUP_P99_FACTOR * theirs.p99,
            f"a lookup costs {seconds(costs.lookup)} of the server's CPU (the Python HTTP server, the "
            f"query's check, the hop to a query worker process and back): at most "
            f"{_CORES / costs.lookup:,.0f}/s on {_CORES} cores; kept pages, which read nothing, are served "
            f"at {costs.kept_rate:,.0f}/s ({ratio(costs.kept_rate / theirs.rate)} of oxigraph's lookups): "
            "the Python HTTP server alone stays under the target here",
        ),
        Check(
            f"{TARGET_SIZE}: csei serve answers without errors",
            f"{errors} errors",
            errors == 0,
        ),
        Check(
            f"{TARGET_SIZE}: server memory ≤ {MEMORY_LIMIT_MB:,} MB with the persistent store, flat over a "
            f"{SOAK_SECONDS:.0f} s soak (with query bombs)",
            f"peak {peak:,.0f} MB; {first:,.0f} MB → {last:,.0f} MB",
            peak <= MEMORY_LIMIT_MB and last <= first * 1.1 + 20,
            f"{soak.peak.described() if soak.peak else 'no sample'}; after the soak: {costs.memory}",
        ),
    ]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on a fresh connection to the local server: its status and body."""
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


def _tree(pid: int) -> list[psutil.Process]:
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _with_cpu(pid: int, call: Callable[[], Answer]) -> tuple[Answer, float]:
    """What the call returns, and the CPU seconds the server (all its processes) spent meanwhile."""
    before = _cpu_seconds(pid)
    result = call()
    return result, _cpu_seconds(pid) - before


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) of a process and its live descendants so far."""
    total = 0.0
    for process in _tree(pid):
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += times.user + times.system
    return total


def _memory_by_process(pid: int) -> str:
    """The proportional memory of the server and of its other processes, the largest named, in words."""
    sizes = []
    for process in _tree(pid):
        try:
            sizes.append(process.memory_full_info().pss / 1e6)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    if not sizes:
        return "the server had ended"
    others = sorted(sizes[1:], reverse=True)
    return (
        f"the server process {sizes[0]:,.0f} MB (PSS), its {len(others)} other processes "
        f"{sum(others):,.0f} MB (the largest {', '.join(f'{size:,.0f}' for size in others[:3])} MB)"
    )


def _memory_sample(pid: int) -> MemorySample:
    """The proportional memory of a process and all its descendants, each split into its own pages and
    its share of mapped files (the kernel's Pss_Anon and Pss_File, MB)."""
    own, files = [], []
    for process in _tree(pid):
        try:
            rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            continue
        kilobytes = {
            name: int(value.split()[0])
            for name, _, value in (line.partition(":") for line in rollup.splitlines()[1:])
        }
        own.append((kilobytes.get("Pss_Anon", 0) + kilobytes.get("Pss_Shmem", 0)) * 1024 / 1e6)
        files.append(kilobytes.get("Pss_File", 0) * 1024 / 1e6)
    return MemorySample(tuple(own), tuple(files))


def _pss_mb(pid: int) -> float:
    """The proportional memory of a process and all its descendants, MB (shared pages counted once)."""
    total = 0
    for process in _tree(pid):
        try:
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 1e6
