"""Clients as they are: SPARQLWrapper, Jena's `rsparql` and Comunica on `csei serve`'s /sparql.

SPARQLWrapper runs in its default mode. Every query form (SELECT, ASK, CONSTRUCT, DESCRIBE) in every
result format each client asks for is sent to a real `csei serve`, and what the client reads back is
compared with the embedded store's answer to the same query. Comunica (`comunica-sparql` of the npm
package `@comunica/query-sparql`, major 4, the last to run on Node.js 20) is installed from the npm
registry into a folder of the test run; its tests are skipped when npm is missing, and fail when the
install fails.
"""

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

from csei_graph.queries.compare import comparable
from csei_graph.queries.running import to_result
from csei_graph.stores.embedded import GraphStore
from tests.engines import jena_classpath
from tests.web.conftest import RunningServer

pytestmark = pytest.mark.e2e

PREFIXES = """PREFIX csei: <https://w3id.org/csei/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# Small answers holding IRIs, text with a language, a number and an unbound value.
SELECT = (
    PREFIXES
    + """SELECT ?cluster ?name ?founded WHERE {
  ?cluster a csei:PTCE ; skos:prefLabel ?name .
  OPTIONAL { ?cluster <http://schema.org/foundingDate> ?founded }
} ORDER BY ?cluster ?name"""
)
ASK = PREFIXES + "ASK { ?cluster a csei:PTCE }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?cluster ?p ?o } WHERE { ?cluster a csei:PTCE ; ?p ?o }"
DESCRIBE = "DESCRIBE <https://w3id.org/csei/id/cluster/pole-sud>"
# SPARQLWrapper and rsparql name the formats alike.
SOLUTION_FORMATS = {
    JSON: ox.QueryResultsFormat.JSON,
    XML: ox.QueryResultsFormat.XML,
    TSV: ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = (XML, TURTLE, N3, JSONLD)


def _expected(store: GraphStore, query: str) -> tuple[object, ...]:
    answer = store.query(query)
    form = "ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT"
    return comparable(to_result(form, answer))


def _from_csv(text: str, store: GraphStore, query: str) -> None:
    """CSV carries text only: compare it with the text of the embedded store's answer."""
    rows = list(csv.reader(io.StringIO(text)))
    answer = store.query(query)
    if isinstance(answer, ox.QueryBoolean):
        # CSV has no form for a boolean: the server writes it alone, Jena under a header of its own.
        assert rows[-1] == [str(bool(answer)).lower()] and len(rows) <= 2
        return
    names = [variable.value for variable in answer.variables]
    values = [["" if row[n] is None else row[n].value for n in names] for row in answer]
    assert rows == [names, *values]


def _graph_of(store: GraphStore, query: str) -> Graph:
    triples = "".join(f"{t} .\n" for t in store.query(query))  # type: ignore[union-attr]
    return Graph().parse(data=triples, format="nt")


@pytest.mark.parametrize("query", [SELECT, ASK], ids=["select", "ask"])
@pytest.mark.parametrize("result_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_every_solution_format(
    server: RunningServer, store: GraphStore, query: str, result_format: str
) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql")  # its defaults: GET, format=... beside an Accept
    client.setQuery(query)
    client.setReturnFormat(result_format)
    response = client.query()
    body = response.response.read()
    if result_format == CSV:
        _from_csv(body.decode("utf-8"), store, query)
        return
    parsed = ox.parse_query_results(body, format=SOLUTION_FORMATS[result_format])
    form = "ASK" if isinstance(parsed, ox.QueryBoolean) else "SELECT"
    assert comparable(to_result(form, parsed)) == _expected(store, query)


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("result_format", GRAPH_FORMATS)
def test_sparqlwrapper_reads_every_graph_format(
    server: RunningServer, store: GraphStore, query: str, result_format: str
) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(result_format)
    converted = client.query().convert()
    syntaxes = {TURTLE: "turtle", N3: "n3", JSONLD: "json-ld"}
    graph = (
        converted
        if isinstance(converted, Graph)
        else Graph().parse(data=converted, format=syntaxes[result_format])
    )
    expected = _graph_of(store, query)
    assert len(expected) > 0
    assert isomorphic(graph, expected)


@pytest.fixture(scope="module")
def rsparql(tmp_path_factory: pytest.TempPathFactory, server: RunningServer) -> Callable[[str, str], bytes]:
    """Jena's `rsparql` (Debian's libapache-jena-java) on the server: a query and an output format in,
    what it writes out."""
    folder = tmp_path_factory.mktemp("rsparql")
    command = ["java", "-cp", jena_classpath(folder), "arq.rsparql", "--service", f"{server.url}/sparql"]

    def run(query: str, results: str) -> bytes:
        path = folder / "query.rq"
        path.write_text(query, encoding="utf-8")
        done = subprocess.run(
            [*command, "--query", str(path), f"--results={results}"],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        return done.stdout

    return run


@pytest.mark.parametrize("query", [SELECT, ASK], ids=["select", "ask"])
@pytest.mark.parametrize("results", ["json", "xml", "csv", "tsv"])
def test_rsparql_reads_every_solution_format(
    rsparql: Callable[[str, str], bytes], store: GraphStore, query: str, results: str
) -> None:
    body = rsparql(query, results)
    if results == "csv" or (results == "tsv" and query == ASK):
        # Neither CSV nor TSV has a form for a boolean: Jena writes it under a header of its own.
        _from_csv(body.decode("utf-8"), store, query)
        return
    parsed = ox.parse_query_results(body, format=SOLUTION_FORMATS[results])
    form = "ASK" if isinstance(parsed, ox.QueryBoolean) else "SELECT"
    assert comparable(to_result(form, parsed)) == _expected(store, query)


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
# What rsparql writes of what it read; Debian's Jena 4.5 fails to write JSON-LD whatever it read.
@pytest.mark.parametrize("output", [("ttl", "turtle"), ("n3", "n3"), ("ntriples", "nt"), ("rdf", "xml")])
def test_rsparql_reads_every_graph_format(
    rsparql: Callable[[str, str], bytes], store: GraphStore, query: str, output: tuple[str, str]
) -> None:
    results, syntax = output
    expected = _graph_of(store, query)
    assert len(expected) > 0
    assert isomorphic(Graph().parse(data=rsparql(query, results), format=syntax), expected)


GRAPH = "https://w3id.org/csei/graph/geces-csei-examples"
IN_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _size_of_graph(store: GraphStore) -> int:
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    return int(next(iter(answer))["n"].value)  # type: ignore[call-overload]


def test_sparqlwrapper_states_a_dataset(server: RunningServer, store: GraphStore) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(IN_GRAPH)
    client.addDefaultGraph(GRAPH)  # sent as default-graph-uri
    client.setReturnFormat(JSON)
    found = client.query().convert()["results"]["bindings"][0]["n"]["value"]  # type: ignore[index,call-overload]
    assert int(found) == _size_of_graph(store) > 0


def test_rsparql_states_a_dataset(rsparql: Callable[[str, str], bytes], store: GraphStore) -> None:
    body = rsparql(IN_GRAPH.replace("WHERE", f"FROM <{GRAPH}> WHERE"), "json")
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert int(next(iter(parsed))["n"].value) == _size_of_graph(store) > 0  # type: ignore[arg-type,index]


# Comunica 5 needs Node.js 22; Debian's Node.js 20 runs major 4. Comunica 4's own rdf-data-factory 1
# takes the `{language, direction}` its SPARQL result parsers now give for a literal as a datatype and
# loses every language tag, so the install lifts rdf-data-factory to major 2, which reads it.
COMUNICA_PACKAGE = {
    "private": True,
    "dependencies": {"@comunica/query-sparql": "^4.5.0"},
    "overrides": {"rdf-data-factory": "^2.0.0"},
}
COMUNICA_SOLUTION_FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
COMUNICA_GRAPH_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt"}


@pytest.fixture(scope="session")
def comunica_sparql(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Comunica's `comunica-sparql`, installed from the npm registry into a folder of the test run."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not on PATH: Comunica is an npm package (Debian: apt-get install nodejs npm)")
    folder = tmp_path_factory.mktemp("comunica")
    (folder / "package.json").write_text(json.dumps(COMUNICA_PACKAGE), encoding="utf-8")
    # From the registry npm is configured with, so that a machine's mirror is honoured.
    done = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund"],
        capture_output=True,
        check=False,
        timeout=900,
    )
    # A failed install fails the tests: only a missing npm is a reason to skip them.
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return folder / "node_modules" / ".bin" / "comunica-sparql"


@pytest.fixture(scope="module")
def comunica(comunica_sparql: Path, server: RunningServer) -> Callable[[str, str], bytes]:
    """`comunica-sparql` with the server's /sparql as its one source: a query and a media type in,
    what it writes out."""

    def run(query: str, media_type: str) -> bytes:
        done = subprocess.run(
            [str(comunica_sparql), f"sparql@{server.url}/sparql", "-q", query, "-t", media_type],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        return done.stdout

    return run


def _from_comunica(body: bytes, media_type: str) -> ox.QuerySolutions | ox.QueryBoolean:
    """Comunica's answer read as the standard format it departs from."""
    if media_type == "application/sparql-results+json":
        # Comunica adds a `metadata` member (its count of HTTP requests) after the results.
        answer = {k: v for k, v in json.loads(body).items() if k != "metadata"}
        return ox.parse_query_results(json.dumps(answer).encode(), format=ox.QueryResultsFormat.JSON)
    if media_type == "text/tab-separated-values":
        # Comunica names the columns without their `?`.
        header, _, rows = body.decode("utf-8").partition("\n")
        header = "\t".join(f"?{name}" for name in header.split("\t"))
        return ox.parse_query_results(f"{header}\n{rows}".encode(), format=ox.QueryResultsFormat.TSV)
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)


def _comunica_solution_cases() -> list[object]:
    """SELECT in every format; ASK too, where Comunica 4 fails to write a boolean, as strict xfails."""
    no_boolean = {
        "application/sparql-results+xml": "its XML writer fails with `action.metadata is not a function`",
        "text/csv": "it has no CSV writer for a boolean",
        "text/tab-separated-values": "it has no TSV writer for a boolean",
    }
    cases: list[object] = [pytest.param(SELECT, f, id=f"select-{f}") for f in COMUNICA_SOLUTION_FORMATS]
    for media_type in COMUNICA_SOLUTION_FORMATS:
        cause = no_boolean.get(media_type)
        marks = (
            []
            if cause is None
            else [pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"Comunica 4: {cause}")]
        )
        cases.append(pytest.param(ASK, media_type, id=f"ask-{media_type}", marks=marks))
    return cases


@pytest.mark.parametrize(("query", "media_type"), _comunica_solution_cases())
def test_comunica_reads_every_solution_format(
    comunica: Callable[[str, str], bytes], store: GraphStore, query: str, media_type: str
) -> None:
    body = comunica(query, media_type)
    if media_type == "text/csv":
        # Comunica writes IRIs in CSV between angle brackets, where the standard has them bare.
        text = re.sub(r"(^|,)<([^>,]*)>(?=,|\r?$)", r"\1\2", body.decode("utf-8"), flags=re.MULTILINE)
        _from_csv(text, store, query)
        return
    parsed = _from_comunica(body, media_type)
    form = "ASK" if isinstance(parsed, ox.QueryBoolean) else "SELECT"
    assert comparable(to_result(form, parsed)) == _expected(store, query)


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("media_type", list(COMUNICA_GRAPH_FORMATS))
def test_comunica_reads_every_graph_format(
    comunica: Callable[[str, str], bytes], store: GraphStore, query: str, media_type: str
) -> None:
    expected = _graph_of(store, query)
    assert len(expected) > 0
    graph = Graph().parse(data=comunica(query, media_type), format=COMUNICA_GRAPH_FORMATS[media_type])
    assert isomorphic(graph, expected)
