"""The stored queries as routes of a running `csei serve`, and their OpenAPI description."""

import json
import urllib.parse

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate
from rdflib import Graph
from rdflib.compare import isomorphic

from csei_graph import queries
from csei_graph.cli import main
from tests.web.conftest import SERVER_MAX_ROWS, RunningServer

pytestmark = pytest.mark.e2e

STORED = queries.list_queries()
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def csei_query(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["query", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_catalogue_lists_every_stored_query(server: RunningServer) -> None:
    with server.client() as client:
        listed = client.get("/queries").json()
    assert [entry["name"] for entry in listed] == [q.name for q in STORED]
    for entry, stored in zip(listed, STORED, strict=True):
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in stored.parameters]
        assert entry["sparql"] == stored.text


@pytest.mark.parametrize("stored", STORED, ids=[q.name for q in STORED])
def test_a_stored_query_route_answers_like_csei_query(
    server: RunningServer, stored: queries.StoredQuery
) -> None:
    graph_result = stored.form in ("CONSTRUCT", "DESCRIBE")
    with server.client() as client:
        answer = client.get(
            f"/queries/{stored.name}", params={"format": "turtle" if graph_result else "json"}
        )
    if graph_result:
        assert answer.status_code == 200, answer.text
        expected = Graph().parse(data=csei_query(stored.name, "--format", "turtle"), format="turtle")
        assert isomorphic(Graph().parse(data=answer.content, format="turtle"), expected)
        return
    expected = json.loads(csei_query(stored.name, "--format", "json"))
    if len(expected.get("results", {}).get("bindings", [])) > SERVER_MAX_ROWS:
        assert answer.status_code == 422
        return
    assert answer.status_code == 200, answer.text
    assert answer.json() == expected


def test_parameters_come_from_the_url(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get("/queries/clusters-per-country", params={"type": "csei:PTCE", "format": "csv"})
    expected = csei_query("clusters-per-country", "--param", "type=csei:PTCE", "--format", "csv")
    assert answer.status_code == 200
    # SPARQL CSV ends its lines in CRLF; the click test runner shows them as LF.
    assert answer.text.replace("\r\n", "\n") == expected
    assert expected != csei_query("clusters-per-country", "--format", "csv")


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/queries/clusters-in-country", {"country": "not a country"}, "parameter country"),
        ("/queries/clusters-in-country", {"colour": "red"}, "no parameter 'colour'"),
        ("/queries/memberships-on-date", {"on": "yesterday"}, "parameter on"),
        ("/queries/shared-members", {"min_clusters": "two"}, "parameter min_clusters"),
        ("/queries/search", {"text": "x", "format": "pdf"}, "unknown format"),
    ],
)
def test_bad_parameters_say_what_is_wrong(
    server: RunningServer, path: str, params: dict[str, str], message: str
) -> None:
    with server.client() as client:
        answer = client.get(path, params=params)
    assert answer.status_code == 400
    assert message in answer.text
    assert ".rq" not in answer.text, "no file of the server is named"


def test_an_unknown_stored_query_is_404(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get("/queries/no-such-query")
        traversal = client.get("/queries/..%2f..%2fpyproject")
    assert answer.status_code == 404
    assert "clusters" in answer.text
    assert traversal.status_code == 404


def test_a_browser_gets_the_page_or_the_editor(server: RunningServer) -> None:
    with server.client() as client:
        plain = client.get("/queries/clusters", headers={"Accept": BROWSER})
        with_values = client.get("/queries/clusters", params={"country": "FRA"}, headers={"Accept": BROWSER})
        page = client.get(plain.headers["location"])
        editor = client.get(with_values.headers["location"])
    assert plain.status_code == with_values.status_code == 303
    assert plain.headers["location"] == "/query/clusters.html"
    location = urllib.parse.urlsplit(with_values.headers["location"])
    assert location.path == "/query-editor"
    assert urllib.parse.parse_qs(location.query) == {"stored": ["clusters"], "country": ["FRA"]}
    assert page.status_code == editor.status_code == 200


def test_the_openapi_document_is_valid_and_complete(server: RunningServer) -> None:
    with server.client() as client:
        document = client.get("/openapi.json").json()
    validate(document)
    assert "/sparql" in document["paths"]
    for stored in STORED:
        operation = document["paths"][f"/queries/{stored.name}"]["get"]
        names = [p["name"] for p in operation["parameters"]]
        assert names == [p.name for p in stored.parameters] + ["format"]
        assert operation["summary"] == (stored.title or stored.name)
