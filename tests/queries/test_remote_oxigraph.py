"""End to end against a real Oxigraph server: push the graph, run every stored query there and here.

The server (`oxigraph serve`, from the `oxigraph` package of the test extra) is started on
127.0.0.1 on a free port with a store in a temporary folder, as installed: its default graph is not
the union of its graphs, and every query states its dataset. It is stopped afterwards.
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from csei_graph import export
from csei_graph.cli import main
from csei_graph.queries import QueryResult, StoredQuery, list_queries, run_query
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.protocol_client import Endpoint
from csei_graph.stores.remote import RemoteStore
from csei_graph.transfer import pull, push

pytestmark = pytest.mark.e2e

QUERIES = list_queries()
CSEI_EXAMPLES = "https://w3id.org/csei/graph/geces-csei-examples"
HOSTILE = '"> } ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> "z" } #'
OTHER_VALUES = {
    "clusters-in-country": {"country": "FRA"},
    "cluster-members": {"kind": "public-authority"},
    "shared-members": {"min_clusters": "1"},
    "memberships-on-date": {"on": "1995-06-30"},
    "search": {"text": HOSTILE},
    "describe": {"resource": "cseid:person/alfred-marshall"},
}


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        pytest.skip("the Oxigraph server is not installed: pip install oxigraph (in the test extra)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(url: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve stopped at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"oxigraph serve did not answer {url} within {timeout} s")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    command = [
        _oxigraph(),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(f"{base}/query?query=ASK%7B%7D", server)
        yield f"{base}/query"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def store(synthetic_scenario) -> GraphStore:
    """The built-in graph and a small synthetic one, so that every stored query has rows to compare."""
    return synthetic_scenario.store


@pytest.fixture(scope="module")
def remote(server_url: str, store: GraphStore) -> RemoteStore:
    """The server, holding the graph pushed by `push` (what `csei push` runs)."""
    moved = push(store, Endpoint(server_url))
    assert moved.total == len(store)
    assert len(moved.triples) == len(store.graph_names()) + 1  # and the default graph
    return RemoteStore(Endpoint(server_url))


def comparable(result: QueryResult) -> tuple:
    return result.variables, result.rows, result.boolean, frozenset(result.triples)


def test_the_pushed_graph_is_whole(remote: RemoteStore, store: GraphStore) -> None:
    assert remote.graph_names() == store.graph_names()
    assert len(remote) == len(store)


CASES = [(q, {}) for q in QUERIES] + [(q, OTHER_VALUES[q.name]) for q in QUERIES if q.name in OTHER_VALUES]


@pytest.mark.parametrize(
    ("query", "params"), CASES, ids=[f"{q.name}{'-other' if p else ''}" for q, p in CASES]
)
def test_every_stored_query_answers_the_same_there(
    query: StoredQuery, params: dict[str, str], remote: RemoteStore, store: GraphStore
) -> None:
    here = run_query(query, params, store=store)
    there = run_query(query, params, store=remote)
    assert comparable(there) == comparable(here)
    if not params:
        assert here.rows or here.triples or here.boolean is not None, "compare something, not nothing"


def test_a_hostile_value_changes_nothing_there(remote: RemoteStore, store: GraphStore) -> None:
    assert run_query("search", {"text": HOSTILE}, store=remote).rows == ()
    assert len(remote) == len(store)
    assert not bool(remote.query("ASK WHERE { <urn:x> ?p ?o }"))


def test_pull_gives_back_the_same_bytes(remote: RemoteStore, store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "pulled.trig"
    result = CliRunner().invoke(main, ["pull", "--endpoint", remote.endpoint.query_url, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == export.to_bytes(store.quads(), export.export_format("trig"))


def test_csei_push_reports_what_it_sent(server_url: str, remote: RemoteStore, builtin_scenario) -> None:
    result = CliRunner().invoke(main, ["push", "--endpoint", server_url, "--graph", CSEI_EXAMPLES])
    assert result.exit_code == 0, result.output
    # `csei push` sends the built-in graph: the triples of the named graph as the embedded store holds it.
    counted = builtin_scenario.store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CSEI_EXAMPLES}> {{ ?s ?p ?o }} }}"
    )
    sent = int(next(iter(counted))["n"].value)
    assert result.stdout.splitlines()[0].split() == [str(sent), CSEI_EXAMPLES]
    assert result.stdout.endswith(
        f"pushed {sent} triples in 1 graph(s) to {server_url.removesuffix('/query')}/store\n"
    )


def test_pushing_again_replaces_and_one_graph_can_go_alone(remote: RemoteStore, store: GraphStore) -> None:
    graph = CSEI_EXAMPLES
    moved = push(store, remote.endpoint, graphs=[graph])
    assert list(moved.triples) == [graph] and moved.total > 0
    assert len(remote) == len(store)
    dataset, pulled = pull(remote.endpoint, graphs=[graph])
    assert pulled.total == moved.total
    assert {q.graph_name for q in dataset} == {ox.NamedNode(graph)}


def test_a_refused_request_says_what_the_store_said(remote: RemoteStore) -> None:
    result = CliRunner().invoke(
        main, ["query", "graphs", "--endpoint", remote.endpoint.query_url.replace("/query", "/nowhere")]
    )
    assert result.exit_code == 2
    assert "the store answered HTTP 404" in result.stderr
