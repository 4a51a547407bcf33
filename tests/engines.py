"""Real SPARQL engines for the tests: Oxigraph and Virtuoso servers, Jena's ARQ command, on loopback.

Each is started on a free 127.0.0.1 port with a store in a temporary folder and stopped afterwards;
a test that needs a tool that is not installed is skipped with the reason.
"""

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph.sparql_syntax import GRAPH_FORMS, StatedDataset, read_query, with_dataset, with_values
from csei_graph.stores.base import GraphDataset, QueryAnswer
from csei_graph.stores.protocol_client import Endpoint
from csei_graph.terms import OxTerm

JENA_JARS = Path("/usr/share/java")
# The jars of Jena's command-line tools and what they need, by their unversioned Debian names.
JENA_CLASSPATH = [
    "jena-arq",
    "jena-base",
    "jena-cmds",
    "jena-core",
    "jena-iri",
    "jena-dboe-base",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-tdb",
    "jena-tdb2",
    "jena-rdfconnection",
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "gson",
    "httpclient",
    "httpcore",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jsonld-java",
    "slf4j-api",
    "slf4j-nop",
    "titanium-json-ld",
    "jakarta.json-api",
    "dexx.collection",
    "thrift",
    "protobuf",
    "guava",
]
# Jena's own name for the default graph of a dataset, in FROM.
JENA_DEFAULT_GRAPH = "urn:x-arq:DefaultGraph"
VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 1G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the server did not answer {url} within {timeout:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def oxigraph_executable() -> str:
    """The `oxigraph` server of the test extra; the test is skipped when it is not installed."""
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        pytest.skip("the Oxigraph server is not installed: pip install oxigraph (in the test extra)")
    return found


@contextmanager
def oxigraph_server(folder: Path, *flags: str) -> Iterator[Endpoint]:
    """`oxigraph serve` with a store in `folder` and these flags (none: as installed)."""
    port = free_port()
    command = [oxigraph_executable(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    with (folder.parent / f"{folder.name}.log").open("wb") as log:
        process = subprocess.Popen([*command, *flags], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/query?query=ASK%7B%7D", process)
        yield Endpoint(f"{base}/query")
    finally:
        _stop(process)


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[Endpoint]:
    """A throw-away Virtuoso with its own database in `folder` (login dba/dba, digest)."""
    executable = shutil.which("virtuoso-t")
    if executable is None:
        pytest.skip("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run does)")
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    with (folder / "stdout.log").open("wb") as log:
        process = subprocess.Popen(
            [executable, "+foreground", "+configfile", str(ini)], stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_up(f"{base}/sparql?query=ASK%7B%7D", process)
        yield Endpoint(f"{base}/sparql", user="dba", password="dba", auth="digest", timeout=60)
    finally:
        _stop(process)


def jena_classpath(folder: Path) -> str:
    """The class path of Jena's command-line tools, as Debian installs them.

    Debian's jena-core holds the XML Schema datatype classes under `xerces/` and their message files
    under `org/apache/jena/ext/xerces/`; without the messages where the classes look for them, Jena
    fails at start. A folder holding a copy of them where they are looked for goes first.
    """
    jars = [JENA_JARS / f"{name}.jar" for name in JENA_CLASSPATH]
    if shutil.which("java") is None or not all(jar.exists() for jar in jars):
        pytest.skip("Jena is not installed: apt-get install libapache-jena-java (.ci/run does)")
    messages = folder / "jena-messages"
    prefix = "org/apache/jena/ext/xerces/impl/"
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as core:
        for name in core.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = messages / "xerces" / "impl" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(core.read(name))
    return ":".join([str(messages), *map(str, jars)])


class ArqStore:
    """Jena's ARQ command-line engine (`arq.arq`) over a TriG file: a third engine, run once per query.

    The dataset is stated in the query's text (FROM, FROM NAMED, with Jena's name for the file's
    default graph); bindings join the query as a VALUES block, as for a remote store.
    """

    def __init__(self, trig: Path, classpath: str, named_graphs: list[str]) -> None:
        self.trig = trig
        self.classpath = classpath
        self.named_graphs = tuple(named_graphs)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, OxTerm] | None = None,
        *,
        dataset: GraphDataset | None = None,
    ) -> QueryAnswer:
        parsed = read_query(sparql)
        stated = dataset or GraphDataset((JENA_DEFAULT_GRAPH, *self.named_graphs), self.named_graphs)
        text = with_values(
            parsed,
            dict(bindings or {}),
            with_dataset(parsed, StatedDataset(stated.default_graphs, stated.named_graphs)),
        )
        graph_result = parsed.form in GRAPH_FORMS
        with tempfile.NamedTemporaryFile("w", suffix=".rq", encoding="utf-8") as query_file:
            query_file.write(text)
            query_file.flush()
            answer = subprocess.run(
                [
                    "java",
                    "-cp",
                    self.classpath,
                    "arq.arq",
                    "--data",
                    str(self.trig),
                    "--query",
                    query_file.name,
                    f"--results={'ntriples' if graph_result else 'json'}",
                ],
                capture_output=True,
                check=False,
                timeout=300,
            )
        if answer.returncode != 0:
            raise RuntimeError(f"arq failed: {answer.stderr.decode(errors='replace')[-2000:]}")
        if graph_result:
            return iter([quad.triple for quad in ox.parse(answer.stdout, format=ox.RdfFormat.N_TRIPLES)])
        document = json.loads(answer.stdout)
        return ox.parse_query_results(json.dumps(document), format=ox.QueryResultsFormat.JSON)
