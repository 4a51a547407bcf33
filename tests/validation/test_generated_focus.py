"""Focused validation is complete for any shapes: random shapes, data and contributions, one seed each.

Each seed makes shapes over a small vocabulary (paths of every kind, nested and qualified shapes,
class checks, SPARQL constraints and targets), a data graph and a contribution. Validating around the
contribution must give what validating the whole graph gives on the nodes it names, and the results
on every other node must be those before the contribution; the shapes checked on the whole graph
(those whose reads cannot be bounded) give all their results.
"""

import random

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from csei_graph.stores.embedded import GraphStore
from csei_graph.validation import engines
from csei_graph.validation.report import Report, read_results
from csei_graph.validation.validate import (
    DataGraph,
    Shapes,
    ShapesError,
    around_changes,
    run_engine,
    scope_report,
)

EX = "http://example.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREDICATES = [f"{EX}{name}" for name in ("p", "q", "r", "s")]
CLASSES = [f"{EX}{name}" for name in ("A", "B", "C")]
NODES = [f"{EX}n{number}" for number in range(8)]
LITERALS = [
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"2"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"x"',
]
# Each seed takes some 30 ms; the suite runs 300 (2,000 were run when the analysis was written).
SEEDS = range(300)


class Generator:
    """Shapes, data and a contribution from one seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.names = 0

    def pick(self, items: list[str]) -> str:
        return self.random.choice(items)

    def iri(self, items: list[str]) -> str:
        return f"<{self.pick(items)}>"

    # Data

    def triple(self) -> str:
        subject = self.iri(NODES)
        if self.random.random() < 0.04:  # the description of a predicate
            return f"{self.iri(PREDICATES)} <{EX}defined> <{EX}yes> ."
        if self.random.random() < 0.25:
            return f"{subject} <{RDF_TYPE}> {self.iri(CLASSES)} ."
        value = self.iri(NODES) if self.random.random() < 0.7 else self.pick(LITERALS)
        return f"{subject} {self.iri(PREDICATES)} {value} ."

    def data(self, size: int, hierarchy: bool = True) -> str:
        classes = (
            [f"<{EX}B> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}A> ."] if hierarchy else []
        )
        return "\n".join(classes + [self.triple() for _ in range(size)]) + "\n"

    # Shapes

    def path(self, depth: int = 0) -> str:
        kind = self.random.random()
        if depth > 1 or kind < 0.35:
            return self.iri(PREDICATES)
        if kind < 0.5:
            return f"[ sh:inversePath {self.path(depth + 1)} ]"
        if kind < 0.65:
            return f"( {self.path(depth + 1)} {self.path(depth + 1)} )"
        if kind < 0.8:
            return f"[ sh:alternativePath ( {self.path(depth + 1)} {self.path(depth + 1)} ) ]"
        if kind < 0.93:
            return f"[ sh:zeroOrOnePath {self.path(depth + 1)} ]"
        return f"[ sh:zeroOrMorePath {self.iri(PREDICATES)} ]"  # unbounded: checked on the whole graph

    def value_constraint(self, depth: int) -> str:
        choices = [
            "sh:minCount 1",
            "sh:maxCount 1",
            f"sh:class {self.iri(CLASSES)}",
            f"sh:hasValue {self.iri(NODES)}",
            "sh:nodeKind sh:IRI",
            f"sh:in ( {self.iri(NODES)} {self.pick(LITERALS)} )",
            f"sh:equals {self.iri(PREDICATES)}",
            f"sh:disjoint {self.iri(PREDICATES)}",
            f"sh:qualifiedValueShape [ sh:class {self.iri(CLASSES)} ] ; sh:qualifiedMinCount 1",
        ]
        if depth < 2:
            choices += [f"sh:node {self.node_shape(depth + 1)}"] * 2
        return self.pick(choices)

    def property_shape(self, depth: int) -> str:
        constraints = [self.value_constraint(depth) for _ in range(self.random.randint(1, 2))]
        return f"[ sh:path {self.path()} ; {' ; '.join(constraints)} ]"

    def node_constraint(self, depth: int) -> str:
        choices = [
            f"sh:property {self.property_shape(depth)}",
            f"sh:property {self.property_shape(depth)}",
            f"sh:class {self.iri(CLASSES)}",
            f"sh:not [ sh:class {self.iri(CLASSES)} ]",
            f"sh:or ( [ sh:class {self.iri(CLASSES)} ] {self.property_shape(depth)} )",
            f'sh:sparql [ a sh:SPARQLConstraint ; sh:select """{self.constraint_query()}""" ]',
        ]
        if self.random.random() < 0.1:
            choices.append(f"sh:closed true ; sh:ignoredProperties ( <{RDF_TYPE}> )")
        return self.pick(choices)

    def node_shape(self, depth: int) -> str:
        constraints = [self.node_constraint(depth) for _ in range(self.random.randint(1, 2))]
        return f"[ {' ; '.join(constraints)} ]"

    def chain(self, start: str, steps: int) -> tuple[list[str], str]:
        """Triple patterns walking from `start`, and the variable they end on."""
        patterns, here = [], start
        for _ in range(steps):
            self.names += 1
            there = f"?v{self.names}"
            predicate, form = self.iri(PREDICATES), self.random.random()
            if form < 0.15:
                predicate = f"{predicate}/{self.iri(PREDICATES)}"
            elif form < 0.25:
                predicate = f"^{predicate}"
            elif form < 0.3:
                predicate = f"{predicate}?"
            patterns.append(f"{here} {predicate} {there} .")
            here = there
        return patterns, here

    def body(self, this: str) -> str:
        patterns, end = self.chain(this, self.random.randint(1, 3))
        form = self.random.random()
        if form < 0.2:
            more, _ = self.chain(end, 1)
            patterns.append(f"FILTER NOT EXISTS {{ {' '.join(more)} }}")
        elif form < 0.35:
            other, _ = self.chain(this, self.random.randint(1, 2))
            patterns = [f"{{ {' '.join(patterns)} }} UNION {{ {' '.join(other)} }}"]
        elif form < 0.45:
            more, _ = self.chain(end, 1)
            patterns.append(f"OPTIONAL {{ {' '.join(more)} }}")
        elif form < 0.5:
            patterns.append(
                f"{this} <{RDF_TYPE}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{EX}A> ."
            )
        elif form < 0.55:
            patterns.append(f"?far {self.iri(PREDICATES)} ?away .")  # not tied to the focus node
        elif form < 0.6:
            patterns.append(f"{end} {self.iri(PREDICATES)}* ?beyond .")  # unbounded
        elif form < 0.7:  # the description of the predicates a node uses
            self.names += 1
            term = f"?t{self.names}"
            patterns.append(
                f"{end} {term} ?w{self.names} . FILTER NOT EXISTS {{ {term} <{EX}defined> <{EX}yes> }}"
            )
        return " ".join(patterns)

    def constraint_query(self) -> str:
        if self.random.random() < 0.2:
            patterns, end = self.chain("$this", self.random.randint(1, 2))
            return (
                f"SELECT $this ?n WHERE {{ {{ SELECT $this (COUNT(DISTINCT {end}) AS ?n) WHERE {{ "
                f"{' '.join(patterns)} }} GROUP BY $this }} FILTER (?n < 2) }}"
            )
        return f"SELECT $this WHERE {{ {self.body('$this')} }}"

    def target(self) -> str:
        choices = [
            f"sh:targetClass {self.iri(CLASSES)}",
            f"sh:targetSubjectsOf {self.iri(PREDICATES)}",
            f"sh:targetObjectsOf {self.iri(PREDICATES)}",
            f"sh:targetNode {self.iri(NODES)}",
            "sh:target [ a sh:SPARQLTarget ; "
            f'sh:select """SELECT ?this WHERE {{ {self.body("?this")} }}""" ]',
        ]
        return self.pick(choices)

    def shapes(self) -> str:
        roots = []
        for number in range(self.random.randint(1, 3)):
            parts = [self.target()] + [self.node_constraint(0) for _ in range(self.random.randint(1, 3))]
            roots.append(f"<{EX}S{number}> a sh:NodeShape ; {' ; '.join(parts)} .")
        return "@prefix sh: <http://www.w3.org/ns/shacl#> .\n" + "\n".join(roots) + "\n"


def _keys(report: Report, kept: object = None) -> set[tuple[str, ...]]:
    return {
        (r.severity, r.focus, r.rule or "", r.component or "", r.path or "", r.value or "", r.message)
        for r in report.results
        if kept is None or r.focus in kept  # type: ignore[operator]
    }


def _store(*texts: str) -> GraphStore:
    store = GraphStore()
    for number, text in enumerate(texts):
        graph = ox.NamedNode(f"{EX}graph{number}")
        store.add_all(
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)
        )
    return store


def _full(shapes: Shapes, store: GraphStore) -> Report:
    return read_results(run_engine("shacl", shapes, DataGraph.from_store(store)), shapes.graph, "shacl")


@pytest.mark.parametrize("seed", SEEDS)
def test_focused_validation_of_generated_shapes_gives_the_whole_graph_results(seed: int) -> None:
    made = Generator(seed)
    shapes_text, data, contribution = made.shapes(), made.data(24), made.data(3, hierarchy=False)
    try:
        shapes = Shapes(ox.parse(shapes_text.encode(), format=ox.RdfFormat.TURTLE), f"seed {seed}")
        local, whole = shapes.parts
        before = _full(local, _store(data))
    except ShapesError:
        pytest.skip("the engine does not evaluate these shapes")
    store = _store(data, contribution)
    changes = [q for q in store.quads() if q.graph_name == ox.NamedNode(f"{EX}graph1")]
    scope = around_changes(store, changes, shapes)
    focused = _keys(scope_report("shacl", shapes, scope))
    after = _full(local, store)
    if scope.focus is None:
        assert focused == _keys(after) | (_keys(_full(whole, store)) if whole else set())
        return
    # As the report names a focus node: an IRI as it is, anything else after "_:".
    focus = {str(node) if isinstance(node, URIRef) else f"_:{node}" for node in scope.focus}
    expected = _keys(after, focus) | (_keys(_full(whole, store)) if whole else set())
    assert focused == expected, shapes_text
    # Nothing changes on the nodes the focused run leaves out.
    outside = {r.focus for r in after.results + before.results} - focus
    assert _keys(after, outside) == _keys(before, outside), shapes_text


@pytest.mark.parametrize("seed", SEEDS[:60])
def test_pieces_of_generated_data_give_the_single_run_results(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = Generator(seed)
    shapes_text, data = made.shapes(), made.data(30)
    try:
        shapes = Shapes(ox.parse(shapes_text.encode(), format=ox.RdfFormat.TURTLE), f"seed {seed}")
        store = _store(data)
        whole = DataGraph.from_store(store)
        single = run_engine("shacl", shapes, whole)
    except ShapesError:
        pytest.skip("the engine does not evaluate these shapes")
    monkeypatch.setattr(engines, "PIECE_FOCUS_NODES", 2)
    in_pieces = engines.run_in_pieces(shapes, store, whole)
    if in_pieces is None:
        pytest.skip("targets the store cannot resolve are left to a single run")
    assert _keys(read_results(in_pieces, shapes.graph, "shacl")) == _keys(
        read_results(single, shapes.graph, "shacl")
    ), shapes_text
