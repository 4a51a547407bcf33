"""The parity matrix: every stored query, with its defaults and its documented examples, on six engines.

The engines: the embedded store; `oxigraph serve` as installed (its default graph is not the
union of its graphs) and with `--union-default-graph`; Virtuoso 7 (Debian's); Jena's ARQ command
over the exported TriG; rdflib's engine. Each server holds the graph `csei push` wrote; each is
started and loaded once per session. Results are compared by value (`queries.compare`). The table
of `docs/scaling.md` between the parity markers is this test's: set CSEI_WRITE_DOCS=1 to write it.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph import export
from csei_graph.namespaces import BASE
from csei_graph.queries import QueryResult, StoredQuery, list_queries, run_query
from csei_graph.queries.compare import comparable
from csei_graph.sources import base_sources
from csei_graph.stores.base import Store
from csei_graph.stores.rdflib_engine import RdflibStore
from csei_graph.stores.remote import RemoteStore
from csei_graph.transfer import push
from csei_graph.workspace import init
from tests.engines import ArqStore, jena_classpath, oxigraph_server, virtuoso_server
from tests.queries.conftest import SYNTHETIC_SEED, release_sources

pytestmark = pytest.mark.e2e

ENGINES = ("embedded", "oxigraph", "oxigraph-union", "virtuoso", "jena-arq", "rdflib")
ENGINE_TITLES = {
    "embedded": "embedded (pyoxigraph)",
    "oxigraph": "`oxigraph serve`",
    "oxigraph-union": "`oxigraph serve --union-default-graph`",
    "virtuoso": "Virtuoso 7",
    "jena-arq": "Jena ARQ",
    "rdflib": "rdflib",
}
# Differences that are an engine's bug, each with its minimal reproduction in docs/scaling.md.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("clusters-per-country", "virtuoso"): "Virtuoso 7.2.5 gives no rows when a path's end is bound by "
    "VALUES (?class rdfs:subClassOf* ?type), an OPTIONAL nests an OPTIONAL with a FILTER, and the "
    "dataset names 15 graphs or more (14: right); reproduction in docs/scaling.md",
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"
BEGIN = "<!-- parity matrix: written by tests/queries/test_parity.py -->"
END = "<!-- end of the parity matrix -->"
QUERIES = list_queries()


def _cases() -> list[tuple[str, StoredQuery, dict[str, str]]]:
    cases = []
    for query in QUERIES:
        cases.append((f"{query.name}", query, {}))
        examples = query.example_values()
        if any(examples.get(p.name) != p.default for p in query.parameters):
            label = ", ".join(f"{name}={value}" for name, value in sorted(examples.items()))
            cases.append((f"{query.name} ({label})", query, examples))
    return cases


CASES = _cases()


@pytest.fixture(scope="session")
def pushed_graph(synthetic_scenario) -> Store:
    """The built-in graph and a small synthetic one: what every engine holds."""
    return synthetic_scenario.store


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory: pytest.TempPathFactory, pushed_graph: Store) -> Iterator[Store]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as endpoint:
        push(pushed_graph, endpoint)
        yield RemoteStore(endpoint)


@pytest.fixture(scope="session")
def oxigraph_union_store(tmp_path_factory: pytest.TempPathFactory, pushed_graph: Store) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("oxigraph-union") / "store"
    with oxigraph_server(folder, "--union-default-graph") as endpoint:
        push(pushed_graph, endpoint)
        yield RemoteStore(endpoint)


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory: pytest.TempPathFactory, pushed_graph: Store) -> Iterator[Store]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        push(pushed_graph, endpoint)
        yield RemoteStore(endpoint)


@pytest.fixture(scope="session")
def arq_store(tmp_path_factory: pytest.TempPathFactory, pushed_graph: Store) -> Store:
    folder = tmp_path_factory.mktemp("jena")
    trig = folder / "graph.trig"
    trig.write_bytes(export.to_bytes(pushed_graph.quads(), export.export_format("trig")))
    return ArqStore(trig, jena_classpath(folder), pushed_graph.graph_names())  # type: ignore[return-value]


@pytest.fixture(scope="session")
def rdflib_store(pushed_graph: Store) -> Store:
    return RdflibStore.from_store(pushed_graph)


_FIXTURES = {
    "embedded": "pushed_graph",
    "oxigraph": "oxigraph_store",
    "oxigraph-union": "oxigraph_union_store",
    "virtuoso": "virtuoso_store",
    "jena-arq": "arq_store",
    "rdflib": "rdflib_store",
}
_ANSWERS: dict[tuple[str, str], QueryResult | str] = {}


def answer(request: pytest.FixtureRequest, engine: str, case: str) -> QueryResult | str:
    """The result of a case on an engine (or what went wrong), computed once per session."""
    key = (engine, case)
    if key not in _ANSWERS:
        store = request.getfixturevalue(_FIXTURES[engine])
        _, query, params = next(c for c in CASES if c[0] == case)
        try:
            _ANSWERS[key] = run_query(query, params, store=store)
        except Exception as error:  # an engine that fails a query is a difference, said in the matrix
            _ANSWERS[key] = f"{type(error).__name__}: {error}"
    return _ANSWERS[key]


def _params() -> list[object]:
    params = []
    for case, _, _ in CASES:
        for engine in ENGINES[1:]:
            name = case.split(" ")[0]
            reason = KNOWN_DIFFERENCES.get((name, engine))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(case, engine, id=f"{case}-{engine}", marks=marks))
    return params


@pytest.mark.parametrize(("case", "engine"), _params())
def test_every_engine_answers_as_the_embedded_store(
    request: pytest.FixtureRequest, case: str, engine: str
) -> None:
    expected = answer(request, "embedded", case)
    found = answer(request, engine, case)
    assert isinstance(expected, QueryResult), expected
    assert isinstance(found, QueryResult), found
    assert comparable(found) == comparable(expected)
    assert expected.rows or expected.triples or expected.boolean is not None, "compare something"


def matrix(request: pytest.FixtureRequest) -> str:
    """The matrix as docs/scaling.md shows it."""
    header = "| stored query (parameters) | " + " | ".join(ENGINE_TITLES[e] for e in ENGINES[1:]) + " |"
    lines = [header, "|---" * len(ENGINES) + "|"]
    for case, _, _ in CASES:
        expected = answer(request, "embedded", case)
        size = _size(expected) if isinstance(expected, QueryResult) else "fails"
        cells = []
        for engine in ENGINES[1:]:
            found = answer(request, engine, case)
            same = isinstance(found, QueryResult) and comparable(found) == comparable(expected)
            known = KNOWN_DIFFERENCES.get((case.split(" ")[0], engine))
            cells.append("same" if same else ("differs (known)" if known else "**differs**"))
        lines.append(f"| `{case}` ({size}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _size(result: QueryResult) -> str:
    if result.boolean is not None:
        return str(result.boolean).lower()
    count = len(result.rows) or len(result.triples)
    return f"{count} {'triples' if result.triples else 'rows'}"


def test_the_matrix_in_the_docs_is_the_one_measured(request: pytest.FixtureRequest) -> None:
    table = matrix(request)
    text = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.DOTALL)
    assert pattern.search(text), f"docs/scaling.md has no section between {BEGIN} and {END}"
    written = pattern.sub(lambda _: f"{BEGIN}\n{table}{END}", text)
    if os.environ.get("CSEI_WRITE_DOCS"):
        DOCS.write_text(written, encoding="utf-8")
    assert written == text, "docs/scaling.md shows another matrix: run with CSEI_WRITE_DOCS=1"


def test_the_measured_graph_does_not_depend_on_where_the_tests_run(
    pushed_graph: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix counts rows of the release and the synthetic graph alone: a workspace above the
    folder the tests run in, or one named in the environment, adds nothing to them."""
    workspace = init(tmp_path / "workspace")
    (workspace.data / "team.ttl").write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", encoding="utf-8"
    )
    monkeypatch.chdir(workspace.data)
    monkeypatch.setenv("CSEI_WORKSPACE", str(workspace.root))
    monkeypatch.setenv("CSEI_DATA_DIR", str(workspace.data))
    release = {source.graph.value for source in base_sources()}
    assert {source.graph.value for source in release_sources()} == release
    assert set(pushed_graph.graph_names()) == release | {f"{BASE}graph/synthetic-{SYNTHETIC_SEED}"}
