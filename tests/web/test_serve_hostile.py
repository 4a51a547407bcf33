"""Hostile requests to a running `csei serve`: path traversal, oversized requests, markup in names."""

import re
import socket
import time
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from csei_graph.pages.headers import SECURITY_HEADERS
from csei_graph.web.app import Application
from tests.web.conftest import (
    HOSTILE_IRI,
    HOSTILE_LABEL,
    RunningServer,
    local_path,
    raw_request,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.e2e

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
# What the files next to the package hold: none of it may ever be sent.
FILE_MARKERS = (b"root:x:0:0", b"[project]", b"import ", b"def ", b"PRIVATE KEY")
TRAVERSALS = [
    "/static/../../../../pyproject.toml",
    "/static/..%2f..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%5c..%5c..%5cpyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/editor/..%2fapp.py",
    "/editor/%2e%2e/app.py",
    "/editor/../workers.py",
    "/doc/..%2f..%2f..%2f..%2fetc%2fpasswd.html",
    "/doc/%2e%2e/%2e%2e/pyproject.ttl",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/id/..%2f..%2fetc%2fpasswd",
    "/dumps/..%2f..%2fpyproject.toml",
    "/queries/..%2f..%2fpyproject",
    "/static/site.css%00.py",
    "/graph/%00",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_the_site(server: RunningServer, path: str) -> None:
    status, answer = raw_request(
        server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status in (400, 404), answer[:200]
    for marker in FILE_MARKERS:
        assert marker not in answer


def test_the_static_files_are_still_served(server: RunningServer) -> None:
    status, answer = raw_request(
        server, b"GET /static/site.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert status == 200 and b"text/css" in answer


def test_an_oversized_body_is_refused_unread(server: RunningServer) -> None:
    body = "query=" + "x" * 200_000
    with server.client() as client:
        answer = client.post(
            "/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    assert answer.status_code == 413
    assert "100,000 bytes" in answer.text


def test_a_lying_content_length_is_refused_at_once(server: RunningServer) -> None:
    status, answer = raw_request(
        server,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000000000\r\nConnection: close\r\n\r\nASK {}",
    )
    assert status == 413, answer[:200]


def test_an_oversized_address_is_refused(server: RunningServer) -> None:
    query = "ASK%20%7B%7D%20" + "x" * 110_000
    request = f"GET /sparql?query={query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, answer = raw_request(server, request.encode())
    assert status == 414, answer[:200]
    assert b"POST the query" in answer


def test_oversized_headers_are_refused(server: RunningServer) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\nConnection: close\r\n\r\n"
    status, _ = raw_request(server, request)
    assert status == 431


def test_a_huge_request_is_cut_off_without_being_read(server: RunningServer) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5_000_000 + b"\r\n\r\n"
    try:
        status, _ = raw_request(server, request)
    except ConnectionError:
        status = 0
    assert status in (0, 400, 431), "refused, or the connection closed"
    with server.client() as client:
        assert client.get("/openapi.json").status_code == 200, "the server carries on"


def test_a_malformed_request_gets_400(server: RunningServer) -> None:
    status, _ = raw_request(server, b"GARBAGE\r\n\r\n")
    assert status == 400


def test_markup_in_a_label_is_shown_as_text(hostile_server: RunningServer) -> None:
    page_path = local_path(HOSTILE_IRI).replace("/id/", "/doc/", 1) + ".html"
    with hostile_server.client() as client:
        page = client.get(page_path).text
        cluster = client.get("/doc/cluster/hostile-cluster.html").text
        search = client.get("/search-index.json")
    assert "<script>alert(" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in cluster and "</title><script>" not in cluster
    assert search.headers["content-type"].startswith("application/json")
    assert HOSTILE_LABEL in {entry["l"] for entry in search.json()}


@pytest.mark.parametrize(
    "path",
    [
        "/doc/cluster/%3Cscript%3Ealert(1)%3C%2Fscript%3E.html",
        "/id/cluster/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_a_404_page_does_not_echo_markup(server: RunningServer, path: str) -> None:
    with server.client() as client:
        answer = client.get(path, headers={"Accept": BROWSER})
    assert answer.status_code == 404
    assert "<script>alert(1)" not in answer.text


def test_the_editor_does_not_echo_markup(server: RunningServer) -> None:
    query = "</textarea><script>alert(1)</script>"
    with server.client() as client:
        answer = client.get("/query-editor", params={"query": query})
        stored = client.get("/sparql", headers={"Accept": BROWSER})
    assert "<script>alert(1)" not in answer.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in answer.text
    block = re.search(
        r'<script type="application/json" id="stored-queries">(.*?)</script>', stored.text, re.S
    )
    assert block and "<" not in block.group(1), "the stored queries cannot close their script element"


def test_plain_text_errors_are_not_sniffed_as_html(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get("/sparql", params={"query": "SELECT * { <script>alert(1)</script> }"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/", "/no-such-page", "/static/no-such-file.css", "/id/cluster/no-such-cluster"]
)
def test_every_answer_carries_the_security_headers(server: RunningServer, path: str) -> None:
    with server.client() as client:
        answer = client.get(path, headers={"Accept": BROWSER})
    for name, value in SECURITY_HEADERS:
        assert answer.headers[name] == value, (path, name)
    assert "unsafe-inline" not in answer.headers["content-security-policy"]


def test_an_answer_the_application_fails_to_give_carries_the_security_headers() -> None:
    # The error answer is made by the application's error handling, outside the routes' middleware.
    async def failing(request: Request) -> Response:
        raise RuntimeError("a fault no route expected")

    app = Application(routes=[Route("/fails", failing)])
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/fails")
    assert answer.status_code == 500
    for name, value in SECURITY_HEADERS:
        assert answer.headers[name] == value, name


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` giving clients one second to send a request's headers."""
    running = start_server(
        [], tmp_path_factory.mktemp("impatient") / "serve.log", {"CSEI_HEADER_TIMEOUT": "1"}
    )
    try:
        yield running
    finally:
        stop_server(running)


def _connect(server: RunningServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_within(connection: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed the connection, if it did within `seconds`."""
    began = time.monotonic()
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return None
    return time.monotonic() - began


def test_a_connection_sending_no_end_of_headers_is_closed(impatient_server: RunningServer) -> None:
    with _connect(impatient_server) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        assert _closed_within(connection, 5) is not None


def test_headers_sent_a_byte_at_a_time_do_not_hold_the_connection(impatient_server: RunningServer) -> None:
    with _connect(impatient_server) as connection:
        began = time.monotonic()
        closed = False
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.2)
            if time.monotonic() - began > 5:
                break
        assert closed or _closed_within(connection, 1) is not None


def test_a_request_sent_in_time_is_answered_and_the_next_one_waited_for(
    impatient_server: RunningServer,
) -> None:
    with _connect(impatient_server) as connection:
        connection.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.settimeout(10)
        assert connection.recv(12).startswith(b"HTTP/1.1 200")
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the next request, never finished
        assert _closed_within(connection, 8) is not None
