"""Reconciliation: batches of ten queries to /reconcile of `csei serve`, as OpenRefine sends them."""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bench.common import Check, Context, Dataset, Section, Table, count, growth_table, megabytes, seconds

TITLE = "Reconciliation"
INTRO = f"""`csei serve` runs in its own process on the built-in graph and the synthetic graph of each size,
with its default settings; this process sends it batches of ten reconciliation queries (a form
`queries=`, as OpenRefine posts them) over keep-alive connections, each batch as soon as the last is
answered. The queries are made from organisations of the synthetic graph drawn at random (seed 42):
the exact name, in capitals, with one letter dropped, with two words swapped, less its last word,
with the organisation's country or another one as a condition, and names the graph does not have;
most are typed Organisation. The load generator and the server share the machine's
{os.cpu_count()} cores.

- *Index build*: from the manifest (which starts building the index of names) to the first batch
  answered; the memory (PSS) of the server's main process before and after. The graph's pages it
  shares with the query workers it forked count in part before, and in whole once read for the
  index (copied on write), so the growth is more than the index itself.
- *Batches*: latency of a batch of ten queries, one connection, then four at once.
- *Right organisation*: share of the queries made from an organisation's name that list it among
  their ten candidates; synthetic names repeat (many "City of Lyon"), so namesakes can push it out."""
TARGET_SIZE = "1M"
P99_LIMIT = 0.100
BATCH = 10
BATCHES = 50
SAMPLED = BATCH * BATCHES
LOAD_SECONDS = float(os.environ.get("CSEI_BENCH_RECONCILE_SECONDS", "20"))
ORGANISATION = "http://www.w3.org/ns/org#Organization"
COUNTRY = "https://w3id.org/csei/ontology#country"
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
COUNTRY_NODE = ox.NamedNode(COUNTRY)
COUNTRIES = "http://publications.europa.eu/resource/authority/country/"
UNKNOWN_NAMES = ("Zorvex Quantum Widgets", "Blinmar Sock Puppets", "Quastle Hydroponics", "Vantrel Kites")


@dataclass
class Load:
    """Latencies of the answered batches and the failures of a load run."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def row(self, label: str, connections: int) -> list[str]:
        rate = len(self.latencies) / self.elapsed if self.elapsed else 0.0
        return [
            label,
            str(connections),
            count(len(self.latencies)),
            f"{rate:,.0f}/s",
            seconds(self.percentile(0.5)),
            seconds(self.percentile(0.99)),
            count(self.failures),
        ]


@dataclass
class Measured:
    """What one size gave."""

    build: list[str]
    loads: list[list[str]]
    quality: list[str]
    batch_p50: float
    build_seconds: float
    checks: list[Check]


def run(context: Context) -> Section:
    measured = {dataset.triples: _measure(dataset, context) for dataset in context.datasets}
    checks = [check for figures in measured.values() for check in figures.checks]
    section = Section(TITLE, INTRO, checks=checks)
    section.tables += [
        Table(
            "Index build",
            ["size", "organisations", "index built in", "memory before MB", "memory after MB"],
            [figures.build for figures in measured.values()],
        ),
        Table(
            "Batches of ten queries",
            ["size", "connections", "batches", "rate", "p50", "p99", "errors"],
            [row for figures in measured.values() for row in figures.loads],
            [f"Each load runs {LOAD_SECONDS:.0f} s; errors: answers other than 200 and failed connections."],
        ),
        Table(
            "Candidates",
            ["size", "queries", "matches", "right organisation among the candidates"],
            [figures.quality for figures in measured.values()],
        ),
        growth_table(
            "Growth with size",
            {
                "index build": {n: f.build_seconds for n, f in measured.items()},
                "batch of ten (p50, one connection)": {n: f.batch_p50 for n, f in measured.items()},
            },
            context.datasets,
        ),
    ]
    return section


def _measure(dataset: Dataset, context: Context) -> Measured:
    batches, expected = _batches(dataset)
    folder = context.scratch(f"reconcile-{dataset.label}")
    process, port = _start(dataset, folder)
    try:
        before = _pss_mb(process.pid)
        started = time.perf_counter()
        _post(port, "/reconcile", None)  # the manifest: starts building the index
        status, first = _post(port, "/reconcile", batches[0])
        build_seconds = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"the first batch failed: {status} {first[:300]!r}")
        after = _pss_mb(process.pid)
        answers = [json.loads(_post(port, "/reconcile", batch)[1]) for batch in batches]
        one = _hammer(port, batches, connections=1)
        four = _hammer(port, batches, connections=4)
    finally:
        process.terminate()
        process.wait(timeout=30)
    matches, found = _quality(answers, expected)
    label = dataset.label
    p99 = one.percentile(0.99)
    checks = []
    if label == TARGET_SIZE:
        checks.append(
            Check(
                f"{TARGET_SIZE}: a batch of ten reconciliation queries answers with p99 under 100 ms",
                f"p99 {seconds(p99)} (p50 {seconds(one.percentile(0.5))}), {one.failures} errors",
                p99 < P99_LIMIT and one.failures == 0,
            )
        )
    return Measured(
        build=[
            label,
            count(dataset.organisations),
            seconds(build_seconds),
            megabytes(before),
            megabytes(after),
        ],
        loads=[one.row(label, 1), four.row(label, 4)],
        quality=[label, count(SAMPLED), count(matches), f"{found}"],
        batch_p50=one.percentile(0.5),
        build_seconds=build_seconds,
        checks=checks,
    )


def _batches(dataset: Dataset) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """Batches of ten queries made from organisations drawn at random, and the IRI each should find."""
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for quad in ox.parse(path=str(dataset.nquads), format=ox.RdfFormat.N_QUADS):
        subject = quad.subject.value
        if "/id/organisation/" not in subject:
            continue
        if quad.predicate == PREF_LABEL:
            names[subject] = quad.object.value
        elif quad.predicate == COUNTRY_NODE:
            countries[subject] = quad.object.value.removeprefix(COUNTRIES)
    chosen = random.Random(42).sample(sorted(names), SAMPLED)
    batches, expected = [], []
    for start in range(0, SAMPLED, BATCH):
        batch: dict[str, object] = {}
        wanted: dict[str, str] = {}
        for position, iri in enumerate(chosen[start : start + BATCH]):
            query, known = _variant(position, names[iri], countries.get(iri, "FRA"))
            batch[f"q{position}"] = query
            if known:
                wanted[f"q{position}"] = iri
        batches.append(batch)
        expected.append(wanted)
    return batches, expected


def _variant(position: int, name: str, country: str) -> tuple[dict[str, object], bool]:
    """One of ten ways to ask for an organisation; whether the answer should list it."""
    words = name.split()
    typed: dict[str, object] = {"type": ORGANISATION, "limit": 10}
    variants: list[tuple[dict[str, object], bool]] = [
        ({"query": name, **typed}, True),
        ({"query": name.upper(), **typed}, True),
        ({"query": _drop_letter(name), **typed}, True),
        ({"query": " ".join([words[-1], *words[:-1]]), **typed}, True),
        ({"query": name, "properties": [{"pid": COUNTRY, "v": country}], **typed}, True),
        ({"query": name, "properties": [{"pid": COUNTRY, "v": "Atlantis"}], **typed}, True),
        ({"query": " ".join(words[:-1]) or name, **typed}, False),
        ({"query": UNKNOWN_NAMES[len(name) % len(UNKNOWN_NAMES)], **typed}, False),
        ({"query": name, "limit": 10}, True),
        ({"query": _drop_letter(name), "properties": [{"pid": COUNTRY, "v": country}], **typed}, True),
    ]
    return variants[position % len(variants)]


def _drop_letter(name: str) -> str:
    longest = max(name.split(), key=len)
    cut = len(longest) // 2
    return name.replace(longest, longest[:cut] + longest[cut + 1 :], 1)


def _quality(
    answers: list[dict[str, dict[str, list[dict[str, object]]]]], expected: list[dict[str, str]]
) -> tuple[int, str]:
    matches = sum(
        1
        for answer in answers
        for result in answer.values()
        if result["result"] and result["result"][0]["match"]
    )
    wanted = [
        (answer[key], iri)
        for answer, keys in zip(answers, expected, strict=True)
        for key, iri in keys.items()
    ]
    found = sum(1 for result, iri in wanted if any(c["id"] == iri for c in result["result"]))
    return matches, f"{found / len(wanted):.0%} of {len(wanted)}"


def _start(dataset: Dataset, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [sys.executable, "-c", "from csei_graph.cli import main; main()", "serve", str(dataset.trig)]
    command += ["--port", str(port)]
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RUST_BACKTRACE": "0"}
        )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"csei serve exited: {(folder / 'serve.log').read_text()[-2000:]}")
        try:
            if _post(port, "/openapi.json", None)[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise TimeoutError("csei serve did not start")


def _post(port: int, path: str, batch: dict[str, object] | None) -> tuple[int, bytes]:
    """GET `path` without a batch, else POST the batch as OpenRefine does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        if batch is None:
            connection.request("GET", path)
        else:
            body = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
            connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def _hammer(port: int, batches: list[dict[str, object]], connections: int) -> Load:
    """Send the batches round-robin from keep-alive connections, each waiting for its answer."""
    load = Load()
    # Bytes: sent with the headers in one packet, as a client that knows its delayed ACKs does.
    bodies = [urllib.parse.urlencode({"queries": json.dumps(b)}).encode() for b in batches]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    lock = threading.Lock()
    turn = iter(range(10**9))
    deadline = time.perf_counter() + LOAD_SECONDS

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            body = bodies[next(turn) % len(bodies)]
            began = time.perf_counter()
            try:
                connection.request("POST", "/reconcile", body, headers)
                answer = connection.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    load.failures += 1
                continue
            with lock:
                if answer.status == 200:
                    load.latencies.append(time.perf_counter() - began)
                else:
                    load.failures += 1
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.elapsed = time.perf_counter() - began
    return load


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pss_mb(pid: int) -> float:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    return next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")) / 1024
