"""`csei serve --endpoint URL`: the same pages and endpoint over a real Oxigraph server."""

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from csei_graph.cli import main
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.protocol_client import Endpoint
from csei_graph.stores.remote import RemoteStore
from tests.web.conftest import SERVER_TIMEOUT, RunningServer, free_port, local_path, start_server, stop_server

pytestmark = pytest.mark.e2e

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on loopback whose default graph is the union, holding the built-in graph."""
    executable = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(executable).exists():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph, in the test extra)")
    port = free_port()
    folder = tmp_path_factory.mktemp("oxigraph")
    command = [executable, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"]
    # The store's own time limit ends the queries the server stops waiting for.
    command += ["--union-default-graph", "--timeout-s", str(SERVER_TIMEOUT + 1)]
    log = (folder / "oxigraph.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_until_up(url, process)
        pushed = CliRunner().invoke(main, ["push", "--endpoint", url])
        assert pushed.exit_code == 0, pushed.output
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def layout_quads(url: str) -> list[object]:
    return RemoteStore(Endpoint(url)).layout.quads()  # type: ignore[return-value]


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited with {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError("oxigraph did not start")


@pytest.fixture(scope="module")
def remote_server(oxigraph: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(["--endpoint", oxigraph], tmp_path_factory.mktemp("remote") / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


def test_the_documents_are_those_of_the_local_graph(
    remote_server: RunningServer, server: RunningServer, cluster_iri: str
) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".ttl"
    with remote_server.client() as remote, server.client() as local:
        over_remote = remote.get(path)
        over_local = local.get(path)
    assert over_remote.status_code == 200
    remote_graph = Graph().parse(data=over_remote.content, format="turtle")
    assert len(remote_graph) > 0
    assert isomorphic(remote_graph, Graph().parse(data=over_local.content, format="turtle"))


def test_a_resource_iri_answers_303(remote_server: RunningServer, cluster_iri: str) -> None:
    with remote_server.client() as client:
        redirect = client.get(local_path(cluster_iri), headers={"Accept": "text/turtle"})
    assert redirect.status_code == 303
    assert redirect.headers["location"] == local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".ttl"


def test_the_pages_are_those_of_the_local_graph(
    remote_server: RunningServer, server: RunningServer, cluster_iri: str
) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".html"
    with remote_server.client() as remote, server.client() as local:
        over_remote, over_local = remote.get(path).text, local.get(path).text
    # The footer says which graph each shows: a release here, the remote store there.
    footer = re.compile(r'<p class="release">This page shows the (.*?)\.</p>')
    assert footer.sub("", over_remote) == footer.sub("", over_local)
    assert footer.search(over_remote).group(1).startswith("graph of the remote store http://127.0.0.1:")  # type: ignore[union-attr]
    assert footer.search(over_local).group(1) == "built-in release 0.1.0"  # type: ignore[union-attr]


def test_conditional_requests_work_without_a_modification_time(
    remote_server: RunningServer, cluster_iri: str
) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".jsonld"
    with remote_server.client() as client:
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert "last-modified" not in first.headers, "the remote graph may change at any time"
    assert again.status_code == 304


def test_queries_answer_as_on_the_local_graph(remote_server: RunningServer, server: RunningServer) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    with remote_server.client() as remote, server.client() as local:
        over_remote = remote.get("/sparql", params={"query": query, "format": "csv"})
        over_local = local.get("/sparql", params={"query": query, "format": "csv"})
    assert over_remote.status_code == 200
    assert over_remote.text == over_local.text


def test_updates_and_service_are_refused_before_the_store(
    remote_server: RunningServer, oxigraph: str, store: GraphStore
) -> None:
    with remote_server.client() as client:
        update = client.post("/sparql", data={"update": "DROP ALL"})
        inline = client.post("/sparql", data={"query": "CLEAR ALL"})
        service = client.get(
            "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}
        )
    assert update.status_code == inline.status_code == service.status_code == 403
    count = httpx.get(
        oxigraph, params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    # Everything pushed is still there: the graph, and the record of the push.
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == len(store) + len(
        layout_quads(oxigraph)
    )


def test_a_query_bomb_stops_at_the_time_limit(remote_server: RunningServer) -> None:
    with remote_server.client() as client:
        began = time.monotonic()
        answer = client.get("/sparql", params={"query": BOMB})
        elapsed = time.monotonic() - began
    assert answer.status_code == 422
    assert elapsed < SERVER_TIMEOUT + 1.5


def test_stored_queries_run_on_the_remote_store(remote_server: RunningServer) -> None:
    local = CliRunner().invoke(main, ["query", "clusters-per-country", "--format", "csv"])
    with remote_server.client() as client:
        answer = client.get("/queries/clusters-per-country", params={"format": "csv"})
    assert answer.status_code == 200
    assert answer.text.replace("\r\n", "\n") == local.output
