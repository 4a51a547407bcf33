"""Where a contribution contradicts what the graph already states: both values and the graphs stating them.

A contribution may add facts about an existing resource, but a second value where one is expected (a
second country, place, NUTS region or title, a second name in the same language, a second value of a
property the shapes allow once) or an identity claim (`owl:sameAs`) about an existing resource
changes what others stated: such a statement is a conflict, which only a maintainer may accept.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH

from csei_graph.namespaces import CSEI, PREFIXES, compact, shorten
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm
from csei_graph.validation.report import Location, Result
from csei_graph.validation.validate import project_shapes

CONFLICT_RULE = "no-redefinition"
PREF_LABEL = ox.NamedNode(f"{PREFIXES['skos']}prefLabel")
COUNTRY = ox.NamedNode(f"{CSEI}country")
SAME_AS = ox.NamedNode(f"{PREFIXES['owl']}sameAs")
# Properties a resource has one value of, whatever the shapes say.
SINGLE_VALUED = (
    COUNTRY,
    ox.NamedNode(f"{CSEI}place"),
    ox.NamedNode(f"{CSEI}nutsRegion"),
    ox.NamedNode(f"{PREFIXES['dct']}title"),
)
_STATED = """
    SELECT ?value ?graph $node $property WHERE { GRAPH ?graph { $node $property ?value } }
    ORDER BY STR(?graph) STR(?value)
"""
_DESCRIBED = "SELECT DISTINCT ?graph $node WHERE { GRAPH ?graph { $node ?p ?o } } ORDER BY STR(?graph)"


@dataclass(frozen=True)
class Conflict:
    """A statement of a contribution that contradicts the graph, and what the graph states instead."""

    subject: ox.NamedNode
    predicate: ox.NamedNode
    value: OxTerm
    stated: tuple[tuple[OxTerm, tuple[str, ...]], ...]

    @property
    def kind(self) -> str:
        """What accepting it would do: rename, move, merge (sameAs) or add a second value."""
        if self.predicate == PREF_LABEL:
            return "rename"
        if self.predicate == COUNTRY:
            return "move"
        return "merge" if self.predicate == SAME_AS else "second value"


@cache
def single_valued() -> frozenset[ox.NamedNode]:
    """The properties that take one value: those above, and every path the shapes allow once."""
    shapes = project_shapes().graph
    once = {
        ox.NamedNode(str(path))
        for shape, count in shapes.subject_objects(SH.maxCount)
        if str(count) == "1"
        for path in shapes.objects(shape, SH.path)
        if isinstance(path, URIRef)
    }
    return frozenset(once | set(SINGLE_VALUED))


def find(store: GraphStore, quads: Sequence[ox.Quad]) -> list[Conflict]:
    """The conflicts of a contribution's statements (not yet in the store) with the graph the store holds."""
    existing: dict[OxTerm, bool] = {}

    def exists(node: OxTerm) -> bool:
        if node not in existing:
            existing[node] = (
                isinstance(node, ox.NamedNode)
                and next(iter(store.triples_matching(node, None, None)), None) is not None
            )
        return existing[node]

    found = []
    checked = single_valued() | {PREF_LABEL}
    for quad in sorted(set(quads), key=str):
        subject, predicate, value = quad.subject, quad.predicate, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if predicate == SAME_AS and subject != value and (exists(subject) or exists(value)):
            found.append(Conflict(subject, predicate, value, _described(store, subject, value)))
        elif predicate in checked and exists(subject):
            stated = _contradicted(store, subject, predicate, value)
            if stated:
                found.append(Conflict(subject, predicate, value, stated))
    return found


def _contradicted(
    store: GraphStore, subject: ox.NamedNode, predicate: ox.NamedNode, value: OxTerm
) -> tuple[tuple[OxTerm, tuple[str, ...]], ...]:
    graphs: dict[OxTerm, list[str]] = {}
    for row in store.query(_STATED, {"node": subject, "property": predicate}):  # type: ignore[union-attr]
        other = row["value"]
        if other != value and (predicate != PREF_LABEL or _same_language(other, value)):
            graphs.setdefault(other, []).append(row["graph"].value)
    return tuple((other, tuple(names)) for other, names in graphs.items())


def _same_language(one: OxTerm, other: OxTerm) -> bool:
    """Whether two names are in the same language: en, en-GB and en-US are one language."""

    def primary(term: OxTerm) -> str:
        return ((term.language if isinstance(term, ox.Literal) else None) or "").split("-")[0].lower()

    return primary(one) == primary(other)


def _described(store: GraphStore, *nodes: OxTerm) -> tuple[tuple[OxTerm, tuple[str, ...]], ...]:
    described = []
    for node in nodes:
        graphs = tuple(row["graph"].value for row in store.query(_DESCRIBED, {"node": node}))  # type: ignore[union-attr,index]
        if graphs:
            described.append((node, graphs))
    return tuple(described)


def as_results(conflicts: Sequence[Conflict], locations: Callable[[str], Location | None]) -> list[Result]:
    """The conflicts as validation results (rule `no-redefinition`), so every report shows them."""
    return [
        Result(
            severity="Violation",
            focus=conflict.subject.value,
            message=_message(conflict),
            path=shorten(conflict.predicate.value),
            value=_term(conflict.value),
            rule=CONFLICT_RULE,
            location=locations(conflict.subject.value),
        )
        for conflict in conflicts
    ]


def _message(conflict: Conflict) -> str:
    subject = f"<{conflict.subject.value}>"
    before = "; ".join(
        f"{_term(value)} (graph{'s' if len(graphs) > 1 else ''} {', '.join(f'<{g}>' for g in graphs)})"
        for value, graphs in conflict.stated
    )
    kept = " or ".join(_term(value) for value, _ in conflict.stated)
    if conflict.kind == "rename":
        return (
            f"{subject} is already named {before}; the contribution has it named {_term(conflict.value)}. "
            f"A contribution may add facts about an existing resource but not rename it: keep {kept} and "
            "give the other name as skos:altLabel, or ask the maintainers to correct it."
        )
    if conflict.kind == "move":
        return (
            f"{subject} is already in the country {before}; the contribution has it in the country "
            f"{_term(conflict.value)}. A contribution may add facts about an existing resource but not "
            f"move it: keep {kept}, or ask the maintainers to correct it."
        )
    if conflict.kind == "merge":
        return (
            f"{subject} owl:sameAs {_term(conflict.value)} would make one resource of two, and the graph "
            f"already describes {before}: only a maintainer may merge resources. Link them with "
            "skos:related or rdfs:seeAlso instead, or ask the maintainers."
        )
    return (
        f"{subject} already has {shorten(conflict.predicate.value)} {before}; the contribution gives it "
        f"{_term(conflict.value)} as well. A contribution may add facts about an existing resource but "
        f"not give it a second value of this: keep {kept}, or ask the maintainers to correct it."
    )


def _term(term: OxTerm) -> str:
    # IRIs in full and literals in quotes with any control character escaped, as the old messages did.
    return f"<{term.value}>" if isinstance(term, ox.NamedNode) else compact(term)
