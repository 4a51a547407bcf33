"""The two engines agree, and the compiled engine's known gaps are guarded."""

import pyoxigraph as ox
import pytest

from csei_graph.validation import validate_graph
from csei_graph.validation.report import read_results
from csei_graph.validation.validate import ENGINES, DataGraph, Shapes, ShapesError, checked_shapes, run_engine

from .conftest import BAD
from .test_bad_contributions import EXPECTED

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
DATA = (
    PREFIXES
    + """
ex:a a ex:Thing ; ex:name "A" .
ex:b a ex:Thing .
"""
)
REFUSED_SHAPES = {
    "property shape without a path": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:minCount 1 ] ."
    ),
    "two paths": "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
    "sh:property [ sh:path ex:name, ex:label ; sh:minCount 1 ] .",
    "a typo in a SHACL term": "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
    "sh:property [ sh:path ex:name ; sh:minCont 1 ] .",
    "a literal datatype": "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
    'sh:property [ sh:path ex:name ; sh:datatype "xsd:string" ] .',
    "a literal severity": 'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:severity "Violation" ; '
    "sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
}


def _triples(turtle: str) -> list[ox.Quad]:
    return list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))


def _report(engine: str, shapes_turtle: str, data_turtle: str = DATA):  # type: ignore[no-untyped-def]
    shapes = checked_shapes(_triples(PREFIXES + shapes_turtle), "test shapes")
    return read_results(
        run_engine(engine, shapes, DataGraph.from_triples(_triples(data_turtle))), shapes.graph, engine
    )


@pytest.mark.parametrize("problem", sorted(REFUSED_SHAPES))
def test_malformed_shapes_are_refused_before_any_engine_runs(problem: str) -> None:
    with pytest.raises(ShapesError, match="malformed shapes"):
        checked_shapes(_triples(PREFIXES + REFUSED_SHAPES[problem]), "test shapes")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_result_of_a_custom_severity_fails_the_validation(engine: str) -> None:
    # The compiled engine says such a graph conforms; SHACL says it does not, and so does the report.
    report = _report(
        engine,
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
        "sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity ex:Critical ] .",
    )
    assert [r.severity for r in report.results] == ["http://example.org/Critical"]
    assert not report.conforms
    assert "sh:conforms false" in report.graph.serialize(format="turtle")


@pytest.mark.parametrize("engine", ENGINES)
def test_warnings_do_not_fail_unless_strict(engine: str) -> None:
    report = _report(
        engine,
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
        'sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "name it" ] .',
    )
    assert [(r.focus, r.message) for r in report.results] == [("http://example.org/b", "name it")]
    assert report.passes() and not report.passes(strict=True)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unsupported_sparql_constraint_is_an_error_not_a_pass(engine: str) -> None:
    shapes = checked_shapes(
        _triples(
            PREFIXES + 'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:select """'
            "SELECT $this WHERE { $this ?p ?o . MINUS { $this a ?t } }"
            '""" ] .'
        ),
        "test shapes",
    )
    with pytest.raises(ShapesError, match="cannot be evaluated"):
        run_engine(engine, shapes, DataGraph.from_triples(_triples(DATA)))


def test_an_engine_finding_no_shape_in_a_shapes_graph_is_an_error() -> None:
    shapes = Shapes(_triples(PREFIXES + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:deactivated true ."))
    assert shapes.declares_shapes()
    empty = Shapes(_triples(PREFIXES + "ex:a ex:name 'A' ."))
    assert not empty.declares_shapes()


def test_literal_forms_reach_both_engines_unchanged() -> None:
    turtle = (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; "
        "sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] ."
    )
    data = PREFIXES + 'ex:a ex:age "012x"^^xsd:integer .'
    values = {engine: [r.value for r in _report(engine, turtle, data).results] for engine in ENGINES}
    assert values == {engine: ['"012x"^^xsd:integer'] for engine in ENGINES}


READABLE = sorted(name for name, case in EXPECTED.items() if case["exit"] == 1)


@pytest.mark.slow
@pytest.mark.parametrize("name", READABLE)
def test_both_engines_report_the_same_on_a_contribution(name: str) -> None:
    def keys(engine: str) -> set[tuple[str | None, ...]]:
        report = validate_graph([BAD / name], engine=engine)

        # The compiled engine renames blank nodes; their results are compared without the name.
        def unnamed(term: str | None) -> str | None:
            return "_:" if term and term.startswith("_:") else term

        return {
            (r.severity, unnamed(r.focus), r.rule, r.path, unnamed(r.value), r.message)
            for r in report.results
        }

    assert keys("shacl") == keys("pyshacl")
