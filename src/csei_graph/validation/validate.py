"""SHACL validation: shapes read and checked once, the compiled and the reference engine, focused runs."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import shacl
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH, XSD

from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources, discover, parse, resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm, RdflibTerm, ill_typed_literals_quiet, to_rdflib, to_store
from csei_graph.validation.locate import locate
from csei_graph.validation.pieces import Neighbourhoods, grouped
from csei_graph.validation.reads import (
    TARGETS,
    Reads,
    reverse_trie,
    shape_reads,
    stored_reads,
    trie,
)
from csei_graph.validation.report import EngineRun, Location, Report, annotated, read_results, sort_key
from csei_graph.validation.walks import read_by, readers, used_as_predicate

ENGINES = ("shacl", "pyshacl")
SHACL_TERMS_FILE = "w3c/shacl.ttl"
SHACL_FOR_SHACL_FILE = "w3c/shacl-shacl.ttl"
# Beyond this many affected nodes a focused run costs more than validating everything.
FOCUS_LIMIT = 20_000
# The compiled engine's checks cost more the larger the graph (a nested check: ~8 µs at 100k triples,
# ~27 µs at 1M): above this many triples, the project's shapes check the whole graph in pieces.
PIECES_ABOVE = 200_000
# Focus nodes per piece: a piece's data is then some tens of thousands of triples.
PIECE_FOCUS_NODES = 5_000

_CONSTRUCT_ALL = "CONSTRUCT WHERE { ?s ?p ?o }"
_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { ?s ?p ?o } }"
_LABEL = """
    SELECT ?label $node WHERE {
        { $node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
        UNION { $node <http://www.w3.org/2000/01/rdf-schema#label> ?label }
    } ORDER BY DESC(LANGMATCHES(LANG(?label), "en")) STR(?label) LIMIT 1
"""


def rdflib_triple(triple: ox.Triple | ox.Quad) -> tuple[RdflibTerm, RdflibTerm, RdflibTerm]:
    """A triple in rdflib terms, literals as written, strings as simple literals."""
    return (_term(triple.subject), _term(triple.predicate), _term(triple.object))


def _term(term: OxTerm) -> RdflibTerm:
    converted = to_rdflib(term)
    # RDF 1.1 makes "x" and "x"^^xsd:string one term, rdflib two; pyshacl reads only the first form
    # in places (sh:prefix), and its own messages are simple literals.
    if isinstance(converted, Literal) and converted.datatype == XSD.string:
        return Literal(str(converted))
    return converted


_SH_TARGET = ox.NamedNode(f"{SH}target")
_RDFS_CLASS = ox.NamedNode(str(RDFS.Class))
_OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
_SH_TARGET_CLASS = ox.NamedNode(f"{SH}targetClass")
# The focus nodes of the targets the store resolves, `$value` the target's object.
_FOCUS_OF = {
    ox.NamedNode(f"{SH}targetSubjectsOf"): "SELECT DISTINCT ?this $value WHERE { ?this $value ?o }",
    ox.NamedNode(f"{SH}targetObjectsOf"): "SELECT DISTINCT ?this $value WHERE { ?s $value ?this }",
}
_SH_TARGET_NODE = ox.NamedNode(f"{SH}targetNode")
_SH_SPARQL_TARGET = ox.NamedNode(f"{SH}SPARQLTarget")
_SH_SELECT = ox.NamedNode(f"{SH}select")
_SH_PREFIXES = ox.NamedNode(f"{SH}prefixes")
_SH_DECLARE = ox.NamedNode(f"{SH}declare")
_SH_PREFIX = ox.NamedNode(f"{SH}prefix")
_SH_NAMESPACE = ox.NamedNode(f"{SH}namespace")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
# Variables SHACL pre-binds in a SPARQL target; a target using them is left to the engine.
_PRE_BOUND = re.compile(r"[?$](?:currentShape|shapesGraph)\b")
_PREFIX_NAME = re.compile(r"[A-Za-z][\w.-]*|")
_NAMESPACE = re.compile(r"[^<>\"{}|^`\\\s]+")


@dataclass(frozen=True)
class SparqlTarget:
    """A shape's SPARQL target (`sh:target [ a sh:SPARQLTarget ; sh:select ... ]`), as a query to run."""

    shape: ox.NamedNode | ox.BlankNode
    node: ox.BlankNode
    query: str


class ShapesError(ValueError):
    """A shapes graph that cannot be trusted: malformed, or asking for what the engine cannot do."""


class Shapes:
    """A shapes graph, ready for either engine."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad], name: str = "shapes") -> None:
        self.name = name
        self.triples = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
        self.ntriples = ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES).decode()

    @cached_property
    def graph(self) -> Graph:
        """The shapes as an rdflib Graph (the reference engine's input, the analysis's and the reports')."""
        graph = Graph()
        with ill_typed_literals_quiet():
            for triple in self.triples:
                graph.add(rdflib_triple(triple))
        return graph

    @cached_property
    def compiled(self) -> shacl.Shapes:
        """The shapes compiled by the `shacl` engine, once."""
        return self._compile(self.ntriples)

    def _compile(self, ntriples: str) -> shacl.Shapes:
        try:
            compiled = shacl.Shapes.from_text(ntriples, format="ntriples")
        except ValueError as error:
            raise ShapesError(f"{self.name}: the shapes cannot be compiled: {error}") from None
        # The engine compiles a graph it finds no shape in without complaint, and then passes anything.
        if len(compiled) == 0 and self.declares_shapes():
            raise ShapesError(f"{self.name}: the engine found none of the shapes this graph declares")
        return compiled

    @cached_property
    def sparql_targets(self) -> tuple[SparqlTarget, ...]:
        """The SPARQL targets the embedded store can evaluate in the engine's place.

        The compiled engine evaluates a SPARQL target without the indexes of a store: a target that
        groups or joins over the whole graph grows with its square. Only plain targets are taken
        (a blank node used once, `sh:select` and `sh:prefixes` only, no pre-bound variable); any
        other is left to the engine. A query the store cannot read is refused: the engine would pass
        the shape's every focus node without a word.
        """
        by_subject: dict[OxTerm, list[ox.Triple]] = defaultdict(list)
        uses: dict[OxTerm, int] = defaultdict(int)
        for triple in self.triples:
            by_subject[triple.subject].append(triple)
            uses[triple.object] += 1
        targets = []
        for triple in self.triples:
            node = triple.object
            if triple.predicate != _SH_TARGET or not isinstance(node, ox.BlankNode) or uses[node] != 1:
                continue
            query = _target_query(by_subject, node)
            if query is not None:
                _check_target(query, triple.subject, self.name)
                targets.append(SparqlTarget(triple.subject, node, query))  # type: ignore[arg-type]
        return tuple(targets)

    @cached_property
    def reads(self) -> Reads:
        """What the checks of each shape read around a focus node (those that cannot say, the whole graph)."""
        return shape_reads(self.graph)

    @cached_property
    def parts(self) -> tuple["Shapes", "Shapes | None"]:
        """The shapes a focused run checks around its nodes, and those it checks on the whole graph.

        Both hold every shape; each keeps the targets of its own roots only.
        """
        whole = {to_store(node) for node in self.reads.whole}
        if not whole:
            return self, None
        return self._targeting(lambda root: root not in whole, "focused"), self._targeting(
            lambda root: root in whole, "whole graph"
        )

    def _targeting(self, kept: Callable[[OxTerm], bool], part: str) -> "Shapes":
        targets = {ox.NamedNode(str(p)) for p in TARGETS}
        dropped = {t for t in self.triples if t.predicate in targets and not kept(t.subject)}
        # A SPARQL target dropped takes its own node with it.
        orphans = {t.object for t in dropped if isinstance(t.object, ox.BlankNode)}
        triples = [t for t in self.triples if t not in dropped and t.subject not in orphans]
        return Shapes(triples, f"{self.name} ({part})")

    def compiled_for(self, data: "DataGraph") -> shacl.Shapes:
        """The shapes compiled for this data: each SPARQL target replaced by the nodes it selects."""
        replaced: set[ox.BlankNode] = set()
        focus: list[ox.Triple] = []
        for target in self.sparql_targets:
            nodes = [row["this"] for row in data.select(target.query)]  # type: ignore[index]
            # A blank node of the data cannot be named in the shapes graph: the engine selects those.
            if all(isinstance(n, ox.NamedNode | ox.Literal) for n in nodes):
                replaced.add(target.node)
                focus += [ox.Triple(target.shape, _SH_TARGET_NODE, n) for n in nodes]  # type: ignore[arg-type]
        if not replaced:
            return self.compiled
        kept = [t for t in self.triples if t.subject not in replaced and t.object not in replaced]
        return self._compile(ox.serialize(kept + focus, format=ox.RdfFormat.N_TRIPLES).decode())

    def selected_on(self, data: "DataGraph") -> dict[ox.Triple, set[bytes]]:
        """The focus nodes (in N-Triples) of the targets the store selects, by target triple.

        The plain SPARQL targets, and the subjects or objects of a predicate.
        """
        sparql = {target.node: target.query for target in self.sparql_targets}
        selected: dict[ox.Triple, set[bytes]] = {}
        for triple in self.triples:
            if triple.predicate in _FOCUS_OF:
                answer = data.select(_FOCUS_OF[triple.predicate], {"value": triple.object})
            elif triple.predicate == _SH_TARGET and triple.object in sparql:
                answer = data.select(sparql[triple.object])
            else:
                continue
            selected[triple] = {str(row["this"]).encode() for row in answer}  # type: ignore[index]
        return selected

    def targets_in(
        self, selected: dict[ox.Triple, set[bytes]], instances: Callable[[bytes], set[bytes]]
    ) -> tuple[str, dict[bytes, list[bytes]]] | None:
        """The shapes without their targets, and the shapes that check each focus node of the data.

        Both in N-Triples; `selected` holds what the store selects (`selected_on`), `instances` gives
        the instances of a class. None when a target cannot be resolved here as the engine would: a
        SPARQL target left to the engine, an implicit class target, or a focus node that is a blank
        node or a literal.
        """
        if any(t.predicate == _RDF_TYPE and t.object in (_RDFS_CLASS, _OWL_CLASS) for t in self.triples):
            return None
        shapes_of: dict[bytes, list[bytes]] = defaultdict(list)
        for triple in self.triples:
            if triple in selected:
                nodes = selected[triple]
            elif triple.predicate == _SH_TARGET_NODE:
                nodes = {str(triple.object).encode()}
            elif triple.predicate == _SH_TARGET_CLASS:
                nodes = instances(str(triple.object).encode())
            elif triple.predicate == _SH_TARGET:
                return None
            else:
                continue
            if not all(node.startswith(b"<") for node in nodes):
                return None
            shape = str(triple.subject).encode()
            for node in sorted(nodes):
                if shape not in shapes_of[node]:
                    shapes_of[node].append(shape)
        targets = {_SH_TARGET, _SH_TARGET_NODE, _SH_TARGET_CLASS, *_FOCUS_OF}
        sparql = {target.node for target in self.sparql_targets}
        untargeted = [t for t in self.triples if t.predicate not in targets and t.subject not in sparql]
        return ox.serialize(untargeted, format=ox.RdfFormat.N_TRIPLES).decode(), shapes_of

    def declares_shapes(self) -> bool:
        """Whether any node is a node or property shape, by its type or its targets."""
        typed = any(True for _ in self.graph.subjects(RDF.type, SH.NodeShape)) or any(
            True for _ in self.graph.subjects(RDF.type, SH.PropertyShape)
        )
        targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        return typed or any(True for p in targets for _ in self.graph.subject_objects(p))


def _target_query(by_subject: dict[OxTerm, list[ox.Triple]], node: ox.BlankNode) -> str | None:
    """The query of a plain SPARQL target, its prefixes declared; None for any other target."""
    properties = by_subject.get(node, [])
    kinds = {t.predicate for t in properties}
    selects = [t.object for t in properties if t.predicate == _SH_SELECT]
    types = {t.object for t in properties if t.predicate == _RDF_TYPE}
    if kinds - {_RDF_TYPE, _SH_SELECT, _SH_PREFIXES} or types != {_SH_SPARQL_TARGET} or len(selects) != 1:
        return None
    select = selects[0]
    holders = [t.object for t in properties if t.predicate == _SH_PREFIXES]
    declarations = _prefix_declarations(by_subject, holders)
    if declarations is None or not isinstance(select, ox.Literal) or _PRE_BOUND.search(select.value):
        return None
    return declarations + select.value


def _check_target(query: str, shape: OxTerm, name: str) -> None:
    """Refuse a SPARQL target whose query is not a SELECT of ?this that the store can read."""
    try:
        answer = ox.Store().query(query)
    except (SyntaxError, ValueError) as error:
        raise ShapesError(f"{name}: the SPARQL target of {shape} cannot be read: {error}") from None
    if not isinstance(answer, ox.QuerySolutions) or ox.Variable("this") not in answer.variables:
        raise ShapesError(f"{name}: the SPARQL target of {shape} is not a SELECT query of ?this")


def _prefix_declarations(by_subject: dict[OxTerm, list[ox.Triple]], holders: list[OxTerm]) -> str | None:
    """`PREFIX` lines for the `sh:declare`s of the `sh:prefixes` nodes; None when one is malformed."""
    lines = []
    for holder in holders:
        for declaration in (t.object for t in by_subject.get(holder, []) if t.predicate == _SH_DECLARE):
            values = {t.predicate: t.object for t in by_subject.get(declaration, [])}
            prefix, namespace = values.get(_SH_PREFIX), values.get(_SH_NAMESPACE)
            if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal | ox.NamedNode):
                return None
            if not _PREFIX_NAME.fullmatch(prefix.value) or not _NAMESPACE.fullmatch(namespace.value):
                return None
            lines.append(f"PREFIX {prefix.value}: <{namespace.value}>\n")
    return "".join(lines)


class DataGraph:
    """The triples to validate, as N-Triples (what the compiled engine reads) or an rdflib Graph."""

    def __init__(self, ntriples: bytes, store: GraphStore | None = None) -> None:
        self.ntriples = ntriples
        self._store = store

    def select(self, query: str, bindings: dict[str, OxTerm] | None = None) -> ox.QuerySolutions:
        """Run a SELECT query on these triples (in the store they come from, or one made of them)."""
        if self._store is None:
            store = ox.Store()
            store.load(self.ntriples, format=ox.RdfFormat.N_TRIPLES)
            self._store = GraphStore(store)
        answer = self._store.query(query, bindings)
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError("a SELECT query was expected")
        return answer

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple | ox.Quad]) -> "DataGraph":
        """The data graph of these triples (the graph part of quads is dropped: SHACL sees one graph)."""
        plain = (ox.Triple(t.subject, t.predicate, t.object) for t in triples)
        return cls(ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES))

    @classmethod
    def from_store(cls, store: GraphStore) -> "DataGraph":
        """Every triple of every graph of the store, each once."""
        return cls(_serialize(store.query(_CONSTRUCT_ALL)), store)

    @cached_property
    def graph(self) -> Graph:
        """The triples in an rdflib Graph, literals as they are written (the reference engine's input)."""
        graph = Graph()
        with ill_typed_literals_quiet():
            for triple in ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES):
                graph.add(rdflib_triple(triple))
        return graph


def read_shapes(
    paths: Sequence[Path], name: str | None = None, tolerated: frozenset[str] = frozenset()
) -> Shapes:
    """Read shapes files strictly and refuse a shapes graph that is malformed."""
    triples = [quad for source in discover(paths) for quad in parse(source)]
    return checked_shapes(triples, name or ", ".join(str(p) for p in paths), tolerated)


def checked_shapes(
    triples: Iterable[ox.Triple | ox.Quad], name: str, tolerated: frozenset[str] = frozenset()
) -> Shapes:
    """The shapes of these triples, refused when malformed (but for the `tolerated` unknown terms)."""
    shapes = Shapes(triples, name)
    problems = shape_problems(shapes, tolerated)
    if problems:
        raise ShapesError(f"{name}: malformed shapes:\n  " + "\n  ".join(problems))
    return shapes


DCAT_AP_FILES = (
    "dcat-ap/3.0.1/shapes.ttl",
    "dcat-ap/3.0.1/range.ttl",
    "dcat-ap/3.0.1/shapes_recommended.ttl",
)
# The official DCAT-AP 3.0.1 shapes write sh:shape, which is no SHACL term, where sh:node is meant
# (the date checks of dct:issued and dct:modified): no engine applies those checks. The files are
# read as published, with that one unknown term let through.
DCAT_AP_DEFECTS = frozenset({f"{SH}shape"})


@cache
def dcat_ap_shapes() -> Shapes:
    """The official DCAT-AP 3.0.1 shapes: mandatory and range checks, and the recommended ones as warnings."""
    folder = resource_dir("shapes")
    return read_shapes([folder / name for name in DCAT_AP_FILES], "DCAT-AP 3.0.1", DCAT_AP_DEFECTS)


def validate_catalogue(catalogue: Graph, engine: str = "shacl") -> Report:
    """Check a catalogue's metadata (an rdflib Graph) against the DCAT-AP 3.0.1 shapes."""
    shapes = dcat_ap_shapes()
    data = DataGraph.from_triples(ox.Triple(*(to_store(t) for t in triple)) for triple in catalogue)
    return read_results(run_engine(engine, shapes, data), shapes.graph, engine)


@cache
def project_shapes() -> Shapes:
    """The project's shapes: every `shapes/*.ttl` file, read once per process.

    What they read comes from `reads.STORED` when it was made from these files (a test keeps it so).
    """
    folder = resource_dir("shapes")
    files = sorted(folder.glob("*.ttl"))
    shapes = read_shapes(files, name=f"{folder}/*.ttl")
    stored = stored_reads(files)
    if stored is not None:
        shapes.__dict__["reads"] = stored  # the value `Shapes.reads` would compute
    return shapes


def shape_problems(shapes: Shapes, tolerated: frozenset[str] = frozenset()) -> list[str]:
    """What makes a shapes graph untrustworthy: unknown SHACL terms and breaches of SHACL-for-SHACL.

    The compiled engine silently ignores some malformed shapes (a property shape without a path,
    a typo such as sh:minCont), so every shapes graph is checked before use.
    """
    known = _shacl_terms() | tolerated
    problems = []
    for triple in shapes.triples:
        for term in (triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(str(SH)) and term.value not in known:
                problems.append(
                    f"<{triple.subject.value}>: sh:{term.value[len(str(SH)) :]} is not a SHACL term"
                )
    report = _shacl_for_shacl().compiled.validate_text(shapes.ntriples, format="ntriples")
    for result in report.results:
        path = f" {result.path}" if result.path else ""
        problems.append(f"{result.focus_node}{path}: breaks SHACL's syntax rules ({result.component})")
    return sorted(set(problems))


@cache
def _shacl_terms() -> frozenset[str]:
    path = resource_dir("shapes") / SHACL_TERMS_FILE
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return frozenset(t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode))


@cache
def _shacl_for_shacl() -> Shapes:
    path = resource_dir("shapes") / SHACL_FOR_SHACL_FILE
    return Shapes(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), name=str(path))


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
        fresh[_term(ox.BlankNode(r.source_shape[2:]))]: _term(ox.NamedNode(r.root_shape[1:-1]))
        for r in report.results
        if r.source_shape
        and r.source_shape.startswith("_:")
        and r.root_shape
        and r.root_shape.startswith("<")
    }
    return EngineRun(graph, roots)


def _run_in_pieces(shapes: Shapes, store: GraphStore, data: DataGraph) -> EngineRun | None:
    """The compiled engine's run over the whole data, a group of focus nodes at a time.

    Each group is checked with the triples its checks read (the walks of `Shapes.reads`), as a
    focused run is, and the ontology; the shapes' targets are replaced by the group's nodes. The
    shapes whose reads are not known are checked on the whole data. None when the targets cannot be
    resolved on the store.
    """
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
            for named in _ontology_graphs()
            for line in _serialize(store.query(_GRAPH, {"graph": named})).splitlines()
        )
        resolved = local.targets_in(selected.result(), around.instances)
    if resolved is None:
        return None
    untargeted, shapes_of = resolved
    graph = Graph()
    roots: dict[RdflibTerm, RdflibTerm] = {}
    for group in grouped(shapes_of, around, PIECE_FOCUS_NODES):
        targets = b"".join(
            b"%s <%s> %s .\n" % (shape, _SH_TARGET_NODE.value.encode(), node)
            for node in group
            for shape in shapes_of[node]
        )
        compiled = shapes._compile(untargeted + targets.decode())
        data_read = around.data(around.read_by(group))
        roots.update(_compiled_run(compiled, data_read, shapes.name, graph).roots)
    if whole is not None:
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
    for graph in _ontology_graphs():
        triples.update(store.query(_GRAPH, {"graph": graph}))  # type: ignore[arg-type]
    everything = DataGraph.from_store(store) if reads.whole else None
    return Scope(DataGraph.from_triples(triples), frozenset(_term(node) for node in affected), everything)


@cache
def _ontology_graphs() -> tuple[ox.NamedNode, ...]:
    return tuple(source.graph for source in discover([resource_dir("ontology")]))


_SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


def _serialize(triples: ox.QueryTriples | ox.QuerySolutions | ox.QueryBoolean) -> bytes:
    if not isinstance(triples, ox.QueryTriples):
        raise TypeError("a CONSTRUCT query was expected")
    return triples.serialize(format=ox.RdfFormat.N_TRIPLES) or b""


def validate_store(
    store: GraphStore,
    scope: Scope,
    engine: str,
    files: Sequence[Path] = (),
    known_locations: dict[str, Location] | None = None,
) -> Report:
    """Validate a scope of the store with the project's shapes; each result names and places its resource."""
    report = scope_report(engine, project_shapes(), scope, store)
    known = known_locations or {}

    def where(resources: Iterable[str]) -> dict[str, Location]:
        wanted = set(resources)
        return {**locate(wanted - known.keys(), files), **{r: known[r] for r in wanted & known.keys()}}

    return annotated(report, labels=lambda focus: label_of(store, focus), locations=where)


def scope_report(engine: str, shapes: Shapes, scope: Scope, store: GraphStore | None = None) -> Report:
    """The results of the shapes on a scope, with rules and report graph, before they are placed.

    A focused scope is checked in two runs: the shapes whose reads are known on the scope's data,
    keeping the results on its focus nodes, and the others on the whole graph, keeping all.
    """
    if scope.focus is None:
        # A large whole graph is checked in pieces: the shapes read only around each focus node.
        large = store is not None and scope.data.ntriples.count(b"\n") > PIECES_ABOVE
        run = _run_in_pieces(shapes, store, scope.data) if large and engine == "shacl" else None  # type: ignore[arg-type]
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


def validate_builtin(settings: Settings | None = None, engine: str | None = None) -> Report:
    """Validate the whole built-in graph (the ontology and the data files)."""
    settings = settings or Settings()
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    chosen = engine or settings.validation_engine
    return validate_store(store, whole_graph(store), chosen, files=[s.path for s in sources])
