"""The whole graph indexed in memory, for publishing every page at once: one pass over the quads.

`IndexedReader` answers a page's reads (facts, incoming links, labels, graph descriptions, classes)
from a `GraphIndex` instead of querying the store page by page; the answers are the same, so a page
is the same whichever reader made it.
"""

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from csei_graph.pages import paths
from csei_graph.pages.bounds import boundary, is_chosen
from csei_graph.pages.reader import Counts, Fact, Reader
from csei_graph.pages.vocabulary import (
    ALT_LABEL,
    INVERSE_OF,
    LABEL_PREDICATES,
    RDF_TYPE,
    SUBCLASS_OF,
    FacetDefinition,
    LabelRank,
    label_rank,
)
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

Node = ox.NamedNode | ox.BlankNode


class GraphIndex:
    """Every quad of a graph by subject and by object, the best label of every node, and its classes."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.outgoing: dict[Node, list[Fact]] = defaultdict(list)
        self.incoming: dict[Node, list[tuple[Node, ox.NamedNode]]] = defaultdict(list)
        self.graphs: set[str] = set()
        self.predicates: set[str] = set()
        # For each IRI, the sum of the hashes of the quads it is the subject or object of (quads with
        # a blank node apart, in `blank_quads`: a blank node's label is not the same from load to load).
        self.touches: dict[ox.NamedNode, int] = defaultdict(int)
        self.blank_quads: list[ox.Quad] = []
        best: dict[Node, LabelRank] = {}
        label_predicates = frozenset(LABEL_PREDICATES)
        graph_names: dict[ox.NamedNode | ox.DefaultGraph, str | None] = {}
        for quad in quads:
            subject, predicate, obj, graph = quad.subject, quad.predicate, quad.object, quad.graph_name
            if graph in graph_names:
                graph_name = graph_names[graph]
            else:
                graph_name = graph_names[graph] = None if isinstance(graph, ox.DefaultGraph) else graph.value
            self.outgoing[subject].append((predicate, obj, graph_name))
            predicate_iri = predicate.value
            literal = isinstance(obj, ox.Literal)
            if literal:
                if predicate_iri in label_predicates:
                    rank = label_rank(predicate_iri, obj)
                    if subject not in best or rank < best[subject]:
                        best[subject] = rank
            else:
                self.incoming[obj].append((subject, predicate))
            if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
                self.blank_quads.append(quad)
            else:
                # The engine's hash of a quad: the same from process to process for one version of it.
                statement = hash(quad)
                self.touches[subject] += statement  # type: ignore[index]
                if not literal:
                    self.touches[obj] += statement  # type: ignore[index]
            self.predicates.add(predicate_iri)
        self.graphs = {name for name in graph_names.values() if name is not None}
        self.outgoing.default_factory = None
        self.incoming.default_factory = None
        self.touches.default_factory = None
        self.labels = {str(node): rank[2] for node, rank in best.items()}
        self._classes: dict[str, int] | None = None
        self._members: dict[str, set[Node]] = {}
        self._facet_values: dict[tuple[Node, str], frozenset[OxTerm]] = {}
        self._inverses: dict[str, str] | None = None

    def facts_with(self, predicate: str) -> list[tuple[Node, OxTerm]]:
        """(subject, object) of every fact with a predicate (a scan: for the few the pages need)."""
        return [
            (subject, obj)
            for subject, facts in self.outgoing.items()
            for p, obj, _ in facts
            if p.value == predicate
        ]

    def instance_counts(self) -> dict[str, int]:
        """How many instances each class has, its subclasses' included (`rdfs:subClassOf*`)."""
        if self._classes is None:
            direct: dict[str, set[Node]] = defaultdict(set)
            for subject, kind in self.facts_with(RDF_TYPE):
                if isinstance(kind, ox.NamedNode):
                    direct[kind.value].add(subject)
            parents: dict[str, set[str]] = defaultdict(set)
            for child, parent in self.facts_with(SUBCLASS_OF):
                if isinstance(child, ox.NamedNode) and isinstance(parent, ox.NamedNode):
                    parents[child.value].add(parent.value)
            members: dict[str, set[Node]] = defaultdict(set)
            for kind, instances in direct.items():
                for ancestor in _ancestors(kind, parents):
                    members[ancestor] |= instances
            self._members = dict(members)
            self._classes = {kind: len(found) for kind, found in members.items()}
        return self._classes

    def members(self, kind: str) -> set[Node]:
        """The instances of a class, its subclasses' included."""
        self.instance_counts()
        return self._members.get(kind, set())

    def facet_values(self, node: Node, facet: FacetDefinition) -> frozenset[OxTerm]:
        """The values of a facet for a node: one of its steps, then its closure any number of times."""
        key = (node, facet.name)
        if key not in self._facet_values:
            found = [o for p, o, _ in self.outgoing.get(node, ()) if p.value in facet.steps]
            if facet.closure:
                pending = list(found)
                while pending:
                    for p, o, _ in self.outgoing.get(pending.pop(), ()):  # type: ignore[arg-type]
                        if p.value == facet.closure and o not in found:
                            found.append(o)
                            pending.append(o)
            self._facet_values[key] = frozenset(found)
        return self._facet_values[key]

    def inverse_properties(self) -> dict[str, str]:
        """For each property with a declared inverse, the inverse (the smallest IRI when several)."""
        if self._inverses is None:
            inverses: dict[str, str] = {}
            for first, second in self.facts_with(INVERSE_OF):
                if isinstance(first, ox.NamedNode) and isinstance(second, ox.NamedNode):
                    for p, inverse in ((first.value, second.value), (second.value, first.value)):
                        inverses[p] = min(inverse, inverses.get(p, "~"))
            self._inverses = inverses
        return self._inverses

    def is_mentioned(self, iri: str) -> bool:
        """True when the IRI is a subject, predicate, object or graph name of some quad."""
        node = ox.NamedNode(iri)
        return node in self.outgoing or node in self.incoming or iri in self.predicates or iri in self.graphs

    def types_of(self, node: Node) -> set[str]:
        """The IRIs of the classes a node is stated to be an instance of."""
        return {
            o.value
            for p, o, _ in self.outgoing.get(node, ())
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)
        }

    def iris(self) -> set[str]:
        """Every IRI of the graph: subjects, predicates, objects and graph names."""
        named = {n.value for n in (*self.outgoing, *self.incoming) if isinstance(n, ox.NamedNode)}
        return named | self.predicates | self.graphs


def _ancestors(kind: str, parents: dict[str, set[str]]) -> set[str]:
    found = {kind}
    pending = [kind]
    while pending:
        for parent in parents.get(pending.pop(), ()):
            if parent not in found:
                found.add(parent)
                pending.append(parent)
    return found


class IndexedReader(Reader):
    """A reader that answers from a `GraphIndex` of the store instead of querying it page by page."""

    def __init__(self, store: Store, index: GraphIndex, settings: Settings | None = None) -> None:
        super().__init__(store, settings)
        self.index = index
        # (class, facet) -> the class's members grouped by their values of the facet: a publish writes
        # a listing for every value, which then reads its members instead of filtering the class.
        self._members_by_value: dict[tuple[str, str], dict[str, list[OxTerm]]] = {}

    def _find_label(self, key: str, term: OxTerm) -> str | None:
        return self.index.labels.get(key)

    def outgoing(self, node: Node, shown: int) -> tuple[list[Fact], Counts]:
        facts = self.index.outgoing.get(node, [])
        objects: dict[str, dict[OxTerm, None]] = defaultdict(dict)
        for predicate, obj, _ in facts:
            objects[predicate.value][obj] = None
        bounds = {p: boundary(found, shown) for p, found in objects.items() if len(found) > shown}
        if bounds:
            facts = [fact for fact in facts if is_chosen(fact[1], bounds.get(fact[0].value))]
        return facts, {predicate: len(found) for predicate, found in objects.items()}

    def incoming(self, node: ox.NamedNode, shown: int) -> tuple[dict[str, list[OxTerm]], Counts]:
        subjects: dict[str, dict[Node, None]] = defaultdict(dict)
        for subject, predicate in self.index.incoming.get(node, ()):
            subjects[predicate.value][subject] = None
        counts = {predicate: len(found) for predicate, found in subjects.items()}
        chosen: dict[str, list[OxTerm]] = {}
        for predicate, found in subjects.items():
            bound = boundary(found, shown)
            chosen[predicate] = [s for s in found if is_chosen(s, bound)]
        return chosen, counts

    def graph_facts(self, graph: str) -> dict[str, list[OxTerm]]:
        facts: dict[str, list[OxTerm]] = defaultdict(list)
        for predicate, obj, _ in self.index.outgoing.get(ox.NamedNode(graph), ()):
            facts[predicate.value].append(obj)
        return dict(facts)

    def inverse_properties(self) -> dict[str, str]:
        return self.index.inverse_properties()

    def is_in_graph(self, iri: str) -> bool:
        return self.index.is_mentioned(iri)

    def instance_count(self, iri: str) -> int:
        return self.index.instance_counts().get(iri, 0)

    def class_members(self, iri: str, facet: FacetDefinition | None = None, value: str = "") -> list[OxTerm]:
        if facet is None:
            return list(self.index.members(iri))
        return list(self._grouped_members(iri, facet).get(value, ()))

    def _grouped_members(self, iri: str, facet: FacetDefinition) -> dict[str, list[OxTerm]]:
        """The members of a class by the IRIs of their values of a facet (each under all its values)."""
        key = (iri, facet.name)
        if key not in self._members_by_value:
            grouped: dict[str, list[OxTerm]] = defaultdict(list)
            for member in self.index.members(iri):
                for found in self.index.facet_values(member, facet):
                    if isinstance(found, ox.NamedNode):
                        grouped[found.value].append(member)
            self._members_by_value[key] = dict(grouped)
        return self._members_by_value[key]

    def facet_counts(
        self, iri: str, facet: FacetDefinition, selected: FacetDefinition | None = None, value: str = ""
    ) -> dict[ox.NamedNode, int]:
        counts: dict[ox.NamedNode, int] = defaultdict(int)
        for member in self.class_members(iri, selected, value):
            for found in self.index.facet_values(member, facet):  # type: ignore[arg-type]
                if isinstance(found, ox.NamedNode) and (
                    not facet.value_class or facet.value_class in self.index.types_of(found)
                ):
                    counts[found] += 1
        return dict(counts)

    def all_names(self) -> dict[str, list[str]]:
        named = (*LABEL_PREDICATES, ALT_LABEL)
        names: dict[str, list[str]] = defaultdict(list)
        for subject, facts in self.index.outgoing.items():
            if isinstance(subject, ox.NamedNode):
                for predicate, obj, _ in facts:
                    if isinstance(obj, ox.Literal) and predicate.value in named:
                        names[subject.value].append(obj.value)
        return names

    def all_types(self) -> dict[str, set[str]]:
        types: dict[str, set[str]] = defaultdict(set)
        for subject, kind in self.index.facts_with(RDF_TYPE):
            if isinstance(subject, ox.NamedNode) and isinstance(kind, ox.NamedNode):
                types[subject.value].add(kind.value)
        return types

    def describe(self, iri: str) -> list[ox.Quad]:
        subject = ox.NamedNode(iri)
        found: set[ox.Quad] = set()
        pending: list[Node] = [subject]
        seen: set[Node] = {subject}
        default = ox.DefaultGraph()
        while pending:
            node = pending.pop()
            for predicate, obj, _ in self.index.outgoing.get(node, ()):
                found.add(ox.Quad(node, predicate, obj, default))
                if isinstance(obj, ox.BlankNode) and obj not in seen:
                    seen.add(obj)
                    pending.append(obj)
        for source, predicate in self.index.incoming.get(subject, ()):
            found.add(ox.Quad(source, predicate, subject, default))
        return list(found)

    def resource_iris(self) -> list[str]:
        return sorted(iri for iri in self.index.iris() if paths.document_stem(iri, self.base) is not None)
