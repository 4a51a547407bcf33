"""The two SHACL engines: the compiled one (the whole data, or in pieces around focus nodes) and pyshacl."""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pyoxigraph as ox
import pyshacl
import shacl
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from csei_graph.progress import Steps
from csei_graph.sources import discover, resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import RdflibTerm, ill_typed_literals_quiet
from csei_graph.validation.graphs import DataGraph, engine_term, rdflib_triple, serialize_triples
from csei_graph.validation.pieces import Neighbourhoods, grouped
from csei_graph.validation.report import EngineRun
from csei_graph.validation.shapes import SH_TARGET_NODE, Shapes, ShapesError

ENGINES = ("shacl", "pyshacl")
# Focus nodes per piece: a piece's data is then some tens of thousands of triples.
PIECE_FOCUS_NODES = 5_000
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { ?s ?p ?o } }"


def run_engine(engine: str, shapes: Shapes, data: DataGraph) -> EngineRun:
    """Validate with one engine; the SHACL validation report as an rdflib Graph."""
    if engine == "shacl":
        run = _run_compiled(shapes, data)
    elif engine == "pyshacl":
        run = EngineRun(_run_reference(shapes, data), {})
    else:
        raise ValueError(f"unknown validation engine {engine!r}: use one of {', '.join(ENGINES)}")
    _set_conforms(run.graph)
    return run


def _run_compiled(shapes: Shapes, data: DataGraph) -> EngineRun:
    return _compiled_run(shapes.compiled_for(data), data.ntriples, shapes.name)


def _compiled_run(
    compiled: shacl.Shapes, ntriples: bytes, name: str, graph: Graph | None = None
) -> EngineRun:
    """The engine's report, added to `graph` (a new one by default) with blank nodes of their own."""
    try:
        report = compiled.validate_text(ntriples.decode(), format="ntriples")
    except ValueError as error:
        raise ShapesError(f"{name}: the shapes cannot be evaluated: {error}") from None
    graph = Graph() if graph is None else graph
    # Every run names its blank nodes from the same labels: renamed, several reports can share a graph.
    fresh: dict[RdflibTerm, BNode] = defaultdict(BNode)
    with ill_typed_literals_quiet():
        for triple in ox.parse(report.serialize("ntriples").encode(), format=ox.RdfFormat.N_TRIPLES):
            graph.add(tuple(fresh[t] if isinstance(t, BNode) else t for t in rdflib_triple(triple)))  # type: ignore[arg-type]
    # The engine names the shapes graph's blank nodes its own way, but says which named shape holds each.
    roots = {
        fresh[engine_term(ox.BlankNode(r.source_shape[2:]))]: engine_term(ox.NamedNode(r.root_shape[1:-1]))
        for r in report.results
        if r.source_shape
        and r.source_shape.startswith("_:")
        and r.root_shape
        and r.root_shape.startswith("<")
    }
    return EngineRun(graph, roots)


def run_in_pieces(
    shapes: Shapes, store: GraphStore, data: DataGraph, progress: Steps | None = None
) -> EngineRun | None:
    """The compiled engine's run over the whole data, a group of focus nodes at a time.

    Each group is checked with the triples its checks read (the walks of `Shapes.reads`), as a
    focused run is, and the ontology; the shapes' targets are replaced by the group's nodes. The
    shapes whose reads are not known are checked on the whole data. None when the targets cannot be
    resolved on the store. `progress` counts the focus nodes checked.
    """
    shown = progress or Steps()
    local, whole = shapes.parts
    reads = shapes.reads
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The store selects its targets while the lines are indexed (it lets go of the interpreter).
        selected = pool.submit(local.selected_on, data)
        inbound = reads.inbound()
        around = Neighbourhoods(
            data.ntriples,
            None if inbound is None else [f"<{p}>".encode() for p in inbound],
            reads.walks,
            terms=reads.terms,
        )
        around.share(
            line
            for named in ontology_graphs()
            for line in serialize_triples(store.query(GRAPH, {"graph": named})).splitlines()
        )
        resolved = local.targets_in(selected.result(), around.instances)
    if resolved is None:
        return None
    untargeted, shapes_of = resolved
    shown.step("checking the shapes around each focus node", len(shapes_of), unit="focus nodes")
    graph = Graph()
    roots: dict[RdflibTerm, RdflibTerm] = {}
    for group in grouped(shapes_of, around, PIECE_FOCUS_NODES):
        targets = b"".join(
            b"%s <%s> %s .\n" % (shape, SH_TARGET_NODE.value.encode(), node)
            for node in group
            for shape in shapes_of[node]
        )
        compiled = shapes._compile(untargeted + targets.decode())
        data_read = around.data(around.read_by(group))
        roots.update(_compiled_run(compiled, data_read, shapes.name, graph).roots)
        shown.advance(len(group))
    if whole is not None:
        shown.step("checking the shapes that read the whole graph")
        roots.update(_compiled_run(whole.compiled_for(data), data.ntriples, whole.name, graph).roots)
    _set_conforms(graph)
    return EngineRun(graph, roots)


def _run_reference(shapes: Shapes, data: DataGraph) -> Graph:
    with ill_typed_literals_quiet():
        try:
            _, report, text = pyshacl.validate(
                data.graph,
                shacl_graph=shapes.graph,
                inference="none",
                abort_on_first=False,
                meta_shacl=False,
                advanced=True,
                do_owl_imports=False,
            )
        except Exception as error:  # pyshacl raises its own error types and NotImplementedError
            raise ShapesError(f"{shapes.name}: the shapes cannot be evaluated: {error}") from None
    # pyshacl reports some failures by returning the exception in place of the report.
    if isinstance(report, BaseException):
        raise ShapesError(f"{shapes.name}: the shapes cannot be evaluated: {text}")
    return report


def _set_conforms(report: Graph) -> None:
    # SHACL: a graph conforms when there is no result at all. The compiled engine says it conforms
    # when every result has a severity of its own (neither Violation, Warning nor Info).
    for node in list(report.subjects(RDF.type, SH.ValidationReport)):
        has_results = any(True for _ in report.objects(node, SH.result))
        report.set((node, SH.conforms, Literal(not has_results)))


@cache
def ontology_graphs() -> tuple[ox.NamedNode, ...]:
    return tuple(source.graph for source in discover([resource_dir("ontology")]))
