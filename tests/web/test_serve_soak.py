"""A bounded soak of `csei serve`: pages, lookups and query bombs at once.

No 5xx, memory flat, latency bounded while the bombs are cut off at the time limit.

The load runs for CSEI_SOAK_SECONDS (20 by default); the figures go to `soak.json` in
CSEI_ARTIFACTS_DIR when it is set.
"""

import json
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from csei_graph.pages.search import resource_iris
from csei_graph.stores.embedded import GraphStore
from tests.web.conftest import (
    SERVER_TIMEOUT,
    RunningServer,
    local_path,
    pss_kib,
    start_server,
    stop_server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOAK_SECONDS = float(os.environ.get("CSEI_SOAK_SECONDS", "20"))
PAGE_CLIENTS = 4
LOOKUP_CLIENTS = 2
BOMB_CLIENTS = 1
WORKERS = 3
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


@dataclass
class Tally:
    """What one kind of request got: statuses and latencies, and transport failures."""

    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses.append(status)
            self.seconds.append(seconds)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "requests": len(self.statuses),
            "statuses": {str(s): self.statuses.count(s) for s in sorted(set(self.statuses))},
            "transport_failures": len(self.failures),
            "p50_ms": round(statistics.median(self.seconds) * 1000, 1) if self.seconds else None,
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "max_ms": round(max(self.seconds, default=0) * 1000, 1),
        }


@pytest.fixture(scope="module")
def soak_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("soak")
    running = start_server([], folder / "serve.log", {"CSEI_SPARQL_WORKERS": str(WORKERS)})
    try:
        yield running
    finally:
        stop_server(running)


def test_soak(soak_server: RunningServer, store: GraphStore) -> None:
    pages = [p for iri in resource_iris(store)[:300] if (p := _page(iri))]
    clusters = [iri for iri in resource_iris(store) if "/id/cluster/" in iri][:100]
    assert pages and clusters
    tallies = {"pages": Tally(), "lookups": Tally(), "bombs": Tally()}
    memory: list[tuple[float, int]] = []
    stop = threading.Event()

    def pages_client(number: int) -> Callable[[httpx.Client, int], httpx.Response]:
        return lambda client, turn: client.get(pages[(turn * PAGE_CLIENTS + number) % len(pages)])

    def lookup(client: httpx.Client, turn: int) -> httpx.Response:
        query = LOOKUP.format(iri=clusters[turn % len(clusters)])
        return client.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )

    def bomb(client: httpx.Client, turn: int) -> httpx.Response:
        return client.post("/sparql", data={"query": BOMB})

    def drive(send: Callable[[httpx.Client, int], httpx.Response], tally: Tally) -> None:
        with soak_server.client() as client:
            turn = 0
            while not stop.is_set():
                began = time.perf_counter()
                try:
                    answer = send(client, turn)
                except httpx.HTTPError as error:
                    tally.failures.append(repr(error))
                else:
                    tally.add(answer.status_code, time.perf_counter() - began)
                turn += 1

    def sample() -> None:
        while not stop.wait(0.5):
            memory.append((time.monotonic(), pss_kib(soak_server.process.pid)))

    threads = [
        threading.Thread(target=drive, args=(pages_client(n), tallies["pages"])) for n in range(PAGE_CLIENTS)
    ]
    threads += [
        threading.Thread(target=drive, args=(lookup, tallies["lookups"])) for _ in range(LOOKUP_CLIENTS)
    ]
    threads += [threading.Thread(target=drive, args=(bomb, tallies["bombs"])) for _ in range(BOMB_CLIENTS)]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    time.sleep(SOAK_SECONDS)
    stop.set()
    for thread in threads:
        thread.join()

    figures = _figures(tallies, memory)
    _keep(figures)
    for name, tally in tallies.items():
        assert not tally.failures, f"{name}: {tally.failures[:3]}"
        assert all(status < 500 for status in tally.statuses), f"{name}: {figures[name]}"
    assert set(tallies["pages"].statuses) == {200}
    assert set(tallies["lookups"].statuses) == {200}
    assert set(tallies["bombs"].statuses) == {422}, "every bomb is stopped at the time limit"
    assert len(tallies["bombs"].statuses) >= SOAK_SECONDS / (SERVER_TIMEOUT + 1) - 1
    assert tallies["bombs"].percentile(1.0) < SERVER_TIMEOUT + 1.5
    assert tallies["pages"].percentile(0.99) < 1.0, figures["pages"]
    assert tallies["lookups"].percentile(0.99) < 1.0, figures["lookups"]
    # Flat memory: the last third of the run holds no more than the first third, give or take.
    assert figures["memory"]["last_third_peak_mib"] <= figures["memory"]["first_third_peak_mib"] * 1.15 + 30


def _page(iri: str) -> str | None:
    path = local_path(iri)
    if path.startswith("/id/"):
        return path.replace("/id/", "/doc/", 1) + ".html"
    return None


def _figures(tallies: dict[str, Tally], memory: list[tuple[float, int]]) -> dict[str, dict[str, object]]:
    kib = [value for _, value in memory]
    third = max(1, len(kib) // 3)
    figures: dict[str, dict[str, object]] = {name: tally.summary() for name, tally in tallies.items()}
    figures["memory"] = {
        "samples": len(kib),
        "first_third_peak_mib": round(max(kib[:third]) / 1024, 1),
        "last_third_peak_mib": round(max(kib[-third:]) / 1024, 1),
        "peak_mib": round(max(kib) / 1024, 1),
    }
    figures["run"] = {"seconds": SOAK_SECONDS, "workers": WORKERS, "time_limit_s": SERVER_TIMEOUT}
    return figures


def _keep(figures: dict[str, dict[str, object]]) -> None:
    print(json.dumps(figures, indent=2))
    folder = os.environ.get("CSEI_ARTIFACTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "soak.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
