"""The documentation of the SHACL shapes: what each shape targets and requires, in words.

Template `shapes.html`. Read from the shapes' files (by default the project's `shapes/`), labelled
from the store.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from csei_graph.namespaces import PREFIXES, shorten
from csei_graph.pages import paths
from csei_graph.pages.model import Alternate, Link
from csei_graph.pages.reader import Reader
from csei_graph.pages.resource import alternates
from csei_graph.pages.vocabulary import local_name
from csei_graph.settings import Settings
from csei_graph.sources import discover, parse, resource_dir
from csei_graph.stores.base import Store
from csei_graph.terms import to_rdflib


@dataclass(frozen=True)
class PropertyShapeDoc:
    """One property constraint of a shape, in words."""

    path: str
    property: Link | None
    name: str
    description: str
    cardinality: str
    constraints: tuple[str, ...]
    severity: str
    message: str


@dataclass(frozen=True)
class ShapeDoc:
    """One node shape: what it targets and what it requires."""

    anchor: str
    iri: str
    label: str
    description: str
    targets: tuple[Link, ...]
    constraints: tuple[str, ...]
    properties: tuple[PropertyShapeDoc, ...]


@dataclass(frozen=True)
class ShapesView:
    """The documentation of the SHACL shapes under `shapes/`."""

    template: ClassVar[str] = "shapes.html"

    path: str
    title: str
    shapes: tuple[ShapeDoc, ...]
    alternates: tuple[Alternate, ...]


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """The project's shapes: the `*.ttl` files of a folder (by default the built-in `shapes/`; its
    sub-folders hold SHACL itself, not project shapes), as one rdflib graph."""
    folder = shapes_dir or resource_dir("shapes")
    graph = Graph()
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    for source in discover(files):
        for quad in parse(source):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def shapes_view(store: Store, shapes: Graph | None = None, settings: Settings | None = None) -> ShapesView:
    """The documentation of the shapes (by default those under `shapes/`), labelled from the store."""
    reader = Reader(store, settings, check_links=True)
    graph = shapes if shapes is not None else load_shapes()
    documents = _ShapeDocuments(reader, graph)
    node_shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | {
        s for p in TARGETS for s in graph.subjects(p, None)
    }
    docs = sorted((documents.shape(s) for s in node_shapes), key=lambda d: (d.label.casefold(), d.iri))
    return ShapesView(
        path=paths.SHAPES_PAGE,
        title="Shapes",
        shapes=tuple(docs),
        alternates=alternates("shapes"),
    )


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
PATH_OPERATORS = {
    SH.zeroOrMorePath: "*",
    SH.oneOrMorePath: "+",
    SH.zeroOrOnePath: "?",
}


class _ShapeDocuments:
    """Says in words what each shape of an rdflib graph requires."""

    def __init__(self, reader: Reader, graph: Graph) -> None:
        self.reader = reader
        self.graph = graph

    def _text(self, node: object, *predicates: object) -> str:
        values = sorted(
            (0 if getattr(o, "language", None) in (None, "en") else 1, str(o))
            for p in predicates
            for o in self.graph.objects(node, p)  # type: ignore[arg-type]
        )
        return values[0][1] if values else ""

    def compact(self, term: object) -> str:
        if isinstance(term, BNode):
            return "[]"
        return shorten(str(term), {**PREFIXES, "sh": str(SH)})

    def _list(self, head: object) -> list[object]:
        items = []
        while head is not None and head != RDF.nil and len(items) < 1000:
            items.append(self.graph.value(head, RDF.first))  # type: ignore[arg-type]
            head = self.graph.value(head, RDF.rest)  # type: ignore[arg-type]
        return items

    def path(self, node: object) -> str:
        """A SHACL property path written the SPARQL way."""
        if self.graph.value(node, RDF.first) is not None:  # type: ignore[arg-type]
            return "/".join(self.path(step) for step in self._list(node))
        inverse = self.graph.value(node, SH.inversePath)  # type: ignore[arg-type]
        if inverse is not None:
            return "^" + self.path(inverse)
        alternatives = self.graph.value(node, SH.alternativePath)  # type: ignore[arg-type]
        if alternatives is not None:
            return "(" + "|".join(self.path(a) for a in self._list(alternatives)) + ")"
        for operator, sign in PATH_OPERATORS.items():
            inner = self.graph.value(node, operator)  # type: ignore[arg-type]
            if inner is not None:
                return self.path(inner) + sign
        return self.compact(node)

    def constraints(self, node: object) -> tuple[str, ...]:
        """Every constraint of a shape other than its path and cardinality, one phrase each."""
        words = []
        simple = {
            SH.datatype: "datatype",
            SH["class"]: "instance of",
            SH.nodeKind: "node kind",
            SH.hasValue: "has value",
            SH.node: "conforms to",
            SH.pattern: "matches",
            SH.minLength: "at least this many characters:",
            SH.maxLength: "at most this many characters:",
            SH.minInclusive: "at least",
            SH.maxInclusive: "at most",
            SH.minExclusive: "more than",
            SH.maxExclusive: "less than",
            SH.uniqueLang: "one value per language:",
            SH.closed: "closed (no other properties):",
        }
        for predicate, phrase in simple.items():
            for value in sorted(self.graph.objects(node, predicate), key=str):  # type: ignore[arg-type]
                shown = self.compact(value) if not hasattr(value, "language") else str(value)
                words.append(f"{phrase} {shown}")
        for predicate, phrase in ((SH["in"], "one of"), (SH.languageIn, "language one of")):
            for head in self.graph.objects(node, predicate):  # type: ignore[arg-type]
                items = [
                    self.compact(i) if not hasattr(i, "language") else f'"{i}"' for i in self._list(head)
                ]
                words.append(f"{phrase}: {', '.join(items)}")
        for predicate, phrase in ((SH["or"], "any of"), (SH["and"], "all of"), (SH.xone, "exactly one of")):
            for head in self.graph.objects(node, predicate):  # type: ignore[arg-type]
                options = [self.option(item) for item in self._list(head)]
                words.append(f"{phrase}: " + " | ".join(f"({o})" for o in options))
        for constraint in self.graph.objects(node, SH.sparql):  # type: ignore[arg-type]
            message = self._text(constraint, SH.message)
            words.append(f"SPARQL check: {message}" if message else "SPARQL check")
        return tuple(words)

    def option(self, node: object) -> str:
        """One branch of sh:or/sh:and/sh:xone in words: its constraints, or its property constraints."""
        has_path = self.graph.value(node, SH.path) is not None  # type: ignore[arg-type]
        words = [] if has_path else list(self.constraints(node))
        shapes = [node] if has_path else []
        shapes += sorted(self.graph.objects(node, SH.property), key=self.path_of)  # type: ignore[arg-type]
        for shape in shapes:
            _, doc = self.property_shape(shape)
            words.append(" ".join([doc.path, doc.cardinality, *doc.constraints]))
        return "; ".join(words) or self.compact(node)

    def path_of(self, node: object) -> str:
        path = self.graph.value(node, SH.path)  # type: ignore[arg-type]
        return self.path(path) if path is not None else ""

    def property_shape(self, node: object) -> tuple[tuple[float, str], PropertyShapeDoc]:
        path_node = self.graph.value(node, SH.path)  # type: ignore[arg-type]
        path = self.path(path_node) if path_node is not None else ""
        low = self.graph.value(node, SH.minCount)  # type: ignore[arg-type]
        high = self.graph.value(node, SH.maxCount)  # type: ignore[arg-type]
        severity = self.graph.value(node, SH.severity)  # type: ignore[arg-type]
        order = self.graph.value(node, SH.order)  # type: ignore[arg-type]
        is_iri = isinstance(path_node, URIRef)
        doc = PropertyShapeDoc(
            path=path,
            property=self.reader.link(ox.NamedNode(str(path_node))) if is_iri else None,
            name=self._text(node, SH.name),
            description=self._text(node, SH.description),
            cardinality=f"{low if low is not None else 0}..{high if high is not None else '*'}",
            constraints=self.constraints(node),
            severity=local_name(str(severity)) if severity is not None else "Violation",
            message=self._text(node, SH.message),
        )
        return (float(order) if order is not None else float("inf"), path), doc

    def shape(self, node: object) -> ShapeDoc:
        iri = str(node)
        targets = [t for p in TARGETS for t in self.graph.objects(node, p)]  # type: ignore[arg-type]
        properties = sorted(
            (self.property_shape(p) for p in self.graph.objects(node, SH.property)),  # type: ignore[arg-type]
            key=lambda pair: pair[0],
        )
        return ShapeDoc(
            anchor=local_name(iri)
            if paths.SAFE_SEGMENT.fullmatch(local_name(iri))
            else paths.hashed_segment(iri),
            iri=iri,
            label=self._text(node, SH.name, RDFS.label) or local_name(iri),
            description=self._text(node, SH.description, RDFS.comment),
            targets=self.reader.links(ox.NamedNode(str(t)) for t in targets if not hasattr(t, "language")),
            constraints=self.constraints(node),
            properties=tuple(doc for _, doc in properties),
        )
