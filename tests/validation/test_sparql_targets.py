"""SPARQL targets evaluated on the embedded store give what the engines give when they evaluate them."""

import pyoxigraph as ox
import pytest

from csei_graph.validation.report import EngineRun, read_results
from csei_graph.validation.validate import (
    ENGINES,
    DataGraph,
    ShapesError,
    checked_shapes,
    project_shapes,
    run_engine,
)

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""
UNNAMED = "SELECT ?this WHERE { ?this a ex:Thing . FILTER NOT EXISTS { ?this ex:name ?name } }"
DATA = """
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:name "A" .
ex:b a ex:Thing .
ex:c a ex:Thing ; ex:other 1 .
"""


def _shapes(select: str, extra: str = ""):  # type: ignore[no-untyped-def]
    turtle = (
        PREFIXES
        + 'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:Prefixes ; sh:select """'
        f"{select}" + '""" ' + extra + "] ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    )
    return checked_shapes(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE), "test shapes")


def _data(turtle: str = DATA) -> DataGraph:
    return DataGraph.from_triples(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))


def _focus(run: EngineRun, shapes) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.focus for r in read_results(run, shapes.graph, "test").results)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sparql_target_selects_the_same_nodes_on_the_store(engine: str) -> None:
    shapes = _shapes(UNNAMED)
    assert [t.shape.value for t in shapes.sparql_targets] == ["http://example.org/S"]
    assert _focus(run_engine(engine, shapes, _data()), shapes) == [
        "http://example.org/b",
        "http://example.org/c",
    ]


def test_the_engine_evaluating_the_target_itself_agrees() -> None:
    shapes = _shapes(UNNAMED)
    data = _data()
    own = shapes.compiled.validate_text(data.ntriples.decode(), format="ntriples")
    assert sorted(r.focus_node.strip("<>") for r in own.results) == _focus(
        run_engine("shacl", shapes, data), shapes
    )


def test_a_target_selecting_blank_nodes_is_left_to_the_engine() -> None:
    shapes = _shapes(UNNAMED)
    data = _data(DATA + "[] a ex:Thing .\n")
    focus = _focus(run_engine("shacl", shapes, data), shapes)
    assert len(focus) == 3 and sum(f.startswith("_:") for f in focus) == 1
    assert shapes.compiled_for(data) is shapes.compiled


@pytest.mark.parametrize(
    ("select", "extra"),
    [
        ("SELECT ?this WHERE { ?this a ex:Thing . FILTER ($currentShape != ?this) }", ""),
        ("SELECT ?this WHERE { ?this a ex:Thing }", "; sh:deactivated false "),
    ],
    ids=["pre-bound variable", "another property"],
)
def test_other_targets_are_left_to_the_engine(select: str, extra: str) -> None:
    assert _shapes(select, extra).sparql_targets == ()


@pytest.mark.parametrize(
    ("select", "problem"),
    [
        ("SELECT ?this WHERE { ?this a ex:Thing ", "cannot be read"),
        ("SELECT ?this WHERE { ?this a undeclared:Thing }", "cannot be read"),
        ("SELECT ?other WHERE { ?other a ex:Thing }", "not a SELECT query of [?]this"),
    ],
    ids=["syntax error", "undeclared prefix", "no ?this"],
)
def test_a_target_the_store_cannot_use_is_refused(select: str, problem: str) -> None:
    # The compiled engine passes every node of a shape whose SPARQL target it cannot read.
    shapes = _shapes(select)
    with pytest.raises(ShapesError, match=problem):
        run_engine("shacl", shapes, _data())


def test_the_project_shapes_targets_are_all_evaluated_on_the_store() -> None:
    shapes = project_shapes()
    declared = {t.subject for t in shapes.triples if t.predicate.value == "http://www.w3.org/ns/shacl#target"}
    assert {t.shape for t in shapes.sparql_targets} == declared
