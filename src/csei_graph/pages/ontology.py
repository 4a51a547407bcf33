"""The documentation of the ontology: its metadata, every class and property in hierarchy order.

Template `ontology.html`. Read from the store's ontology graph, with how often the data uses each term.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS

from csei_graph.namespaces import ONTOLOGY_IRI
from csei_graph.pages import paths
from csei_graph.pages.listing import CLASS_COUNTS
from csei_graph.pages.model import Alternate, Link, PropertyRow, Value
from csei_graph.pages.reader import Reader
from csei_graph.pages.resource import alternates, description, node_facts
from csei_graph.pages.vocabulary import DESCRIPTION_PREDICATES, local_name
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

EXAMPLES_SHOWN = 3


@dataclass(frozen=True)
class Example:
    """A use of an ontology term in the data: an instance of a class, or a subject and its value."""

    subject: Link
    value: Value | None = None


@dataclass(frozen=True)
class TermDoc:
    """The documentation of one class or property of the ontology."""

    link: Link
    anchor: str
    kind: str
    definition: str
    depth: int
    parents: tuple[Link, ...]
    children: tuple[Link, ...]
    domains: tuple[Link, ...]
    ranges: tuple[Link, ...]
    inverses: tuple[Link, ...]
    uses: int
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class OntologyView:
    """The documentation of the ontology: metadata, every class and property."""

    template: ClassVar[str] = "ontology.html"

    path: str
    iri: str
    title: str
    description: str
    metadata: tuple[PropertyRow, ...]
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]
    alternates: tuple[Alternate, ...]


TERM_KINDS = {
    str(OWL.Class): "Class",
    str(RDFS.Class): "Class",
    str(OWL.ObjectProperty): "Object property",
    str(OWL.DatatypeProperty): "Datatype property",
    str(OWL.AnnotationProperty): "Annotation property",
    str(RDF.Property): "Property",
}
ONTOLOGY_FACTS = "SELECT ?og ?t ?p ?o WHERE { GRAPH ?og { ?t ?p ?o } }"
UNION_MEMBERS = "SELECT ?og ?b ?m WHERE { GRAPH ?og { ?b owl:unionOf/rdf:rest*/rdf:first ?m } }"
PROPERTY_USES = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"""
CLASS_EXAMPLES = (
    f"SELECT DISTINCT ?class ?x WHERE {{ ?x a ?class FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT {EXAMPLES_SHOWN}"
)
PROPERTY_EXAMPLES = (
    f"SELECT DISTINCT ?p ?s ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s)) }} ORDER BY ?s ?o LIMIT {EXAMPLES_SHOWN}"
)


def ontology_view(store: Store, settings: Settings | None = None) -> OntologyView | None:
    """The documentation of the ontology in the store's ontology graph, or None when it holds none."""
    reader = Reader(store, settings)
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    facts: dict[str, dict[str, list[OxTerm]]] = defaultdict(lambda: defaultdict(list))
    for row in reader.query(ONTOLOGY_FACTS, og=ontology):
        facts[str(row["t"])][row["p"].value].append(row["o"])
    if not facts:
        return None
    unions: dict[str, list[OxTerm]] = defaultdict(list)
    for row in reader.query(UNION_MEMBERS, og=ontology):
        unions[str(row["b"])].append(row["m"])
    kinds = {
        term: TERM_KINDS[min(k.value for k in described[str(RDF.type)] if k.value in TERM_KINDS)]
        for term, described in facts.items()
        if term.startswith("<") and any(k.value in TERM_KINDS for k in described.get(str(RDF.type), []))
    }
    instance_counts = {row["class"].value: int(row["n"].value) for row in reader.query(CLASS_COUNTS)}
    property_uses = {row["p"].value: int(row["n"].value) for row in reader.query(PROPERTY_USES)}
    documents = _TermDocuments(reader, facts, unions, instance_counts, property_uses)
    classes = [t for t, k in kinds.items() if k == "Class"]
    properties = [t for t, k in kinds.items() if k != "Class"]
    header = node_facts(reader, ontology, depth=0)
    return OntologyView(
        path=paths.ONTOLOGY_PAGE,
        iri=ONTOLOGY_IRI,
        title=reader.label(ontology),
        description=description(header.triples),
        metadata=tuple(r for r in header.rows if r.property.iri != str(RDF.type)),
        classes=documents.tree(classes, str(RDFS.subClassOf), kinds),
        properties=documents.tree(properties, str(RDFS.subPropertyOf), kinds),
        alternates=alternates("ontology"),
    )


class _TermDocuments:
    """Builds the documentation of ontology terms from the ontology graph's facts."""

    def __init__(
        self,
        reader: Reader,
        facts: dict[str, dict[str, list[OxTerm]]],
        unions: dict[str, list[OxTerm]],
        instance_counts: dict[str, int],
        property_uses: dict[str, int],
    ) -> None:
        self.reader = reader
        self.facts = facts
        self.unions = unions
        self.instance_counts = instance_counts
        self.property_uses = property_uses

    def tree(self, terms: list[str], parent_property: str, kinds: dict[str, str]) -> tuple[TermDoc, ...]:
        """The terms in hierarchy order: each after its parent, siblings by label."""
        documented = set(terms)
        children: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            parents = {str(p) for p in self.facts[term].get(parent_property, [])} & documented - {term}
            for parent in parents or {""}:
                children[parent].append(term)
        ordered: list[tuple[str, int]] = []
        placed: set[str] = set()

        def walk(parent: str, depth: int) -> None:
            for term in sorted(children.get(parent, []), key=self._order):
                if term not in placed:
                    placed.add(term)
                    ordered.append((term, depth))
                    walk(term, depth + 1)

        walk("", 0)
        ordered += [(t, 0) for t in sorted(documented - placed, key=self._order)]
        return tuple(
            self.document(term, depth, kinds[term], parent_property, children) for term, depth in ordered
        )

    def _order(self, term: str) -> tuple[str, str]:
        return (self.reader.label(ox.NamedNode(term[1:-1])).casefold(), term)

    def _links(self, terms: Iterable[OxTerm]) -> tuple[Link, ...]:
        expanded: list[OxTerm] = []
        for term in terms:
            expanded.extend(self.unions.get(str(term), [term]) if isinstance(term, ox.BlankNode) else [term])
        return self.reader.links(t for t in expanded if isinstance(t, ox.NamedNode))

    def document(
        self, term: str, depth: int, kind: str, parent_property: str, children: dict[str, list[str]]
    ) -> TermDoc:
        node = ox.NamedNode(term[1:-1])
        described = self.facts[term]
        definitions = [
            o.value for p in DESCRIPTION_PREDICATES for o in described.get(p, []) if isinstance(o, ox.Literal)
        ]
        is_class = kind == "Class"
        return TermDoc(
            link=self.reader.link(node),
            anchor=local_name(node.value),
            kind=kind,
            definition=definitions[0] if definitions else "",
            depth=depth,
            parents=self._links(described.get(parent_property, [])),
            children=self._links(ox.NamedNode(c[1:-1]) for c in children.get(term, [])),
            domains=self._links(described.get(str(RDFS.domain), [])),
            ranges=self._links(described.get(str(RDFS.range), [])),
            inverses=self._links(described.get(str(OWL.inverseOf), [])),
            uses=(self.instance_counts if is_class else self.property_uses).get(node.value, 0),
            examples=self._examples(node, is_class),
        )

    def _examples(self, node: ox.NamedNode, is_class: bool) -> tuple[Example, ...]:
        if is_class:
            rows = self.reader.query(CLASS_EXAMPLES, **{"class": node})
            return tuple(Example(self.reader.link(row["x"])) for row in rows)
        examples = []
        for row in self.reader.query(PROPERTY_EXAMPLES, p=node):
            obj = row["o"]
            value = (
                self.reader.literal_value(obj)
                if isinstance(obj, ox.Literal)
                else Value(self.reader.label(obj), link=self.reader.link(obj))
            )
            examples.append(Example(self.reader.link(row["s"]), value))
        return tuple(examples)
