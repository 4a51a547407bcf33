"""The shapes' walks on a store: the nodes a change reaches back to, the triples a node's checks read."""

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm
from csei_graph.validation.tries import END, Trie, crossed


def used_as_predicate(store: GraphStore, node: OxTerm) -> bool:
    """Whether some triple of the store has this node as its predicate."""
    return (
        isinstance(node, ox.NamedNode)
        and next(iter(store.triples_matching(None, node, None)), None) is not None
    )


def _step_predicate(predicate: str | None) -> ox.NamedNode | None:
    return None if predicate is None else ox.NamedNode(predicate)


def readers(store: GraphStore, changes: Sequence[ox.Quad], back: Trie, limit: int) -> set[OxTerm] | None:
    """The nodes from which a walk reaches a changed triple: None when there are too many to focus.

    From the node where a step reads the triple, the walk is followed back to its start.
    """
    affected: set[OxTerm] = {q.subject for q in changes}
    states = [
        (node, back[step])
        for quad in changes
        for forward, node in ((True, quad.subject), (False, quad.object))
        for step in ((forward, quad.predicate.value), (forward, None))
        if step in back
    ]
    seen: set[tuple[OxTerm, int]] = set()
    while states:
        node, tail = states.pop()
        if (node, id(tail)) in seen:
            continue
        seen.add((node, id(tail)))
        if END in tail:  # a literal too: sh:targetObjectsOf can make it a focus node
            affected.add(node)
            if len(affected) > limit:
                return None
        for step, rest in tail.items():
            if step != END:
                states.extend((other, rest) for other in _before(store, node, step))
        if len(seen) > 50 * limit:
            return None
    return affected


def _before(store: GraphStore, node: OxTerm, step: tuple[bool, str | None]) -> list[OxTerm]:
    """The nodes a step leads from to this one."""
    forward, predicate = step
    # Index lookups, not queries: a contribution reaches a few thousand nodes, and a query's start-up
    # costs ten times a lookup.
    if forward:
        return [t.subject for t in store.triples_matching(None, _step_predicate(predicate), node)]  # type: ignore[arg-type]
    if isinstance(node, ox.Literal):
        return []
    return [t.object for t in store.triples_matching(node, _step_predicate(predicate), None)]  # type: ignore[arg-type]


def read_by(store: GraphStore, nodes: set[OxTerm], walks: Trie) -> list[ox.Triple]:
    """The triples the checks of these nodes read: those their walks cross."""

    def step(
        node: OxTerm, forward: bool, predicate: str | None, _onward: bool
    ) -> Iterator[tuple[ox.Triple, OxTerm]]:
        if forward and isinstance(node, ox.Literal):
            return
        if forward:
            for triple in store.triples_matching(node, _step_predicate(predicate), None):  # type: ignore[arg-type]
                yield triple, triple.object  # type: ignore[misc]
        else:
            for triple in store.triples_matching(None, _step_predicate(predicate), node):  # type: ignore[arg-type]
                yield triple, triple.subject  # type: ignore[misc]

    return list(crossed(nodes, walks, step))
