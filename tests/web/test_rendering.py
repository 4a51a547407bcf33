"""Pages, documents and dumps rendered by the render workers: the same bytes as rendered in the
server, stopped at their time limit, and over the graph as contributions change it."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph.settings import Settings
from csei_graph.stores.embedded import GraphStore
from csei_graph.web import rendering
from csei_graph.web.answers import Answer, Job
from csei_graph.web.rendering import Document
from csei_graph.web.workers import ProcessRunner
from tests.web.conftest import start_server

LOOP = asyncio.new_event_loop()
CLUSTER = "doc/cluster/coursive-boutaric"
NEW = "https://w3id.org/csei/id/cluster/rendered-later"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(scope="module")
def renderer(store: GraphStore) -> Iterator[ProcessRunner]:
    # Statements refreshed into the workers are added to their copies only: the store stays as it is.
    started = ProcessRunner(lambda: store, Settings(), workers=1, memory_mb=0, name="csei-render")
    started.start()
    try:
        yield started
    finally:
        started.close()


def page(stem: str) -> Document:
    return Document("document", f"{stem}.html", stem, "html", "test release")


def run(renderer: ProcessRunner, document: Document, timeout: float = 30) -> Answer:
    return LOOP.run_until_complete(renderer.run(Job.rendering(document), timeout))


def test_a_page_from_a_render_worker_is_the_page_rendered_here(
    renderer: ProcessRunner, store: GraphStore
) -> None:
    answer = run(renderer, page(CLUSTER))
    assert answer.status == 200 and answer.rendered is not None
    here = rendering.render(store, Settings(), page(CLUSTER))
    assert here is not None
    assert answer.rendered.body == here.body
    assert answer.rendered.etag == here.etag
    assert b"Coursive Boutaric" in answer.rendered.body


def test_a_document_that_is_not_there_is_none(renderer: ProcessRunner) -> None:
    answer = run(renderer, page("doc/cluster/no-such-cluster"))
    assert answer.status == 404 and answer.rendered is None


def test_a_render_over_its_time_limit_is_stopped_and_its_worker_replaced(renderer: ProcessRunner) -> None:
    before = set(renderer.pids[1:])
    answer = run(renderer, Document("dump", "dumps/csei.nt.gz", representation="ntriples"), timeout=0.001)
    assert answer.status == 422
    assert b"time limit" in answer.body
    assert run(renderer, page(CLUSTER)).status == 200, "the next page is rendered by a new worker"
    assert _ended(renderer, before), "the stopped worker was ended"


def test_statements_added_to_the_graph_reach_the_workers(renderer: ProcessRunner) -> None:
    stem = NEW.replace("https://w3id.org/csei/id/", "doc/")
    assert run(renderer, page(stem)).status == 404
    renderer.refresh([ox.Quad(ox.NamedNode(NEW), LABEL, ox.Literal("Rendered Later"), ox.NamedNode(NEW))])
    answer = run(renderer, page(stem))
    assert answer.status == 200 and answer.rendered is not None
    assert b"Rendered Later" in answer.rendered.body


@pytest.mark.e2e
def test_a_dump_over_its_time_limit_is_answered_503_and_the_pages_still_are(tmp_path: Path) -> None:
    server = start_server([], tmp_path / "serve.log", {"CSEI_DUMP_TIMEOUT": "0"})
    try:
        with server.client() as client:
            refused = client.get("/dumps/csei.nt.gz")
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "60"
            assert "took longer than 0 s, the time limit" in refused.text
            assert refused.headers["content-security-policy"], "an error carries the security headers"
            assert client.get(f"/{CLUSTER}.html").status_code == 200
    finally:
        server.process.terminate()
        server.process.wait(timeout=15)


def test_a_slow_render_yields_the_cores_and_its_worker_is_replaced(store: GraphStore) -> None:
    runner = ProcessRunner(
        lambda: store, Settings(), workers=1, memory_mb=0, name="csei-render", yield_after=0.01
    )
    runner.start()
    try:
        first = set(runner.pids[1:])
        slow = run(runner, Document("dump", "dumps/csei.nt.gz", representation="ntriples"))
        assert slow.status == 200 and slow.rendered is not None, "a slow job still gets its answer"
        assert slow.retired, "its worker lowered its priority, and ends"
        assert run(runner, page(CLUSTER)).status == 200
        assert _ended(runner, first), "the worker that yielded was replaced"
    finally:
        runner.close()


def _ended(runner: ProcessRunner, workers: set[int], timeout: float = 10) -> bool:
    """Whether these workers are gone from the pool within the timeout (they are ended in the background,
    the pool's loop running meanwhile)."""
    deadline = time.monotonic() + timeout
    while workers & set(runner.pids[1:]):
        if time.monotonic() > deadline:
            return False
        LOOP.run_until_complete(asyncio.sleep(0.05))
    return True
