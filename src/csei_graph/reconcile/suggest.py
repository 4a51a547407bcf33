"""The suggest services of the protocol: entities, types and properties whose names start as typed."""

import itertools
from collections.abc import Iterator

from csei_graph.reconcile.index import Index
from csei_graph.reconcile.names import fold
from csei_graph.reconcile.protocol import Document, entity_summary
from csei_graph.reconcile.vocabulary import PROPERTIES, TYPES, TYPES_BY_ID

SUGGESTIONS = 10
MOST_CURSOR = 1000


def suggest_entities(index: Index, prefix: str, types: tuple[str, ...] = (), cursor: int = 0) -> Document:
    """Entities whose name starts with `prefix` (folded), then those with a word starting so.

    Optionally only entities of one of `types`; `cursor` skips that many (paging).
    """
    key = fold(prefix)
    cursor = min(max(cursor, 0), MOST_CURSOR)
    found: list[Document] = []
    if key:
        for position in _positions(index, key):
            entity = index.entities[position]
            if types and not set(types) & set(entity.types):
                continue
            if cursor:
                cursor -= 1
                continue
            summary = entity_summary(index, entity)
            summary["notable"] = summary.pop("type")
            found.append(summary)
            if len(found) == SUGGESTIONS:
                break
    return {"result": found}


def _positions(index: Index, key: str) -> Iterator[int]:
    """Entities named by a name starting with `key`, then by a name with a word starting so; once each."""
    seen: set[int] = set()
    for name in itertools.chain(index.names_starting(key), _word_names(index, key)):
        for position, _ in sorted(index.named(name), key=lambda item: index.entities[item[0]].iri):
            if position not in seen:
                seen.add(position)
                yield position


def _word_names(index: Index, key: str) -> Iterator[str]:
    # Only the last word is being typed: earlier words must be in the name as they are.
    *typed, last = key.split()
    for name in index.names_with_word_starting(last):
        if all(word in name.split() for word in typed):
            yield name


def suggest_types(prefix: str) -> Document:
    """The offered types whose name (or id) starts with `prefix`, or has a word starting so."""
    return {"result": [_named(t.id, t.name, t.description) for t in TYPES if _fits(prefix, t.name, t.id)]}


def suggest_properties(prefix: str, entity_type: str | None = None) -> Document:
    """The offered properties whose name (or id) fits `prefix`; only those of `entity_type` if given."""
    fitting = [
        _named(p.id, p.name, p.description)
        for p in PROPERTIES
        if _fits(prefix, p.name, p.id) and (entity_type not in TYPES_BY_ID or entity_type in p.types)
    ]
    return {"result": fitting}


def _fits(prefix: str, name: str, identifier: str) -> bool:
    key, folded = fold(prefix), fold(name)
    if not key or identifier == prefix or folded.startswith(key):
        return True
    return any(word.startswith(key) for word in folded.split())


def _named(identifier: str, name: str, description: str) -> Document:
    return {"id": identifier, "name": name, "description": description}
