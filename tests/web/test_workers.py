"""The query workers: limits that really stop a query, and a pool that heals after each stop."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.settings import Settings
from csei_graph.stores.embedded import GraphStore
from csei_graph.web.answers import ROW_BYTES, Job
from csei_graph.web.workers import ProcessRunner

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Counting a threefold cartesian product: the first (only) row comes after the whole product.
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATH_BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>|^!<urn:x:none>)* ?o }"
SORTED_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


# One event loop for the module, as in the server: the pool replaces stopped workers in its tasks.
LOOP = asyncio.new_event_loop()


@pytest.fixture(scope="module")
def runner(store: GraphStore) -> Iterator[ProcessRunner]:
    settings = Settings().with_values(sparql_workers=2, sparql_max_memory_mb=200)
    started = ProcessRunner(lambda: store, settings)
    started.start()
    try:
        yield started
    finally:
        started.close()


def run(runner: ProcessRunner, job: Job, timeout: float = 10) -> tuple[int, bytes, float]:
    began = time.monotonic()
    answer = LOOP.run_until_complete(runner.run(job, timeout))
    return answer.status, answer.body, time.monotonic() - began


def test_a_query_runs_in_a_worker(runner: ProcessRunner, store: GraphStore) -> None:
    status, body, _ = run(runner, Job("json", 10, sparql=COUNT_ALL))
    assert status == 200
    count = json.loads(body)["results"]["bindings"][0]["n"]["value"]
    assert int(count) == len(store)


@pytest.mark.parametrize("query", [CARTESIAN_COUNT, PATH_BOMB], ids=["cartesian count", "property path"])
def test_a_query_bomb_stops_at_the_time_limit(runner: ProcessRunner, query: str) -> None:
    busy = set(runner.pids[1:])
    status, body, elapsed = run(runner, Job("json", 10, sparql=query), timeout=1)
    assert status == 422
    assert b"time limit" in body
    assert 1 <= elapsed < 2
    _wait_for_replacement(runner, busy)
    assert len(set(runner.pids[1:]) - busy) == 1, "the stopped worker was replaced by a new one"
    assert run(runner, Job("json", 10, sparql=COUNT_ALL))[0] == 200


def test_the_killed_worker_is_gone(runner: ProcessRunner) -> None:
    before = set(runner.pids[1:])
    run(runner, Job("json", 10, sparql=CARTESIAN_COUNT), timeout=0.5)
    _wait_for_replacement(runner, before)
    for pid in before - set(runner.pids[1:]):
        assert not Path(f"/proc/{pid}").exists(), "a stopped worker must not live on"


def test_rows_over_the_cap_stop_the_query(runner: ProcessRunner, store: GraphStore) -> None:
    status, body, _ = run(runner, Job("csv", 100, sparql="SELECT * WHERE { ?s ?p ?o }"))
    assert status == 422
    assert b"more than 100 rows" in body and b"LIMIT 100" in body
    status, body, _ = run(runner, Job("csv", 100, sparql="SELECT * WHERE { ?s ?p ?o } LIMIT 100"))
    assert status == 200
    assert body.count(b"\r\n") == 101


@pytest.mark.parametrize("result_format", ["json", "xml", "csv", "tsv"])
def test_the_rows_counted_are_the_rows_written_in_every_format(
    runner: ProcessRunner, result_format: str
) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 37"
    answer = LOOP.run_until_complete(runner.run(Job(result_format, 37, sparql=query), 10))
    assert (answer.status, answer.rows) == (200, 37)
    over = LOOP.run_until_complete(runner.run(Job(result_format, 36, sparql=query), 10))
    assert over.status == 422
    assert b"more than 36 rows" in over.body


# Rows of some 5,000 characters each: more than the bytes a row may take before rows are counted one by one.
LONG_ROWS = (
    'SELECT ?s (CONCAT(STR(?s), ?padding) AS ?long) WHERE { ?s ?p ?o BIND(REPLACE(STR(?p), ".", "x") AS ?x) '
    "BIND(CONCAT(?x, ?x, ?x, ?x, ?x, ?x, ?x, ?x, ?x, ?x) AS ?y) "
    "BIND(CONCAT(?y, ?y, ?y, ?y, ?y, ?y, ?y, ?y, ?y, ?y) AS ?z) BIND(CONCAT(?z, ?z) AS ?padding) "
    "} LIMIT %d"
)


def test_long_rows_within_the_cap_are_answered_whole(runner: ProcessRunner) -> None:
    answer = LOOP.run_until_complete(runner.run(Job("json", 10, sparql=LONG_ROWS % 10), 10))
    assert (answer.status, answer.rows) == (200, 10)
    bindings = json.loads(answer.body)["results"]["bindings"]
    assert len(bindings) == 10
    assert all(len(row["long"]["value"]) > ROW_BYTES for row in bindings)
    over = LOOP.run_until_complete(runner.run(Job("json", 9, sparql=LONG_ROWS % 10), 10))
    assert over.status == 422


def test_a_query_over_its_memory_dies_alone(runner: ProcessRunner) -> None:
    status, body, _ = run(runner, Job("json", 10, sparql=SORTED_PRODUCT), timeout=20)
    assert status == 422
    assert b"MiB of memory" in body
    assert run(runner, Job("json", 10, sparql=COUNT_ALL))[0] == 200


def test_syntax_errors_say_where(runner: ProcessRunner) -> None:
    status, body, _ = run(runner, Job("json", 10, sparql="SELECT * WHERE { ?s ?p }"))
    assert status == 400
    assert b"syntax error" in body


def test_parallel_queries_share_the_workers(runner: ProcessRunner) -> None:
    async def many() -> list[int]:
        answers = await asyncio.gather(
            *(runner.run(Job("json", 10, sparql=COUNT_ALL), 10) for _ in range(40))
        )
        return [answer.status for answer in answers]

    assert LOOP.run_until_complete(many()) == [200] * 40


def _wait_for_replacement(runner: ProcessRunner, before: set[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = set(runner.pids[1:])
        if len(current) == len(before) and current != before:
            return
        LOOP.run_until_complete(asyncio.sleep(0.05))
    raise AssertionError(f"no replacement worker: before {before}, now {runner.pids}")
