"""Reading SPARQL text without running it, and binding by VALUES for protocols that send only text."""

import pyoxigraph as ox
import pytest

from csei_graph.sparql_text import bind_as_values, parameter_misuses, query_form, variables, where_group_start

EX = "http://example.org/"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX ex: <http://example.org/>\n# SELECT in a comment\nASK WHERE { ?s ?p ?o }", "ASK"),
        ("BASE <http://example.org/> construct { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/a>", "DESCRIBE"),
        ('PREFIX select: <http://example.org/> SELECT ("ASK" AS ?x) WHERE {}', "SELECT"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


def test_an_update_has_no_query_form() -> None:
    with pytest.raises(ValueError, match="not a SPARQL query"):
        query_form("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_variables_ignore_strings_iris_and_comments() -> None:
    text = 'SELECT ?a WHERE { ?a <http://e/?b> "?c" . # ?d\n $e ?p ?f }'
    assert variables(text) == {"a", "e", "p", "f"}


def test_where_group_is_the_outermost_one() -> None:
    text = 'CONSTRUCT { ?s ?p "WHERE {" } WHERE { { SELECT ?s ?p WHERE { ?s ?p ?o } } }'
    assert text[where_group_start(text) :].startswith(" { SELECT")
    with pytest.raises(ValueError, match="no WHERE group"):
        where_group_start("DESCRIBE <http://e/a>")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("SELECT * { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", "{ { ?x ?p ?o } UNION { ?s ?p ?x } }"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o FILTER(?o = 1) }", "{ ?s ?p ?o FILTER(?o = 1) }"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "{ ?s ?p ?o }"),
        ("DESCRIBE ?s { ?s a ?c }", "{ ?s a ?c }"),
    ],
)
def test_the_where_keyword_may_be_left_out(text: str, group: str) -> None:
    assert text[where_group_start(text) - 1 :] == group


def test_values_binding_gives_the_same_answer_as_substitution() -> None:
    store = ox.Store()
    for name, value in (("a", "1"), ("b", "2")):
        store.add(ox.Quad(ox.NamedNode(f"{EX}{name}"), ox.NamedNode(f"{EX}p"), ox.Literal(value)))
    query = f"SELECT ?s ?v WHERE {{ ?s <{EX}p> ?v }} ORDER BY ?s"
    bound = bind_as_values(query, {"v": ox.Literal("2")})
    assert 'VALUES (?v) { ("2") }' in bound
    by_values = [(r["s"], r["v"]) for r in store.query(bound)]
    by_substitution = [
        (r["s"], r["v"]) for r in store.query(query, substitutions={ox.Variable("v"): ox.Literal("2")})
    ]
    assert by_values == by_substitution == [(ox.NamedNode(f"{EX}b"), ox.Literal("2"))]


@pytest.mark.parametrize(
    "hostile",
    [
        '"> } ; DROP ALL',
        '" } } INSERT DATA { <urn:a> <urn:b> <urn:c> } #',
        "\\u0022 } DROP ALL {",
        '\\\\" } #',
        "line\nbreak ''' \"\"\"",
    ],
)
def test_a_bound_literal_stays_a_literal(hostile: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}p"), ox.Literal(hostile)))
    bound = bind_as_values(f"SELECT ?s ?v WHERE {{ ?s <{EX}p> ?v }}", {"v": ox.Literal(hostile)})
    assert [r["v"].value for r in store.query(bound)] == [hostile]
    assert len(store) == 1


def test_misplaced_parameters_are_found() -> None:
    text = (
        "SELECT ?s ?k WHERE { ?s ?p ?k . OPTIONAL { ?s ?q ?k } FILTER(BOUND(?k)) "
        "{ ?s ?p ?k } UNION { ?s ?r ?z FILTER(?z = ?k) } "
        "FILTER EXISTS { ?s ?p ?o FILTER(?o = ?k) } { SELECT ?k WHERE {} } "
        "BIND(?k AS ?x) BIND(STR(?k) AS ?y) } "
        "ORDER BY ?k"
    )
    found = parameter_misuses(text, {"k"})
    assert all(text[offset : offset + 2] == "?k" for _, offset, _ in found)
    assert [why for *_, why in found] == [
        "it is inside an OPTIONAL",
        "it is the argument of BOUND",
        "it is in an expression of a nested group",
        "it is inside a sub-select",
        "it is the argument of BIND",
    ]
