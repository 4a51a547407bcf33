"""A real `csei serve`, started in its own process on a free loopback port, and helpers to query it."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from csei_graph.contributions import maintainers
from csei_graph.stores.embedded import GraphStore
from csei_graph.workspace import Workspace, init

# Small limits, so that the tests of the limits are fast.
SERVER_TIMEOUT = 2
SERVER_MAX_ROWS = 500
SERVER_MEMORY_MB = 256
SERVER_WORKERS = 2
RENDER_WORKERS = 2
CSEI = "https://w3id.org/csei/ontology#"
BASE = "https://w3id.org/csei/"
MAINTAINER = "Ada Admin"
PASSWORD = "correct horse battery"
UPLOAD_LIMIT = 100_000


@dataclass
class RunningServer:
    """A `csei serve` process: its address, its process and the file its log goes to."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, **options: object) -> httpx.Client:
        """An HTTP client for this server that follows no redirect by itself."""
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30, **options)  # type: ignore[arg-type]

    def log_lines(self) -> list[str]:
        """The lines the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    arguments: Sequence[str], log: Path, environment: dict[str, str] | None = None
) -> RunningServer:
    """Start `csei serve` with the test limits and wait until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "CSEI_SPARQL_WORKERS": str(SERVER_WORKERS),
        "CSEI_RENDER_WORKERS": str(RENDER_WORKERS),
        "CSEI_SPARQL_MAX_MEMORY_MB": str(SERVER_MEMORY_MB),
        "RUST_BACKTRACE": "0",
        **(environment or {}),
    }
    command = [
        sys.executable,
        "-c",
        "from csei_graph.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--timeout",
        str(SERVER_TIMEOUT),
        "--max-rows",
        str(SERVER_MAX_ROWS),
        *arguments,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    server = RunningServer(f"http://127.0.0.1:{port}", process, log)
    _wait_until_ready(server)
    return server


def stop_server(server: RunningServer) -> None:
    """Stop the server as Ctrl+C would, and kill it if it does not stop."""
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def pss_kib(pid: int) -> int:
    """The proportional memory of a process and all its descendants (shared pages counted once)."""
    total = 0
    for process in [pid, *descendants(pid)]:
        try:
            rollup = Path(f"/proc/{process}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text(encoding="ascii").split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def _wait_until_ready(server: RunningServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"csei serve exited with {server.process.returncode}:\n{server.log.read_text()}"
            )
        try:
            if httpx.get(f"{server.url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(server)
    raise TimeoutError(f"csei serve did not answer within {timeout} s:\n{server.log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` on the built-in graph, with the limits above."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    running = start_server([], log)
    try:
        yield running
    finally:
        stop_server(running)


HOSTILE_IRI = f"{BASE}id/organisation/hostile-label"
HOSTILE_LABEL = "<script>alert('label')</script><img src=x onerror=alert('img')>"
HOSTILE_SOURCE = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
<{HOSTILE_IRI}> a org:Organization ;
    skos:prefLabel "{HOSTILE_LABEL}"@en ;
    dct:description "\\"><svg onload=alert('description')>" ;
    org:memberOf <{BASE}id/cluster/hostile-cluster> .
<{BASE}id/cluster/hostile-cluster> a <{CSEI}Cluster> ;
    skos:prefLabel "</title><script>alert('cluster')</script>"@en .
"""


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` on the built-in graph plus resources whose names are HTML and JavaScript."""
    with serve_with_source(tmp_path_factory, "hostile", HOSTILE_SOURCE) as running:
        yield running


@pytest.fixture(scope="session")
def cluster_iri(store: GraphStore) -> str:
    """A cluster of the built-in graph with a name, a country and members or a source."""
    rows = store.query(
        f"""SELECT ?c (COUNT(*) AS ?n) WHERE {{
            ?c a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{CSEI}Cluster> ; ?p ?o .
            FILTER(STRSTARTS(STR(?c), "{BASE}id/cluster/"))
        }} GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1"""
    )
    return next(iter(rows))["c"].value  # type: ignore[call-overload]


def local_path(iri: str) -> str:
    """The server path of an IRI of the graph."""
    assert iri.startswith(BASE), iri
    return "/" + iri[len(BASE) :]


@contextmanager
def serve_with_source(
    tmp_path_factory: pytest.TempPathFactory, name: str, turtle: str
) -> Iterator[RunningServer]:
    """`csei serve` with the test limits on the built-in graph and one more Turtle source."""
    folder = tmp_path_factory.mktemp(name)
    source = folder / f"{name}.ttl"
    source.write_text(turtle, encoding="utf-8")
    running = start_server([str(source)], folder / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


def raw_request(server: RunningServer, request: bytes) -> tuple[int, bytes]:
    """Send the bytes as they are (no client tidies the path) and read the status and the whole answer."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    match = re.match(rb"HTTP/1\.1 (\d{3})", received)
    return (int(match.group(1)) if match else 0), received


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback port that records the first bytes of every connection made to it."""
    with socket.socket() as server_socket:
        server_socket.bind(("127.0.0.1", 0))
        server_socket.listen(8)
        server_socket.settimeout(0.1)
        reached: list[bytes] = []
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    connection, _ = server_socket.accept()
                except OSError:
                    continue
                with connection:
                    connection.settimeout(1)
                    try:
                        reached.append(connection.recv(128) or b"(connected)")
                    except OSError:
                        reached.append(b"(connected)")

        waiting = threading.Thread(target=accept)
        waiting.start()
        try:
            yield server_socket.getsockname()[1], reached
        finally:
            stop.set()
            waiting.join()


@dataclass
class Served:
    """A server publishing a workspace with one maintainer."""

    server: RunningServer
    workspace: Workspace


def serve_workspace(folder: Path, **environment: str) -> Served:
    """`csei serve` in a new workspace whose one maintainer is MAINTAINER, uploads limited to UPLOAD_LIMIT."""
    workspace = init(folder / "workspace")
    maintainers.add(workspace, MAINTAINER, PASSWORD)
    env = {"CSEI_WORKSPACE": str(workspace.root), "CSEI_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT), **environment}
    return Served(start_server([], folder / "serve.log", env), workspace)
