"""The stored-query catalogue: headers, typed parameters, errors with line and column, result formats."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from csei_graph.queries import (
    QueryError,
    QueryResult,
    bind_parameters,
    explain_query,
    format_result,
    list_queries,
    load_query,
    run_query,
)
from csei_graph.stores.embedded import GraphStore

XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = '"> } ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> "z" } #'


def write(tmp_path: Path, text: str, name: str = "question.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_stored_query_is_documented() -> None:
    for query in list_queries():
        assert query.title and query.description and query.tags, query.name
        for parameter in query.parameters:
            assert parameter.description, f"{query.name}: {parameter.name}"
    documented = (Path(__file__).resolve().parents[2] / "docs" / "queries.md").read_text(encoding="utf-8")
    assert all(f"`{q.name}`" in documented for q in list_queries())


def test_header_fields_and_parameters_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# title: Members\n"
        "# description: The members of a cluster,\n"
        "#   over two lines.\n"
        "#\n"
        "# param: cluster | IRI | cseid:cluster/agrobiocluster | the cluster\n"
        "# param: kind | concept actor-kind | - | a kind\n"
        "# param: since | date | required | a day\n"
        "# tags: clusters, members\n"
        "SELECT ?m ?cluster ?kind ?since WHERE { ?cluster <urn:p> ?m . ?m <urn:k> ?kind ; <urn:d> ?since }\n",
    )
    query = load_query(path)
    assert (query.name, query.title, query.form) == ("question", "Members", "SELECT")
    assert query.description == "The members of a cluster, over two lines."
    assert query.tags == ("clusters", "members")
    cluster, kind, since = query.parameters
    assert (cluster.type, cluster.default, cluster.required, cluster.line) == (
        "IRI",
        "cseid:cluster/agrobiocluster",
        False,
        5,
    )
    assert (kind.type, kind.scheme, kind.default, kind.required) == ("concept", "actor-kind", None, False)
    assert (since.type, since.default, since.required) == ("date", None, True)


@pytest.mark.parametrize(
    ("header", "line", "column", "message"),
    [
        ("# title: T\n# colour: red\n", 2, 1, "a header line is"),
        ("# title: T\n# title: again\n", 2, 3, "gives title twice"),
        ("# title: T\n# param: x | IRI\n", 2, 10, "name | type | default | description"),
        ("# title: T\n# param: x | number | - | d\n", 2, 14, "unknown parameter type 'number'"),
        ("# title: T\n# param: x | concept | - | d\n", 2, 14, "unknown parameter type 'concept'"),
        ("# title: T\n# param: x | integer | ten | d\n", 2, None, "'ten' is not a whole number"),
        ("# title: T\n# param: 2x | string | - | d\n", 2, 10, "is not a SPARQL variable name"),
        ("# title: T\n# param: y | string | - | d\n", 2, None, "parameter y is not a variable of the query"),
    ],
)
def test_header_errors_name_line_and_column(
    tmp_path: Path, header: str, line: int, column: int | None, message: str
) -> None:
    path = write(tmp_path, header + "SELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(QueryError) as raised:
        load_query(path)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert message in str(raised.value)
    assert str(raised.value).startswith(f"{path}:{line}")


def test_a_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "# title: T\nSELECT ?x WHERE {\n  ?x ?p\n}\n")
    with pytest.raises(QueryError) as raised:
        load_query(path)
    assert (raised.value.line, raised.value.column) == (3, 3)
    assert "SPARQL syntax error" in str(raised.value)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("SELECT ?x ?k WHERE { ?x ?p ?o OPTIONAL { ?x ?q ?k } }", "inside an OPTIONAL"),
        ("SELECT ?x ?k WHERE { ?x ?p ?o FILTER(!BOUND(?k)) }", "argument of BOUND"),
        ("SELECT ?x ?k ?y WHERE { ?x ?p ?o BIND(?k AS ?y) }", "argument of BIND"),
        (
            "SELECT ?x ?k WHERE { { ?x ?p ?o FILTER(?o = ?k) } UNION { ?x ?q ?o } }",
            "expression of a nested group",
        ),
        ("SELECT ?x ?k WHERE { ?x ?p ?o { SELECT ?k WHERE { ?k ?p ?o } } }", "inside a sub-select"),
    ],
)
def test_a_parameter_where_engines_would_differ_is_refused(tmp_path: Path, body: str, why: str) -> None:
    path = write(tmp_path, f"# title: T\n# param: k | IRI | urn:k | d\n{body}\n")
    with pytest.raises(QueryError) as raised:
        load_query(path)
    assert why in str(raised.value)
    assert raised.value.line == 2  # the declaration of the parameter


def test_a_parameter_must_be_projected(tmp_path: Path) -> None:
    path = write(tmp_path, "# title: T\n# param: k | IRI | urn:k | d\nSELECT ?x WHERE { ?x ?p ?k }\n")
    with pytest.raises(QueryError, match="must be a variable of the query's result"):
        load_query(path)


def test_a_service_clause_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "SELECT * WHERE {\n  SERVICE <http://example.org/sparql> { ?s ?p ?o }\n}\n")
    with pytest.raises(QueryError, match="a SERVICE clause would fetch data"):
        load_query(path)


def test_an_update_is_not_a_query(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        load_query(write(tmp_path, "DROP ALL\n"))


def test_unknown_names_and_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="no stored query of that name") as raised:
        load_query("no-such-query")
    assert "clusters-in-country" in raised.value.hint
    with pytest.raises(QueryError, match="no such query file"):
        load_query(tmp_path / "missing.rq")


def test_a_file_without_header_runs_with_no_parameters(tmp_path: Path, store: GraphStore) -> None:
    path = write(
        tmp_path,
        "# counts the clusters\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/csei/ontology#PTCE> }\n",
    )
    query = load_query(path)
    assert (query.title, query.parameters) == ("", ())
    assert int(run_query(query, store=store).rows[0][0].value) > 0


@pytest.mark.parametrize(
    ("query", "name", "value", "expected"),
    [
        ("shared-members", "min_clusters", "+3", ox.Literal("3", datatype=ox.NamedNode(f"{XSD}integer"))),
        (
            "memberships-on-date",
            "on",
            "2006-01-31",
            ox.Literal("2006-01-31", datatype=ox.NamedNode(f"{XSD}date")),
        ),
        ("search", "text", HOSTILE, ox.Literal(HOSTILE)),
        (
            "describe",
            "resource",
            "cseid:cluster/base-202",
            ox.NamedNode("https://w3id.org/csei/id/cluster/base-202"),
        ),
        ("describe", "resource", "<urn:isbn:0451450523>", ox.NamedNode("urn:isbn:0451450523")),
        (
            "clusters-in-country",
            "country",
            "FRA",
            ox.NamedNode("http://publications.europa.eu/resource/authority/country/FRA"),
        ),
        (
            "clusters-in-country",
            "country",
            "country:ESP",
            ox.NamedNode("http://publications.europa.eu/resource/authority/country/ESP"),
        ),
        (
            "definitions",
            "term",
            "https://w3id.org/csei/id/concept/defined-term/csei",
            ox.NamedNode("https://w3id.org/csei/id/concept/defined-term/csei"),
        ),
    ],
)
def test_values_become_typed_terms(
    query: str, name: str, value: str, expected: ox.NamedNode | ox.Literal, store: GraphStore
) -> None:
    assert bind_parameters(load_query(query), {name: value}, store)[name] == expected


@pytest.mark.parametrize(
    ("query", "name", "value", "message"),
    [
        ("shared-members", "min_clusters", "2.5", "'2.5' is not a whole number"),
        ("memberships-on-date", "on", "2024-02-30", "is not a date written YYYY-MM-DD"),
        ("memberships-on-date", "on", "June 2024", "is not a date written YYYY-MM-DD"),
        ("describe", "resource", "agrobiocluster", "is not an absolute IRI"),
        ("describe", "resource", "http://example.org/a b", "is not a valid IRI"),
        ("describe", "resource", 'urn:x> } DROP ALL { "', "is not a valid IRI"),
        ("cluster-members", "kind", "plumber", "'plumber' is not a concept of"),
        ("cluster-members", "kind", "public authority", "is not the code of a concept"),
        ("clusters-in-country", "country", "XXX", "'XXX' is not a concept of"),
        ("clusters", "colour", "red", "has no parameter 'colour'"),
    ],
)
def test_ill_typed_or_unknown_values_are_refused(
    query: str, name: str, value: str, message: str, store: GraphStore
) -> None:
    stored = load_query(query)
    with pytest.raises(QueryError) as raised:
        run_query(stored, {name: value}, store=store)
    assert message in str(raised.value)
    declared = [p.line for p in stored.parameters if p.name == name]
    assert raised.value.line == (declared[0] if declared else stored.parameters[0].line)
    assert str(raised.value).startswith(f"{stored.path}:{raised.value.line}")


def test_an_unknown_concept_lists_the_known_ones(store: GraphStore) -> None:
    with pytest.raises(QueryError) as raised:
        run_query("cluster-members", {"kind": "plumber"}, store=store)
    assert "public-authority" in raised.value.hint and "social-economy-entity" in raised.value.hint


def test_a_required_parameter_must_be_given(tmp_path: Path, store: GraphStore) -> None:
    path = write(tmp_path, "# title: T\n# param: x | IRI | required | d\nSELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(QueryError, match="parameter x is required"):
        run_query(path, store=store)


def test_a_hostile_value_is_a_literal_that_changes_nothing(store: GraphStore) -> None:
    before = len(store)
    found = run_query("search", {"text": HOSTILE}, store=store)
    assert found.rows == ()
    assert len(store) == before
    # The same query finds what it should with an ordinary value: the binding, not the query, is inert.
    assert run_query("search", {"text": "Vilstal"}, store=store).rows


def test_parameter_columns_are_left_out(store: GraphStore) -> None:
    result = run_query("clusters-in-country", {"country": "POL"}, store=store)
    assert "country" not in result.variables and "cluster" in result.variables


def test_explain_shows_documentation_and_text() -> None:
    text = explain_query("cluster-members")
    assert text.startswith("cluster-members: Members of a cluster by actor kind\n")
    assert "  kind (concept actor-kind, optional)" in text
    assert "  cluster (IRI, default cseid:cluster/agrobiocluster)" in text
    assert load_query("cluster-members").text.rstrip() in text


SELECT_RESULT = QueryResult(
    "SELECT",
    ("s", "label", "n"),
    (
        (
            ox.NamedNode("https://w3id.org/csei/id/cluster/a"),
            ox.Literal('Łomża, "Social"', language="pl"),
            None,
        ),
        (
            ox.BlankNode("b1"),
            ox.Literal("tab\there"),
            ox.Literal("2", datatype=ox.NamedNode(f"{XSD}integer")),
        ),
    ),
)


def test_select_as_table() -> None:
    lines = format_result(SELECT_RESULT).splitlines()
    assert lines[0].split() == ["s", "label", "n"]
    assert lines[2].startswith('cseid:cluster/a  Łomża, "Social"')
    assert lines[-1] == "(2 rows)"


def test_select_as_csv_and_tsv() -> None:
    text = format_result(SELECT_RESULT, "csv")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["s", "label", "n"],
        ["https://w3id.org/csei/id/cluster/a", 'Łomża, "Social"', ""],
        ["_:b1", "tab\there", "2"],
    ]
    tsv = format_result(SELECT_RESULT, "tsv").splitlines()
    assert tsv[0] == "?s\t?label\t?n"
    assert tsv[1] == '<https://w3id.org/csei/id/cluster/a>\t"Łomża, \\"Social\\""@pl\t'
    assert tsv[2].split("\t")[1:] == ['"tab\\there"', f'"2"^^<{XSD}integer>']


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_select_as_sparql_results_reads_back(fmt: str) -> None:
    text = format_result(SELECT_RESULT, fmt)
    results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt]
    parsed = ox.parse_query_results(text.encode(), format=results_format)
    assert [v.value for v in parsed.variables] == ["s", "label", "n"]
    assert [tuple(row[v] for v in ("s", "label", "n")) for row in parsed] == list(SELECT_RESULT.rows)
    if fmt == "xml":
        assert ET.fromstring(text.encode()).tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    else:
        assert json.loads(text)["head"]["vars"] == ["s", "label", "n"]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("table", "true\n"), ("csv", "true\n"), ("tsv", "true\n"), ("json", None), ("xml", None)],
)
def test_ask_formats(fmt: str, expected: str | None) -> None:
    text = format_result(QueryResult("ASK", boolean=True), fmt)
    if expected:
        assert text == expected
    else:
        results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt]
        assert bool(ox.parse_query_results(text.encode(), format=results_format)) is True


@pytest.mark.parametrize(("fmt", "syntax"), [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_graph_formats_read_back_and_are_stable(fmt: str, syntax: str, store: GraphStore) -> None:
    result = run_query("describe", store=store)
    text = format_result(result, fmt)
    assert text == format_result(QueryResult("DESCRIBE", triples=tuple(reversed(result.triples))), fmt)
    graph = Graph().parse(data=text, format=syntax)
    assert len(graph) == len(result.triples)


def test_a_format_that_does_not_fit_the_query_is_refused() -> None:
    with pytest.raises(ValueError, match="use one of table, csv, tsv, json, xml"):
        format_result(SELECT_RESULT, "turtle")
    with pytest.raises(ValueError, match="use one of turtle, jsonld, ntriples"):
        format_result(QueryResult("CONSTRUCT"), "csv")
