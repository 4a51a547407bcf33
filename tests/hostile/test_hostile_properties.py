"""Properties over any input (hypothesis): parameter values never change a query's structure, every IRI
maps to a path inside the site, and the validator answers any bytes with a SourceError or a report."""

from pathlib import Path, PurePosixPath

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csei_graph.pages import paths
from csei_graph.queries import QueryError, bind_parameters, load_query, run_query
from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation import Report, validate_graph

BASE = "https://w3id.org/csei/"
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.sampled_from(
        ['"> } ; DROP ALL #', 'x" } } INSERT DATA { <a:b> <a:b> <a:b> } #', "<urn:a>", "?s", "\\u0022"]
    ),
    st.builds(lambda a, b: a + b, st.sampled_from(['"', "'", ">", "}", "\\", "#", "\n"]), st.text()),
)
# One stored query of each parameter type.
TYPED_QUERIES = {
    "search": "text",
    "describe": "resource",
    "shared-members": "min_clusters",
    "memberships-on-date": "on",
}


@QUICK
@given(name=st.sampled_from(sorted(TYPED_QUERIES)), value=HOSTILE_TEXT)
def test_a_parameter_value_is_a_term_or_a_query_error(store: GraphStore, name: str, value: str) -> None:
    query = load_query(name)
    parameter = TYPED_QUERIES[name]
    try:
        bindings = bind_parameters(query, {parameter: value}, store)
    except QueryError as error:
        assert parameter in error.message and error.line == query.parameter(parameter).line
        return
    term = bindings[parameter]
    assert isinstance(term, ox.Literal | ox.NamedNode)
    if query.parameter(parameter).type == "string":
        assert term.value == value, "a string is bound as it is, never parsed"
    result = run_query(query, {parameter: value}, store=store)
    assert result.variables == run_query(query, store=store).variables, "the same columns: the same query"


def test_no_parameter_value_reaches_the_graph(store: GraphStore) -> None:
    size = len(store)
    run_query("search", {"text": 'x" } } INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> } #'}, store=store)
    assert len(store) == size


IRI_TAILS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80) | st.lists(
    st.sampled_from(["..", ".", "%2e%2e", "%2f", "a", "b-c", "_x", "", " ", "\x00", "\\", "~", "x" * 200]),
    max_size=6,
).map("/".join)
IRIS = st.builds(
    lambda head, tail: BASE + head + tail,
    st.sampled_from(["id/", "graph/", "ontology#", "", "id/x/"]),
    IRI_TAILS,
)


@QUICK
@given(iri=IRIS)
def test_every_iri_maps_to_a_path_inside_the_site(iri: str, tmp_path: Path) -> None:
    stem = paths.document_stem(iri, BASE)
    assert stem == paths.document_stem(iri, BASE), "deterministic"
    if stem is None:
        return
    for extension in ("html", "ttl", "jsonld", "nt"):
        site_path = f"{stem}.{extension}"
        assert paths.is_safe_path(site_path)
        assert (tmp_path / site_path).resolve().is_relative_to(tmp_path.resolve())
        assert ".." not in PurePosixPath(site_path).parts
    assert paths.iri_for_stem(stem, BASE) == iri, "the path leads back to the same IRI"


@QUICK
@given(first=IRIS, second=IRIS)
def test_distinct_iris_get_distinct_paths(first: str, second: str) -> None:
    one, other = paths.document_stem(first, BASE), paths.document_stem(second, BASE)
    if first != second and one is not None and other is not None:
        assert one != other
    assert paths.hashed_segment(first) != paths.hashed_segment(second) or first == second
    assert paths.SAFE_SEGMENT.fullmatch(paths.name_segment(first))


TURTLE_PIECES = st.sampled_from(
    [
        "<https://w3id.org/csei/id/cluster/x>",
        "<urn:x:p>",
        '"text"',
        "@en",
        "^^",
        "a",
        ";",
        ",",
        ".",
        "[",
        "]",
        "(",
        ")",
        "@prefix",
        "p:",
        "<",
        ">",
        '"',
        "\\u00",
        "{",
        "}",
        "1",
        "true",
        "_:b",
        "\n",
        " ",
        "\x00",
        "é",
    ]
)
SYNTAXES = {
    "ttl": TURTLE_PIECES,
    "jsonld": st.sampled_from(["{", "}", "[", "]", '"@id"', '"@context"', ":", ",", '"x"', "1"]),
    "rdf": st.sampled_from(
        [
            "<rdf:RDF",
            ">",
            "</rdf:RDF>",
            "<!DOCTYPE",
            "&x;",
            ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
            "<a>",
            "</a>",
        ]
    ),
}


@st.composite
def contributions(draw: st.DrawFn) -> tuple[str, bytes]:
    extension = draw(st.sampled_from(sorted(SYNTAXES)))
    content = draw(
        st.binary(max_size=200)
        | st.lists(SYNTAXES[extension], max_size=40).map(lambda p: "".join(p).encode())
    )
    return extension, content


@pytest.fixture(scope="module")
def only_the_ontology(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """No data files: the validator then checks a contribution against the ontology alone, quickly."""
    return Settings(data_dir=tmp_path_factory.mktemp("no-data"))


@QUICK
@given(contribution=contributions())
def test_any_bytes_give_a_source_error_or_a_report(
    contribution: tuple[str, bytes], only_the_ontology: Settings, tmp_path: Path
) -> None:
    extension, content = contribution
    path = tmp_path / f"contribution.{extension}"
    path.write_bytes(content)
    try:
        report = validate_graph([path], settings=only_the_ontology)
    except SourceError as error:
        assert error.path == str(path) and error.message
        return
    assert isinstance(report, Report)
