"""SHACL validation of a store: what a run checks (the whole graph, or around changes), its placed report.

The shapes (`validation.shapes`), the data the engines read (`validation.graphs`) and the engines
(`validation.engines`) are modules of their own; their public names are importable from here too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH

from csei_graph.progress import Steps
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import RdflibTerm, to_store
from csei_graph.validation.engines import ENGINES, GRAPH, ontology_graphs, run_engine, run_in_pieces
from csei_graph.validation.graphs import DataGraph, engine_term, rdflib_triple
from csei_graph.validation.locate import locate
from csei_graph.validation.report import Location, Report, annotated, read_results, sort_key
from csei_graph.validation.shapes import (
    DCAT_AP_DEFECTS,
    SHACL_FOR_SHACL_FILE,
    Shapes,
    ShapesError,
    checked_shapes,
    dcat_ap_shapes,
    project_shapes,
    read_shapes,
    shape_problems,
)
from csei_graph.validation.tries import reverse_trie, trie
from csei_graph.validation.walks import read_by, readers, used_as_predicate

# Beyond this many affected nodes a focused run costs more than validating everything.
FOCUS_LIMIT = 20_000
# The compiled engine's checks cost more the larger the graph (a nested check: ~8 µs at 100k triples,
# ~27 µs at 1M): above this many triples, the project's shapes check the whole graph in pieces.
PIECES_ABOVE = 200_000
_LABEL = """
    SELECT ?label $node WHERE {
        { $node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
        UNION { $node <http://www.w3.org/2000/01/rdf-schema#label> ?label }
    } ORDER BY DESC(LANGMATCHES(LANG(?label), "en")) STR(?label) LIMIT 1
"""


@dataclass(frozen=True)
class Scope:
    """What a run validates and whose results it keeps: all of them, or those on the focus nodes.

    A focused run checks the shapes whose reads are known on `data`, and the others on the whole
    graph (`everything`), whose results it keeps whatever their focus node.
    """

    data: DataGraph
    focus: frozenset[RdflibTerm] | None = None
    everything: DataGraph | None = None

    def keeps(self, node: RdflibTerm) -> bool:
        """Whether a result on this focus node belongs to the run.

        The compiled engine renames blank nodes in its report, so a result on a blank node cannot be
        traced to its node: such results are all kept (the built-in graph has none to add).
        """
        return self.focus is None or node in self.focus or isinstance(node, BNode)


def whole_graph(store: GraphStore) -> Scope:
    """Validate every triple of the store and keep every result."""
    return Scope(DataGraph.from_store(store))


def around_changes(store: GraphStore, changes: Sequence[ox.Quad], shapes: Shapes | None = None) -> Scope:
    """Validate only what the changes (already in the store) can affect.

    The affected nodes are those from which a walk of the shapes (`Shapes.reads`) reaches a changed
    triple, and the subjects of the changes; the data validated is what their walks read, the class
    hierarchy and the ontology. The results equal a run over the whole store, restricted to the
    affected nodes; tests/validation/test_focus.py and test_generated_focus.py compare the two.
    """
    reads = (shapes or project_shapes()).reads
    if reads.hierarchy and any(q.predicate == _SUBCLASS_OF for q in changes):
        return whole_graph(store)  # a class changed: any instance of it may be affected
    if reads.terms and any(used_as_predicate(store, q.subject) for q in changes):
        return whole_graph(store)  # a predicate described anew: any node using it may be affected
    affected = readers(store, changes, reverse_trie(reads.walks), FOCUS_LIMIT)
    if affected is None:
        return whole_graph(store)
    triples = set(read_by(store, affected, trie(reads.walks)))
    if reads.hierarchy:
        triples.update(store.triples_matching(None, _SUBCLASS_OF, None))
    if reads.terms:
        for predicate in {t.predicate for t in triples}:
            triples.update(store.triples_matching(predicate, None, None))
    for graph in ontology_graphs():
        triples.update(store.query(GRAPH, {"graph": graph}))  # type: ignore[arg-type]
    everything = DataGraph.from_store(store) if reads.whole else None
    return Scope(
        DataGraph.from_triples(triples), frozenset(engine_term(node) for node in affected), everything
    )


_SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


def validate_store(
    store: GraphStore,
    scope: Scope,
    engine: str,
    files: Sequence[Path] = (),
    known_locations: dict[str, Location] | None = None,
    *,
    progress: Steps | None = None,
) -> Report:
    """Validate a scope of the store with the project's shapes; each result names and places its resource.

    `progress` shows the steps of a large whole graph's validation (checked in pieces).
    """
    report = scope_report(engine, project_shapes(), scope, store, progress)
    known = known_locations or {}

    def where(resources: Iterable[str]) -> dict[str, Location]:
        wanted = set(resources)
        return {**locate(wanted - known.keys(), files), **{r: known[r] for r in wanted & known.keys()}}

    return annotated(report, labels=lambda focus: label_of(store, focus), locations=where)


def scope_report(
    engine: str, shapes: Shapes, scope: Scope, store: GraphStore | None = None, progress: Steps | None = None
) -> Report:
    """The results of the shapes on a scope, with rules and report graph, before they are placed.

    A focused scope is checked in two runs: the shapes whose reads are known on the scope's data,
    keeping the results on its focus nodes, and the others on the whole graph, keeping all.
    """
    if scope.focus is None:
        # A large whole graph is checked in pieces: the shapes read only around each focus node.
        large = store is not None and scope.data.ntriples.count(b"\n") > PIECES_ABOVE
        run = run_in_pieces(shapes, store, scope.data, progress) if large and engine == "shacl" else None  # type: ignore[arg-type]
        return read_results(run or run_engine(engine, shapes, scope.data), shapes.graph, engine)
    local, whole = shapes.parts
    focused = read_results(run_engine(engine, local, scope.data), shapes.graph, engine, keep=scope.keeps)
    if whole is None or scope.everything is None:
        return focused
    rest = read_results(run_engine(engine, whole, scope.everything), shapes.graph, engine)
    graph = focused.graph + rest.graph
    # One report: the results of the second run hang from the report node of the first.
    node = next(focused.graph.subjects(RDF.type, SH.ValidationReport))
    for other in set(rest.graph.subjects(RDF.type, SH.ValidationReport)):
        for result in list(graph.objects(other, SH.result)):
            graph.add((node, SH.result, result))
        graph.remove((other, None, None))
    graph.set((node, SH.conforms, Literal(not (focused.results or rest.results))))
    results = sorted({*focused.results, *rest.results}, key=sort_key)
    return replace(focused, results=results, graph=graph, rules={**focused.rules, **rest.rules})


def label_of(store: GraphStore, node: str) -> str | None:
    """The name of a resource (English first), if it has one."""
    term = ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)
    for row in store.query(_LABEL, {"node": term}):  # type: ignore[union-attr]
        return str(row["label"].value)  # type: ignore[index,union-attr]
    return None


def validate_builtin(
    settings: Settings | None = None, engine: str | None = None, progress: Steps | None = None
) -> Report:
    """Validate the whole built-in graph (the ontology and the data files), its progress shown."""
    settings = settings or Settings()
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    chosen = engine or settings.validation_engine
    files = [s.path for s in sources]
    return validate_store(store, whole_graph(store), chosen, files=files, progress=progress)


def validate_catalogue(catalogue: Graph, engine: str = "shacl") -> Report:
    """Check a catalogue's metadata (an rdflib Graph) against the DCAT-AP 3.0.1 shapes."""
    shapes = dcat_ap_shapes()
    data = DataGraph.from_triples(ox.Triple(*(to_store(t) for t in triple)) for triple in catalogue)
    return read_results(run_engine(engine, shapes, data), shapes.graph, engine)


__all__ = [
    "DCAT_AP_DEFECTS",
    "ENGINES",
    "SHACL_FOR_SHACL_FILE",
    "DataGraph",
    "Scope",
    "Shapes",
    "ShapesError",
    "around_changes",
    "checked_shapes",
    "dcat_ap_shapes",
    "label_of",
    "project_shapes",
    "rdflib_triple",
    "read_shapes",
    "run_engine",
    "scope_report",
    "shape_problems",
    "validate_builtin",
    "validate_catalogue",
    "validate_store",
    "whole_graph",
]
