"""What the checks of each shape read around a focus node, derived from its paths, nesting and SPARQL.

A read is a walk: the steps from the focus node along triples, each forward (subject to object) or
backward, by one predicate or by any. Validating a node against a shape reads no triple that the
shape's walks do not cross, plus the class hierarchy (`rdfs:subClassOf`) when it checks classes.
A shape whose reads cannot be bounded (a `*` or `+` path, a recursive shape, a SPARQL query with a
part not tied to the focus node, a constraint component of its own) is checked on the whole graph.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import product
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

Step = tuple[bool, str | None]  # forward (subject to object)?, the predicate (None: any)
Walk = tuple[Step, ...]
# Beyond this many walks a shape is checked on the whole graph: its reads are as good as everything.
MAX_WALKS = 5_000
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# A class check reads the hierarchy, which every focused run carries whole; `?t rdfs:subClassOf* ?c`
# in SPARQL does too.
_HIERARCHY = "hierarchy"
_TYPE: Walk = ((True, str(RDF.type)),)
_COMPARED = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_LISTS = (SH["and"], SH["or"], SH.xone)


class Unanalysable(Exception):
    """A shape whose reads cannot be bounded: it is checked on the whole graph."""


@dataclass(frozen=True)
class Reads:
    """The walks the analysable shapes read from their focus nodes, and the shapes checked whole."""

    walks: frozenset[Walk]
    hierarchy: bool
    whole: frozenset[Node]
    # Whether a check reads the description of a predicate a focus node uses (`?p rdfs:isDefinedBy ?o`
    # for `$this ?p ?v`): every run then carries the triples about each predicate of its data.
    terms: bool = False

    def inbound(self) -> frozenset[str] | None:
        """The predicates walked backwards; None when a walk goes backwards by any predicate."""
        backward = {predicate for walk in self.walks for forward, predicate in walk if not forward}
        return None if None in backward else frozenset(p for p in backward if p is not None)


# The analysis of the project's shapes, kept with the digest of the files it was made from: parsing
# their SPARQL takes rdflib about half a second, which every `csei validate FILE` would pay.
STORED = Path(__file__).with_name("project-reads.json")


def files_digest(files: Sequence[Path]) -> str:
    """SHA-256 of the names and bytes of the shapes files."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stored_reads(files: Sequence[Path]) -> Reads | None:
    """The stored analysis, if it was made from exactly these files."""
    try:
        stored = json.loads(STORED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stored.get("shapes") != files_digest(files):
        return None
    walks = frozenset(tuple((bool(f), p) for f, p in walk) for walk in stored["walks"])
    whole = frozenset(URIRef(iri) for iri in stored["whole"])
    return Reads(walks, bool(stored["hierarchy"]), whole, bool(stored["terms"]))


def stored_text(reads: Reads, files: Sequence[Path]) -> str | None:
    """The analysis as it is stored (None when a shape checked whole is a blank node)."""
    if any(not isinstance(node, URIRef) for node in reads.whole):
        return None
    content = {
        "shapes": files_digest(files),
        "hierarchy": reads.hierarchy,
        "terms": reads.terms,
        "whole": sorted(str(node) for node in reads.whole),
        "walks": sorted(([[f, p] for f, p in walk] for walk in reads.walks), key=json.dumps),
    }
    return json.dumps(content, indent=1, sort_keys=True) + "\n"


def shape_reads(shapes: Graph) -> Reads:
    """The reads of every shape with a target (each a root of the validation), by analysing the graph."""
    analyser = _Analyser(shapes)
    walks: set[Walk] = set()
    hierarchy, terms, whole = False, False, set()
    for root in sorted(roots(shapes), key=str):
        try:
            found, reads_classes, reads_terms = analyser.root(root)
        except Unanalysable:
            whole.add(root)
            continue
        walks |= found
        hierarchy |= reads_classes
        terms |= reads_terms
    return Reads(frozenset(walks), hierarchy, frozenset(whole), terms)


def roots(shapes: Graph) -> set[Node]:
    """The shapes with a target, explicit or implicit (a shape that is also a class)."""
    return {s for predicate in TARGETS for s in shapes.subjects(predicate, None)} | roots_implicit(shapes)


class _Analyser:
    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        parameters = {
            path
            for component in shapes.subjects(RDF.type, SH.ConstraintComponent)
            for parameter in shapes.objects(component, SH.parameter)
            for path in shapes.objects(parameter, SH.path)
        }
        self.custom = frozenset(parameters)
        # Rules change the data before it is checked: nothing is local then.
        self.rules = any(True for _ in shapes.subject_objects(SH.rule))
        self.classes = roots_implicit(shapes)
        self.hierarchy = self.terms = False

    def root(self, shape: Node) -> tuple[set[Walk], bool, bool]:
        if self.rules:
            raise Unanalysable("the shapes graph has rules")
        self.hierarchy = self.terms = False
        walks = self._targets(shape) | self._shape(shape, frozenset())
        return walks, self.hierarchy, self.terms

    def _targets(self, shape: Node) -> set[Walk]:
        walks: set[Walk] = set()
        if any(True for _ in self.graph.objects(shape, SH.targetClass)) or shape in self.classes:
            walks.add(_TYPE)
            self.hierarchy = True
        walks |= {((True, str(p)),) for p in self.graph.objects(shape, SH.targetSubjectsOf)}
        walks |= {((False, str(p)),) for p in self.graph.objects(shape, SH.targetObjectsOf)}
        for target in self.graph.objects(shape, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in self.graph:
                raise Unanalysable("a target of a kind of its own")
            walks |= self._sparql(target)
        return walks

    def _shape(self, shape: Node, stack: frozenset[Node]) -> set[Walk]:
        """The walks of a shape from the node it checks."""
        graph = self.graph
        if shape in stack:
            raise Unanalysable("a recursive shape")
        if (shape, SH.deactivated, Literal(True)) in graph:
            return set()
        if any(p in self.custom for p in graph.predicates(shape, None)):
            raise Unanalysable("a constraint component of its own")
        stack = stack | {shape}
        at_focus: set[Walk] = {((True, str(p)),) for c in _COMPARED for p in graph.objects(shape, c)}
        for constraint in graph.objects(shape, SH.sparql):
            at_focus |= self._sparql(constraint)
        path = graph.value(shape, SH.path)
        at_values = self._at_values(shape, stack)
        if path is None:
            return _capped(at_focus | at_values)
        paths = self._path(path)
        return _capped(at_focus | paths | {p + w for p in paths for w in at_values} - {()})

    def _at_values(self, shape: Node, stack: frozenset[Node]) -> set[Walk]:
        """The walks of the checks a shape makes on each value node."""
        graph = self.graph
        walks: set[Walk] = set()
        if any(True for _ in graph.objects(shape, SH["class"])):
            walks.add(_TYPE)
            self.hierarchy = True
        if (shape, SH.closed, Literal(True)) in graph:
            walks.add(((True, None),))
        nested = [
            *graph.objects(shape, SH.node),
            *graph.objects(shape, SH.property),
            *graph.objects(shape, SH["not"]),
            *graph.objects(shape, SH.qualifiedValueShape),
            *(m for p in _LISTS for lst in graph.objects(shape, p) for m in Collection(graph, lst)),
        ]
        if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in graph:
            # The sibling shapes: the qualified value shapes of the parents' other properties.
            parents = graph.subjects(SH.property, shape)
            nested += [
                q
                for p in parents
                for s in graph.objects(p, SH.property)
                for q in graph.objects(s, SH.qualifiedValueShape)
            ]
        for inner in nested:
            walks |= self._shape(inner, stack)
        return walks

    def _path(self, path: Node) -> set[Walk]:
        """The walks of a SHACL property path, each ending on a value node."""
        graph = self.graph
        if isinstance(path, URIRef):
            return {((True, str(path)),)}
        if (path, RDF.first, None) in graph:
            parts = [self._path(item) for item in Collection(graph, path)]
            return _capped({sum(walks, ()) for walks in product(*parts)})
        if (inverse := graph.value(path, SH.inversePath)) is not None:
            return {_flipped(w) for w in self._path(inverse)}
        if (alternatives := graph.value(path, SH.alternativePath)) is not None:
            return _capped(set().union(*(self._path(item) for item in Collection(graph, alternatives))))
        if (optional := graph.value(path, SH.zeroOrOnePath)) is not None:
            return {(), *self._path(optional)}
        raise Unanalysable("a path of unbounded length")

    def _sparql(self, node: Node) -> set[Walk]:
        """The walks of the query of a SPARQL constraint or target, from `$this`."""
        select = self.graph.value(node, SH.select)
        if not isinstance(select, Literal):
            raise Unanalysable("a SPARQL check without sh:select")
        try:
            query = prepareQuery(str(select), initNs=self._prefixes(node))
        except Exception as error:  # the parser raises errors of several kinds
            raise Unanalysable(f"a query that cannot be read: {error}") from None
        top = query.algebra["p"]
        # The query's own projection does not scope its variables: `$this` need not be selected.
        walks: set[Walk] = set()
        for patterns in _branches(top["p"] if top.name == "Project" else top, lambda term: term):
            found, hierarchy, terms = sparql_walks(patterns, Variable("this"))
            walks |= found
            self.hierarchy |= hierarchy
            self.terms |= terms
        return _capped(walks)

    def _prefixes(self, node: Node) -> dict[str, str]:
        graph = self.graph
        return {
            str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
            for holder in graph.objects(node, SH.prefixes)
            for d in graph.objects(holder, SH.declare)
        }


def roots_implicit(shapes: Graph) -> set[Node]:
    """The shapes that are classes too: their instances are their focus nodes."""
    classes = set(shapes.subjects(RDF.type, RDFS.Class)) | set(shapes.subjects(RDF.type, OWL.Class))
    return {
        s
        for s in classes
        if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes
    }


Pattern = tuple[Node, object, Node]
# Beyond this many combinations of UNION branches a query is checked on the whole graph.
MAX_BRANCHES = 64


def _branches(node: object, scope: Callable[[Node], Node]) -> list[list[Pattern]]:
    """The triple patterns of a query, one list per combination of UNION branches.

    Patterns of two branches of a UNION are never matched together: analysed apart, a variable
    named alike in both does not tie them. The variables of a sub-query are renamed apart.
    """
    if isinstance(node, list):
        return _joined([_branches(item, scope) for item in node])
    if not isinstance(node, CompValue):
        return [[]]
    if node.name in ("ServiceGraphPattern", "Graph", "GraphGraphPattern", "SubSelect"):
        raise Unanalysable(f"a query with {node.name}")
    if node.name == "Project":
        scope = _renamed(frozenset(node["PV"]), scope, f"_{id(node)}_")
    if node.name in ("BGP", "TriplesBlock"):
        return [_patterns(node, scope)]
    if node.name == "Union":
        return _capped_branches(_branches(node["p1"], scope) + _branches(node["p2"], scope))
    if node.name == "GroupOrUnionGraphPattern":
        return _capped_branches([b for part in node["graph"] for b in _branches(part, scope)])
    return _joined([_branches(value, scope) for value in node.values()])


def _patterns(node: CompValue, scope: Callable[[Node], Node]) -> list[Pattern]:
    """The triple patterns of a basic graph pattern (algebra) or a block of triples (inside EXISTS)."""
    if node.name == "BGP":
        return [(scope(s), scope(p), scope(o)) for s, p, o in node["triples"]]
    blocks = node["triples"]
    return [tuple(scope(t) for t in b[i : i + 3]) for b in blocks for i in range(0, len(b), 3)]  # type: ignore[misc]


def _joined(parts: list[list[list[Pattern]]]) -> list[list[Pattern]]:
    combined: list[list[Pattern]] = [[]]
    for part in parts:
        combined = _capped_branches([a + b for a in combined for b in part])
    return combined


def _capped_branches(branches: list[list[Pattern]]) -> list[list[Pattern]]:
    if len(branches) > MAX_BRANCHES:
        raise Unanalysable("too many branches")
    return branches


def _renamed(projected: frozenset[Node], outer: Callable[[Node], Node], mark: str) -> Callable[[Node], Node]:
    """A sub-query's scope: the variables it does not project are its own, renamed apart."""

    def scope(term: Node) -> Node:
        if isinstance(term, Variable) and term not in projected:
            return Variable(f"{mark}{term}")
        return outer(term)

    return scope


def sparql_walks(patterns: Iterable[Pattern], start: Node) -> tuple[set[Walk], bool, bool]:
    """The walks from `start` along the triple patterns of a query; every pattern must be reached.

    Each pattern is crossed by every simple path of patterns from `start` to it: a solution binds the
    pattern's ends to nodes that patterns tie to the focus node, in some branch of the query. A
    pattern about a predicate variable of another pattern (`$this ?p ?v . ?p rdfs:isDefinedBy ?o`)
    reads the description of a term (the third value returned).
    """
    patterns = list(patterns)
    predicates = {p for _, p, _ in patterns if isinstance(p, Variable)}
    about_terms = [t for t in patterns if t[0] in predicates and t[0] != start]
    if any(isinstance(t[1], Variable) or t[2] in predicates for t in about_terms):
        raise Unanalysable("a query walking on from a term")
    edges: list[tuple[Node, Node, set[Walk] | str]] = []
    for s, p, o in patterns:
        if (s, p, o) not in about_terms:
            edges.append((s, o, _steps(p)))
    nodes_of: dict[Node, int] = {}
    for s, o, _ in edges:
        for term in (s, o):
            nodes_of[term] = nodes_of.get(term, 0) + 1
    walks: set[Walk] = set()
    reached = {start}
    hierarchy = False

    def visit(node: Node, prefix: Walk, visited: frozenset[Node], crossed: frozenset[int]) -> None:
        nonlocal hierarchy
        for number, (s, o, steps) in enumerate(edges):
            if number in crossed:
                continue
            for here, there, forward in ((s, o, True), (o, s, False)):
                if here != node or (here == there and not forward):
                    continue
                if steps == _HIERARCHY:
                    # A class reached along the hierarchy: nothing may be read from it.
                    if not forward or nodes_of[there] > 1 or there == start:
                        raise Unanalysable("a query reading around a class reached by rdfs:subClassOf*")
                    hierarchy = True
                    walks.add(prefix + _TYPE)
                    reached.add(there)
                    continue
                if () in steps:  # type: ignore[operator]
                    # A path of length zero between free variables matches every node of the graph:
                    # whether a node is one is read from any triple around it.
                    walks.update({(*prefix, (True, None)), (*prefix, (False, None))})
                for seq in steps if forward else {_flipped(w) for w in steps}:  # type: ignore[union-attr]
                    walk = prefix + seq
                    if walk:
                        walks.add(walk)
                    if len(walks) > MAX_WALKS:
                        raise Unanalysable("too many walks")
                    reached.add(there)
                    if there not in visited:
                        visit(there, walk, visited | {there}, crossed | {number})

    visit(start, (), frozenset({start}), frozenset())
    if any(s not in reached and o not in reached for s, o, _ in edges):
        raise Unanalysable("a query with a part not tied to the focus node")
    if any(
        isinstance(o, Variable | BNode) and sum(o in (x, z) for x, _, z in patterns) > 1
        for _, _, o in about_terms
    ):
        raise Unanalysable("a query tying a term's description to other patterns")
    return walks, hierarchy, bool(about_terms)


def _steps(predicate: object) -> set[Walk] | str:
    """The step sequences of a predicate or property path of SPARQL (or the hierarchy marker)."""
    if isinstance(predicate, URIRef):
        return {((True, str(predicate)),)}
    if isinstance(predicate, Variable | BNode):
        return {((True, None),)}
    for kind, steps_of in _PATH_KINDS:
        if isinstance(predicate, kind):
            return steps_of(predicate)
    raise Unanalysable(f"a predicate or path not known here: {predicate!r}")


def _inverse_steps(path: InvPath) -> set[Walk]:
    inner = _steps(path.arg)
    if inner == _HIERARCHY:
        raise Unanalysable("an inverse path over the hierarchy")
    return {_flipped(w) for w in inner}


def _sequence_steps(path: SequencePath) -> set[Walk] | str:
    parts = [_steps(p) for p in path.args]
    if _HIERARCHY in parts[:-1]:
        raise Unanalysable("a path going on after the hierarchy")
    if parts[-1] == _HIERARCHY:
        if len(parts) > 2 or parts[0] != {_TYPE}:
            raise Unanalysable("a path over the hierarchy other than rdf:type/rdfs:subClassOf*")
        return _HIERARCHY
    return _capped({sum(ws, ()) for ws in product(*parts)})  # type: ignore[arg-type]


def _alternative_steps(path: AlternativePath) -> set[Walk]:
    parts = [_steps(p) for p in path.args]
    if _HIERARCHY in parts:
        raise Unanalysable("an alternative over the hierarchy")
    return reduce(set.union, parts, set())  # type: ignore[arg-type]


def _repeated_steps(path: MulPath) -> set[Walk] | str:
    if path.mod == "?":
        inner = _steps(path.path)
        if inner == _HIERARCHY:
            raise Unanalysable("an optional step over the hierarchy")
        return {(), *inner}
    if path.path == RDFS.subClassOf:
        return _HIERARCHY
    raise Unanalysable("a path of unbounded length")


_PATH_KINDS: tuple[tuple[type, Callable[..., set[Walk] | str]], ...] = (
    (InvPath, _inverse_steps),
    (SequencePath, _sequence_steps),
    (AlternativePath, _alternative_steps),
    (MulPath, _repeated_steps),
    # Any predicate but some, either way.
    (NegatedPath, lambda path: {((True, None),), ((False, None),)}),
)


def _flipped(walk: Walk) -> Walk:
    return tuple((not forward, predicate) for forward, predicate in reversed(walk))


def _capped(walks: set[Walk]) -> set[Walk]:
    if len(walks) > MAX_WALKS:
        raise Unanalysable("too many walks")
    return walks
