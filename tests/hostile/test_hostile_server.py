"""The corpus against a running `csei serve`: /sparql, /reconcile and resource URLs answer with the
documented status and message, never a traceback, never a file outside the site, and never a connection
to another host."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.corpus import assert_says, cases_of, expand
from tests.web.conftest import RunningServer, listener, raw_request, serve_with_source

pytestmark = pytest.mark.e2e

HOSTILE_SOURCE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/csei/id/organisation/hostile-corpus> a <http://www.w3.org/ns/org#Organization> ;
    skos:prefLabel "<script>alert('corpus')</script>"@en ;
    # Values a spreadsheet would run as formulas, were they written into CSV as they are.
    skos:altLabel "=1+2"@en, "+1+1"@en, "-2+3"@en, "@SUM(A1)"@en, "\tTabbed"@en .
"""


@pytest.fixture(scope="module")
def hostile_corpus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` (the test limits: 2 s per query) on the built-in graph and a resource named in HTML."""
    with serve_with_source(tmp_path_factory, "hostile-corpus", HOSTILE_SOURCE) as running:
        yield running


def _filled(value: object, port: int) -> Any:
    if isinstance(value, dict):
        return {key: _filled(item, port) for key, item in value.items()}
    return expand(str(value)).replace("{port}", str(port))


def _request_options(case: dict[str, Any], port: int) -> dict[str, Any]:
    options: dict[str, Any] = {"params": _filled(case.get("params", {}), port)}
    if "form" in case:
        options["data"] = _filled(case["form"], port)
    if "body" in case or "body_latin1" in case:
        text = _filled(case.get("body", case.get("body_latin1")), port)
        options["content"] = text.encode("latin-1" if "body_latin1" in case else "utf-8")
        options["headers"] = {"Content-Type": case["content_type"]}
    return options


@pytest.mark.parametrize("case", cases_of("sparql"))
def test_a_hostile_sparql_request(hostile_corpus_server: RunningServer, case: dict[str, Any]) -> None:
    with listener() as (port, reached), hostile_corpus_server.client() as client:
        began = time.monotonic()
        answer = client.request(case["method"], "/sparql", **_request_options(case, port))
        elapsed = time.monotonic() - began
        count = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
    assert answer.status_code == case["status"], f"{case['id']}: {answer.status_code} {answer.text[:500]}"
    assert_says(case, answer.text)
    assert elapsed < case.get("seconds", 10), f"{case['id']}: answered after {elapsed:.1f} s"
    assert not reached, f"{case['id']}: the server connected to the host the request named"
    assert count.status_code == 200 and count.json()["boolean"], "the endpoint answers after it"


@pytest.mark.parametrize("case", cases_of("resource"))
def test_a_hostile_resource_address(hostile_corpus_server: RunningServer, case: dict[str, Any]) -> None:
    path = expand(case["path"])
    accept = case.get("accept", "text/html")
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    status, answer = raw_request(hostile_corpus_server, request.encode("latin-1"))
    assert status == case["status"], f"{case['id']}: {status} {answer[:300]!r}"
    assert_says(case, answer.decode("utf-8", errors="replace"))


def test_the_server_logged_no_traceback(hostile_corpus_server: RunningServer) -> None:
    with hostile_corpus_server.client() as client:
        assert client.get("/openapi.json").status_code == 200
    log = "\n".join(hostile_corpus_server.log_lines())
    assert "Traceback" not in log
    assert hostile_corpus_server.process.poll() is None, "the server is still running"


def test_nothing_outside_the_site_was_sent(hostile_corpus_server: RunningServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret", encoding="utf-8")
    for prefix in ("/static/", "/doc/", "/dumps/", "/"):
        relative = "../" * 12 + str(secret).lstrip("/")
        status, answer = raw_request(
            hostile_corpus_server,
            f"GET {prefix}{relative} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
        )
        assert status == 404 and b"the secret" not in answer


def _reconcile_options(case: dict[str, Any]) -> dict[str, Any]:
    """The case's parameters, with `batch` (N copies of `query`, each its own key) as `queries`."""
    fields = {key: expand(str(value)) for key, value in case.get("params", {}).items()}
    if "batch" in case:
        query = {"query": expand(case["query"])}
        fields["queries"] = json.dumps({f"q{number}": query for number in range(case["batch"])})
    return {"data": fields} if case.get("method", "GET") == "POST" else {"params": fields}


@pytest.mark.parametrize("case", cases_of("reconcile"))
def test_a_hostile_reconciliation_request(hostile_corpus_server: RunningServer, case: dict[str, Any]) -> None:
    with hostile_corpus_server.client() as client:
        answer = client.request(case.get("method", "GET"), case["path"], **_reconcile_options(case))
        after = client.get("/reconcile", params={"queries": json.dumps({"q0": {"query": "corpus"}})})
    assert answer.status_code == case["status"], f"{case['id']}: {answer.status_code} {answer.text[:500]}"
    assert_says(case, answer.text)
    for raw in case.get("escaped", []):
        assert raw not in answer.text, f"{case['id']}: {raw!r} is sent as it is"
    if "empty" in case:
        assert not any(json.loads(answer.text)[key]["result"] for key in json.loads(answer.text))
    assert after.status_code == 200 and "q0" in after.json(), "the service answers after it"
