"""Round trips through each server store: `csei push` twice leaves the store as once, and `csei pull`
gives back, byte for byte, what `csei export` writes of the same graph.

The stores: `oxigraph serve` as installed (its default graph is not the union of its graphs), with
`--union-default-graph`, and Virtuoso 7 (which writes only with a digest login). Each is started once
for the module. The commands run in a folder of their own, so that no workspace around the tests adds
to the graph they push.
"""

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from csei_graph import progress
from csei_graph.cli import main
from csei_graph.namespaces import BASE
from csei_graph.stores.protocol_client import SPARQL_RESULTS_JSON, Endpoint, ProtocolClient
from tests.engines import oxigraph_server, virtuoso_server

pytestmark = pytest.mark.e2e

STORES = ("oxigraph", "oxigraph-union", "virtuoso")
# Every statement of every graph the project writes (a store's own graphs, such as Virtuoso's, aside).
EVERYTHING = (
    f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}")) }}"""
)


@pytest.fixture(scope="module", params=STORES)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        with virtuoso_server(folder) as started:
            yield started
        return
    flags = ("--union-default-graph",) if request.param == "oxigraph-union" else ()
    with oxigraph_server(folder / "store", *flags) as started:
        yield started


def _csei(endpoint: Endpoint, folder: Path, *arguments: str) -> str:
    """A csei command against the store, logged in as the store wants, in a folder of its own."""
    login = ["--user", endpoint.user, "--auth", endpoint.auth] if endpoint.user else []
    env = {"CSEI_ENDPOINT_PASSWORD": endpoint.password or ""}
    with contextlib.chdir(folder):
        result = CliRunner().invoke(main, [*arguments, "--endpoint", endpoint.query_url, *login], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _statements(endpoint: Endpoint) -> list[tuple[str, ...]]:
    """Every statement of the project's graphs in the store, sorted, as the store gives them."""
    answer = ProtocolClient(endpoint).query(EVERYTHING, accept=SPARQL_RESULTS_JSON)
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    return sorted(tuple(str(row[name]) for name in ("g", "s", "p", "o")) for row in solutions)  # type: ignore[union-attr]


def test_pushing_twice_leaves_the_store_as_pushing_once(endpoint: Endpoint, tmp_path: Path) -> None:
    _csei(endpoint, tmp_path, "push")
    once = _statements(endpoint)
    _csei(endpoint, tmp_path, "push")
    assert len(once) > 10_000
    assert _statements(endpoint) == once


def test_push_shows_how_many_graphs_it_pushed(
    endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "STEP_LINE_FROM_SECONDS", 0.0)
    output = _csei(endpoint, tmp_path, "push")
    pushed = re.search(r"pushed \d+ triples in (\d+) graph\(s\)", output)
    assert pushed is not None, output
    assert int(pushed[1]) > 10
    assert f"pushing the graphs: {pushed[1]} graphs in " in output


@pytest.mark.parametrize("output_format", ["trig", "nquads"])
def test_pull_gives_back_the_bytes_of_the_local_export(
    endpoint: Endpoint, tmp_path: Path, output_format: str
) -> None:
    _csei(endpoint, tmp_path, "push")
    pulled, exported = tmp_path / f"pulled.{output_format}", tmp_path / f"exported.{output_format}"
    _csei(endpoint, tmp_path, "pull", "--format", output_format, "--output", str(pulled))
    with contextlib.chdir(tmp_path):
        export = CliRunner().invoke(main, ["export", "--format", output_format, "--out", str(exported)])
    assert export.exit_code == 0, export.output
    assert pulled.read_bytes() == exported.read_bytes()
