"""The SPARQL 1.1 Protocol endpoint of a running `csei serve`: formats, refusals and limits."""

import csv
import io
import json
import re
import time
import urllib.error
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from csei_graph import queries
from csei_graph.cli import main
from csei_graph.stores.embedded import GraphStore
from tests.web.conftest import SERVER_MAX_ROWS, SERVER_TIMEOUT, RunningServer, listener

pytestmark = pytest.mark.e2e

CLUSTERS = """PREFIX csei: <https://w3id.org/csei/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?cluster ?name WHERE { ?cluster a csei:CSEI ; skos:prefLabel ?name } ORDER BY ?cluster ?name"""
CONSTRUCT = """PREFIX csei: <https://w3id.org/csei/ontology#>
CONSTRUCT { ?cluster ?p ?o } WHERE { ?cluster a csei:CSEI ; ?p ?o } """
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BOMBS = {
    "cartesian count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "cartesian sorted": "SELECT ?c WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c LIMIT 1",
    "unbounded path": "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>|^!<urn:x:none>)* ?o }",
}
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def rows_of(body: bytes, result_format: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT result (values only) in any of the four result formats."""
    if result_format == "json":
        document = json.loads(body)
        names = document["head"]["vars"]
        return [tuple(b.get(n, {}).get("value", "") for n in names) for b in document["results"]["bindings"]]
    if result_format == "xml":
        root = ET.fromstring(body)
        names = [v.get("name") for v in root.iter(f"{SPARQL_RESULTS}variable")]
        found = []
        for result in root.iter(f"{SPARQL_RESULTS}result"):
            values = {b.get("name"): "".join(b.itertext()).strip() for b in result}
            found.append(tuple(values.get(n, "") for n in names))
        return found
    if result_format == "csv":
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode()))][1:]
    lines = body.decode().rstrip("\n").split("\n")[1:]
    return [tuple(_tsv_value(cell) for cell in line.split("\t")) for line in lines]


def _tsv_value(cell: str) -> str:
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if cell.startswith('"'):
        escapes = {"n": "\n", "t": "\t", "r": "\r"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), cell[1 : cell.rindex('"')])
    return cell


@pytest.mark.parametrize("result_format", RESULT_TYPES)
def test_every_result_format_gives_the_same_rows(server: RunningServer, result_format: str) -> None:
    with server.client() as client:
        by_accept = client.get(
            "/sparql", params={"query": CLUSTERS}, headers={"Accept": RESULT_TYPES[result_format]}
        )
        by_format = client.get("/sparql", params={"query": CLUSTERS, "format": result_format})
        reference = client.get("/sparql", params={"query": CLUSTERS, "format": "json"})
    assert by_accept.status_code == by_format.status_code == 200
    assert by_accept.headers["content-type"].split(";")[0] == RESULT_TYPES[result_format]
    expected = rows_of(reference.content, "json")
    assert expected, "the query gives rows"
    assert rows_of(by_accept.content, result_format) == rows_of(by_format.content, result_format) == expected


def test_get_post_form_and_post_query_agree(server: RunningServer) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    with server.client() as client:
        get = client.get("/sparql", params={"query": CLUSTERS}, headers=accept)
        form = client.post("/sparql", data={"query": CLUSTERS}, headers=accept)
        direct = client.post(
            "/sparql", content=CLUSTERS, headers={**accept, "Content-Type": "application/sparql-query"}
        )
    assert get.status_code == form.status_code == direct.status_code == 200
    assert get.content == form.content == direct.content


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_graph_results_in_every_rdf_syntax(server: RunningServer, accept: str, rdflib_format: str) -> None:
    with server.client() as client:
        answer = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
        reference = client.get("/sparql", params={"query": CONSTRUCT, "format": "ntriples"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=answer.content, format=rdflib_format)
    assert len(graph) > 0
    assert isomorphic(graph, Graph().parse(data=reference.content, format="nt"))


def test_ask_gives_a_boolean(server: RunningServer) -> None:
    with server.client() as client:
        yes = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()
        no = client.get("/sparql", params={"query": "ASK { <urn:x:a> <urn:x:b> <urn:x:c> }"}).json()
    assert yes["boolean"] is True and no["boolean"] is False


# Stored queries without parameters run the same by name (csei query) and as text (the protocol).
PLAIN_QUERIES = [q.name for q in queries.list_queries() if not q.parameters and q.form in ("SELECT", "ASK")]


@pytest.mark.parametrize("name", PLAIN_QUERIES)
def test_sparqlwrapper_gets_the_same_results_as_csei_query(server: RunningServer, name: str) -> None:
    local = CliRunner().invoke(main, ["query", name, "--format", "json"])
    assert local.exit_code == 0, local.output
    expected = json.loads(local.output)
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(queries.load_query(name).text)
    client.setReturnFormat(JSON)
    rows = len(expected.get("results", {}).get("bindings", []))
    if rows > SERVER_MAX_ROWS:
        with pytest.raises(urllib.error.HTTPError, match="422"):
            client.query()
        return
    by_get = client.query().convert()
    client.setMethod(POST)
    by_post = client.query().convert()
    assert by_get == by_post == expected


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("post", {"data": {"update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"}}),
        ("post", {"data": {"query": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"}}),
        ("get", {"params": {"update": "DELETE WHERE { ?s ?p ?o }"}}),
        ("get", {"params": {"query": "CLEAR ALL"}}),
        (
            "post",
            {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        ),
        (
            "post",
            {"content": "DELETE WHERE { ?s ?p ?o }", "headers": {"Content-Type": "application/sparql-query"}},
        ),
    ],
)
def test_updates_are_refused_and_change_nothing(
    server: RunningServer, store: GraphStore, method: str, arguments: dict[str, object]
) -> None:
    with server.client() as client:
        answer = getattr(client, method)("/sparql", **arguments)
        count = client.get("/sparql", params={"query": COUNT, "format": "json"}).json()
    assert answer.status_code == 403
    assert "read-only" in answer.text
    assert int(count["results"]["bindings"][0]["n"]["value"]) == len(store)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "PREFIX : <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
        "SELECT * WHERE { FILTER EXISTS { service <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
        "LOAD <http://127.0.0.1:{port}/data.ttl>",
        "SELECT * WHERE { GRAPH <http://127.0.0.1:{port}/data.ttl> { ?s ?p ?o } }",
        "DESCRIBE <http://127.0.0.1:{port}/thing>",
    ],
    ids=["service", "silent", "glued", "in exists", "load", "graph", "describe"],
)
def test_no_query_reaches_another_host(server: RunningServer, template: str) -> None:
    with listener() as (port, reached), server.client() as client:
        answer = client.post("/sparql", data={"query": template.replace("{port}", str(port))})
        time.sleep(0.3)
    assert not reached, "the server connected to the host the query named"
    if "SERVICE" in template.upper() or template.startswith("LOAD"):
        assert answer.status_code == 403
    else:
        assert answer.status_code == 200, "GRAPH and DESCRIBE name graphs and resources of the store only"


@pytest.mark.parametrize("query", BOMBS.values(), ids=BOMBS.keys())
def test_a_query_bomb_stops_at_the_time_limit(server: RunningServer, query: str) -> None:
    with server.client() as client:
        began = time.monotonic()
        answer = client.get("/sparql", params={"query": query})
        elapsed = time.monotonic() - began
        after = client.get("/sparql", params={"query": COUNT})
    assert answer.status_code == 422
    # Sorting a product may run out of memory before it runs out of time: either limit stops it.
    assert f"stopped after {SERVER_TIMEOUT} s" in answer.text or "MiB of memory" in answer.text
    assert elapsed < SERVER_TIMEOUT + 1.5
    assert after.status_code == 200, "the endpoint answers again at once"


def test_the_row_cap_stops_a_large_result(server: RunningServer) -> None:
    with server.client() as client:
        refused = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        limited = client.get(
            "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {SERVER_MAX_ROWS}"}
        )
    assert refused.status_code == 422
    assert f"LIMIT {SERVER_MAX_ROWS}" in refused.text
    assert limited.status_code == 200
    assert len(limited.json()["results"]["bindings"]) == SERVER_MAX_ROWS
    assert limited.headers["x-result-rows"] == str(SERVER_MAX_ROWS)


def test_a_query_over_its_memory_is_stopped(server: RunningServer) -> None:
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    with server.client() as client:
        answer = client.get("/sparql", params={"query": query})
        after = client.get("/sparql", params={"query": COUNT})
    assert answer.status_code == 422
    assert "memory" in answer.text or "time limit" in answer.text
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        ({"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "syntax error"),
        ({"params": {"query": "hello"}}, 400, "not a SPARQL query"),
        ({"params": [("query", COUNT), ("query", COUNT)]}, 400, "one query"),
        ({"params": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406, "available"),
    ],
    ids=["syntax", "no query", "two queries", "not acceptable"],
)
def test_bad_requests_say_what_is_wrong(
    server: RunningServer, arguments: dict[str, object], status: int, message: str
) -> None:
    with server.client() as client:
        answer = client.get("/sparql", **arguments)  # type: ignore[arg-type]
    assert answer.status_code == status
    assert message in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    "arguments",
    [
        {"query": "SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE { ?s ?p ?o }"},
        {"query": COUNT, "default-graph-uri": "{g}"},
    ],
    ids=["FROM", "default-graph-uri"],
)
def test_a_dataset_in_the_request_is_one_named_graph(
    server: RunningServer, store: GraphStore, arguments: dict[str, str]
) -> None:
    graph = store.graph_names()[0]
    expected = sum(1 for _ in store.quads(graph))
    params = {name: value.replace("{g}", graph) for name, value in arguments.items()}
    with server.client() as client:
        answer = client.get("/sparql", params={**params, "format": "json"})
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == expected


def test_an_unknown_format_is_left_to_accept(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get(
            "/sparql",
            params={"query": COUNT, "format": "rdf+xml", "output": "n3"},
            headers={"Accept": "application/sparql-results+xml"},
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/sparql-results+xml")


def test_a_post_of_another_type_is_refused(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 415
    assert "application/sparql-query" in answer.text


def test_the_service_description_for_programs(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=answer.content, format="turtle")
    endpoint = "http://www.w3.org/ns/sparql-service-description#endpoint"
    assert {str(o) for _, p, o in graph if str(p) == endpoint} == {f"{server.url}/sparql"}


def test_the_editor_for_browsers(server: RunningServer) -> None:
    browser = "text/html,application/xhtml+xml,*/*;q=0.8"
    with server.client() as client:
        editor = client.get("/sparql", headers={"Accept": browser})
        with_query = client.get("/sparql", params={"query": COUNT}, headers={"Accept": browser})
    assert editor.status_code == with_query.status_code == 200
    assert 'id="query"' in editor.text and 'id="stored-queries"' in editor.text
    assert "COUNT(*)" in with_query.text and 'data-autorun="true"' in with_query.text
