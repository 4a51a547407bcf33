"""The SPARQL Protocol client against small real HTTP servers: errors, time-outs and safe retries."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from csei_graph.stores.protocol_client import Endpoint, ProtocolClient, RemoteError, default_store_url
from csei_graph.stores.remote import PushedLayout, RemoteStore

RESULTS = json.dumps(
    {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}
)


class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next (status, body) of the server's script; logs what it got."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append((self.command, self.path, self.headers, self.rfile.read(length)))  # type: ignore[attr-defined]
        status, body = self.server.script.pop(0) if self.server.script else (200, RESULTS)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.script, httpd.requests = [], []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def endpoint_of(httpd: ThreadingHTTPServer, **options: object) -> Endpoint:
    host, port = httpd.server_address[:2]
    return Endpoint(f"http://{host}:{port}/query", **options)  # type: ignore[arg-type]


def ask(endpoint: Endpoint) -> None:
    ProtocolClient(endpoint).query("ASK WHERE {}", accept="application/sparql-results+json")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("query_url", "authenticated", "store_url"),
    [
        ("http://127.0.0.1:7878/query", False, "http://127.0.0.1:7878/store"),
        ("http://127.0.0.1:7878", False, "http://127.0.0.1:7878/store"),
        ("http://localhost:3030/ds/sparql", False, "http://localhost:3030/ds/data"),
        ("http://localhost:3030/ds/query", False, "http://localhost:3030/ds/data"),
        ("http://localhost:8890/sparql", False, "http://localhost:8890/sparql-graph-crud"),
        ("http://localhost:8890/sparql-auth", True, "http://localhost:8890/sparql-graph-crud-auth"),
        (
            "http://localhost:7200/repositories/csei",
            False,
            "http://localhost:7200/repositories/csei/rdf-graphs/service",
        ),
    ],
)
def test_graph_store_url_of_common_servers(query_url: str, authenticated: bool, store_url: str) -> None:
    assert default_store_url(query_url, authenticated=authenticated) == store_url


def test_bad_endpoint_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="must start with http"):
        Endpoint("ftp://example.org/sparql")
    with pytest.raises(ValueError, match="unknown authentication"):
        Endpoint("http://example.org/sparql", auth="kerberos")
    with pytest.raises(ValueError, match="cannot tell the Graph Store Protocol URL"):
        _ = Endpoint("http://example.org/some/where").graph_store_url


def test_a_store_that_is_down_is_reported_after_retries() -> None:
    endpoint = Endpoint(f"http://127.0.0.1:{free_port()}/query", retries=1)
    with pytest.raises(RemoteError) as raised:
        ask(endpoint)
    assert "connection refused" in str(raised.value)
    assert "is the store running" in raised.value.hint


def test_a_silent_store_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        endpoint = Endpoint(f"http://127.0.0.1:{port}/query", timeout=1, retries=3)
        with pytest.raises(RemoteError, match=r"no answer within 1 s"):
            ask(endpoint)


def test_a_busy_store_is_asked_again(server: ThreadingHTTPServer) -> None:
    server.script += [(503, "busy"), (502, "bad gateway")]  # type: ignore[attr-defined]
    answer = ProtocolClient(endpoint_of(server, retries=2)).query(
        "SELECT ?n WHERE { ?s ?p ?n }", accept="*/*"
    )
    assert b'"7"' in answer.body
    assert len(server.requests) == 3  # type: ignore[attr-defined]


def test_a_refused_query_is_not_asked_again_and_says_why(server: ThreadingHTTPServer) -> None:
    server.script.append((400, "Parser error at line 1: unexpected token"))  # type: ignore[attr-defined]
    with pytest.raises(RemoteError) as raised:
        ask(endpoint_of(server, retries=2))
    assert raised.value.status == 400
    assert "Parser error at line 1: unexpected token" in str(raised.value)
    assert len(server.requests) == 1  # type: ignore[attr-defined]


def test_a_login_is_asked_for_with_a_hint(server: ThreadingHTTPServer) -> None:
    server.script.append((401, "who are you"))  # type: ignore[attr-defined]
    with pytest.raises(RemoteError) as raised:
        ask(endpoint_of(server))
    assert raised.value.status == 401 and "CSEI_ENDPOINT_PASSWORD" in raised.value.hint


def test_basic_credentials_are_sent(server: ThreadingHTTPServer) -> None:
    client = ProtocolClient(endpoint_of(server, user="dba", password="secret"))
    client.put_graph("urn:g", b"<urn:a> <urn:b> <urn:c> .")
    method, path, headers, body = server.requests[0]  # type: ignore[attr-defined]
    assert (method, path, body) == ("PUT", "/store?graph=urn%3Ag", b"<urn:a> <urn:b> <urn:c> .")
    assert headers["Authorization"] == "Basic ZGJhOnNlY3JldA=="
    assert headers["Content-Type"].startswith("text/turtle")


def test_a_graph_replacement_is_sent_again_when_the_store_is_busy(server: ThreadingHTTPServer) -> None:
    server.script.append((503, "busy"))  # type: ignore[attr-defined]
    ProtocolClient(endpoint_of(server, retries=1)).put_graph(None, b"<urn:a> <urn:b> <urn:c> .")
    assert [r[:2] for r in server.requests] == [("PUT", "/store?default")] * 2  # type: ignore[attr-defined]


def test_an_answer_that_is_not_rdf_is_refused(server: ThreadingHTTPServer) -> None:
    remote = RemoteStore(endpoint_of(server))
    remote.layout = PushedLayout(("urn:g",), None, {"urn:g": 1})
    with pytest.raises(RemoteError, match="not RDF"):
        list(remote.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert (
        ProtocolClient(endpoint_of(server)).get_graph("urn:g").content_type
        == "application/sparql-results+json"
    )


def test_nothing_pushed_is_a_clear_error(server: ThreadingHTTPServer) -> None:
    server.script.append((200, json.dumps({"head": {"vars": ["p", "o"]}, "results": {"bindings": []}})))  # type: ignore[attr-defined]
    with pytest.raises(RemoteError, match="nothing pushed here: run csei push"):
        RemoteStore(endpoint_of(server)).check()
