"""Shapes graphs: read strictly and checked once, compiled for the data, targets resolved by the store."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pyoxigraph as ox
import shacl
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH

from csei_graph.sources import discover, parse, resource_dir
from csei_graph.terms import OxTerm, ill_typed_literals_quiet, to_store
from csei_graph.validation.graphs import DataGraph, rdflib_triple
from csei_graph.validation.reads import TARGETS, Reads, shape_reads, stored_reads

SHACL_TERMS_FILE = "w3c/shacl.ttl"
SHACL_FOR_SHACL_FILE = "w3c/shacl-shacl.ttl"
_SH_TARGET = ox.NamedNode(f"{SH}target")
_RDFS_CLASS = ox.NamedNode(str(RDFS.Class))
_OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
_SH_TARGET_CLASS = ox.NamedNode(f"{SH}targetClass")
# The focus nodes of the targets the store resolves, `$value` the target's object.
_FOCUS_OF = {
    ox.NamedNode(f"{SH}targetSubjectsOf"): "SELECT DISTINCT ?this $value WHERE { ?this $value ?o }",
    ox.NamedNode(f"{SH}targetObjectsOf"): "SELECT DISTINCT ?this $value WHERE { ?s $value ?this }",
}
SH_TARGET_NODE = ox.NamedNode(f"{SH}targetNode")
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
                focus += [ox.Triple(target.shape, SH_TARGET_NODE, n) for n in nodes]  # type: ignore[arg-type]
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
            elif triple.predicate == SH_TARGET_NODE:
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
        targets = {_SH_TARGET, SH_TARGET_NODE, _SH_TARGET_CLASS, *_FOCUS_OF}
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
