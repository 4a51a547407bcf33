"""A real Virtuoso as the remote store: push, pull, and `csei serve` publishing it (the stored queries
are compared on every engine by tests/queries/test_parity.py)."""

from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from csei_graph import api
from csei_graph.export import describe, export_format, to_bytes
from csei_graph.queries import format_result, run_query
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.protocol_client import Endpoint
from csei_graph.stores.remote import RemoteStore
from csei_graph.synth import write_synthetic
from csei_graph.transfer import pull, push
from tests import engines
from tests.web.conftest import RunningServer, local_path, start_server, stop_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """A throw-away Virtuoso on loopback with its own database, stopped at the end."""
    with engines.virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The built-in graph with a small synthetic graph of 5 clusters."""
    synthetic = tmp_path_factory.mktemp("synthetic") / "synthetic.trig"
    write_synthetic(synthetic, 5, 3)
    return api.open_graph([synthetic])


@pytest.fixture(scope="module")
def remote(virtuoso: Endpoint, local: GraphStore) -> RemoteStore:
    """The local graph pushed to Virtuoso by the Graph Store Protocol."""
    moved = push(local, virtuoso)
    assert moved.total == len(local)
    return RemoteStore(virtuoso)


def test_the_pushed_graph_has_every_triple(local: GraphStore, remote: RemoteStore) -> None:
    local_graphs = set(local.graph_names())
    assert local_graphs <= set(remote.graph_names())
    for name in local_graphs:
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        expected = next(iter(local.query(count)))["n"].value
        found = next(iter(remote.query(count)))["n"].value
        assert found == expected, name


def test_pushing_twice_leaves_the_store_as_after_once(local: GraphStore, remote: RemoteStore) -> None:
    before = remote.graph_sizes()
    push(local, remote.endpoint)
    assert RemoteStore(remote.endpoint).check().triples == before


def test_pull_gives_back_the_local_export(local: GraphStore, remote: RemoteStore) -> None:
    dataset, _ = pull(remote.endpoint)
    assert to_bytes(dataset, export_format("trig")) == to_bytes(local.quads(), export_format("trig"))


@pytest.fixture(scope="module")
def virtuoso_server(
    remote: RemoteStore, virtuoso: Endpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """`csei serve --endpoint` publishing the graph held by Virtuoso."""
    running = start_server(["--endpoint", virtuoso.query_url], tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


def _named_cluster(local: GraphStore) -> str:
    rows = local.query(
        """PREFIX csei: <https://w3id.org/csei/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c a csei:CSEI ; skos:prefLabel ?name ; csei:country ?in }
        ORDER BY ?c LIMIT 1"""
    )
    return next(iter(rows))["c"].value  # type: ignore[call-overload]


def test_serve_publishes_the_documents_of_the_graph_virtuoso_holds(
    virtuoso_server: RunningServer, local: GraphStore
) -> None:
    cluster = _named_cluster(local)
    expected = to_bytes(describe(local, cluster), export_format("turtle"))
    with virtuoso_server.client() as client:
        redirect = client.get(local_path(cluster), headers={"Accept": "text/turtle"})
        document = client.get(redirect.headers["location"])
        page = client.get(local_path(cluster).replace("/id/", "/doc/", 1) + ".html")
    assert redirect.status_code == 303
    assert document.status_code == 200
    assert isomorphic(Graph().parse(data=document.content, format="turtle"), Graph().parse(data=expected))
    assert page.status_code == 200
    name = next(
        iter(
            local.query(
                f"SELECT ?n WHERE {{ <{cluster}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }}"
            )
        )
    )
    assert name["n"].value in page.text  # type: ignore[index]


def test_serve_answers_sparql_and_stored_queries_from_virtuoso(
    virtuoso_server: RunningServer, local: GraphStore
) -> None:
    countries = "<https://w3id.org/csei/graph/eu-country-authority>"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {countries} {{ ?s ?p ?o }} }}"
    expected = next(iter(local.query(query)))["n"].value  # type: ignore[call-overload]
    with virtuoso_server.client() as client:
        counted = client.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        update = client.post("/sparql", data={"update": "DROP ALL"})
        stored = client.get("/queries/concepts", params={"format": "csv"})
    assert counted.status_code == 200
    assert counted.json()["results"]["bindings"][0]["n"]["value"] == expected
    assert update.status_code == 403
    assert stored.status_code == 200
    local_csv = run_query("concepts", store=local)
    assert stored.text == format_result(local_csv, "csv")
