"""Data extension: the properties proposed for a type, and their values for reconciled entities."""

from collections.abc import Mapping

from csei_graph.reconcile.index import Index
from csei_graph.reconcile.matcher import QueryError
from csei_graph.reconcile.protocol import Document
from csei_graph.reconcile.vocabulary import PROPERTIES, PROPERTIES_BY_ID, TYPES_BY_ID, Property

MOST_IDS = 1000
MOST_VALUES = 50


def propose_properties(entity_type: str | None = None, limit: int | None = None) -> Document:
    """The properties that can be fetched for entities of a type (all of them without a known type)."""
    offered = [p for p in PROPERTIES if entity_type not in TYPES_BY_ID or entity_type in p.types]
    if limit is not None:
        offered = offered[: max(limit, 0)]
    proposal: Document = {
        "properties": [{"id": p.id, "name": p.name, "description": p.description} for p in offered]
    }
    if entity_type:
        proposal["type"] = entity_type
    if limit is not None:
        proposal["limit"] = limit
    return proposal


def parse_extension(document: object) -> tuple[list[str], list[Property]]:
    """The ids and properties of a data extension query; QueryError says what is wrong."""
    if not isinstance(document, Mapping):
        raise QueryError('the extension query must be a JSON object: {"ids": [...], "properties": [...]}')
    ids, asked = document.get("ids"), document.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise QueryError("ids must be a list of entity IRIs")
    if len(ids) > MOST_IDS:
        raise QueryError(f"{len(ids)} ids: ask for at most {MOST_IDS} at once")
    if not isinstance(asked, list) or not all(isinstance(p, Mapping) and "id" in p for p in asked):
        raise QueryError('properties must be a list such as [{"id": "..."}]')
    properties = []
    for prop in asked:
        if prop["id"] not in PROPERTIES_BY_ID:
            raise QueryError(f"unknown property {prop['id']!r}: use one of {', '.join(PROPERTIES_BY_ID)}")
        properties.append(PROPERTIES_BY_ID[prop["id"]])
    return ids, properties


def extend(index: Index, ids: list[str], properties: list[Property]) -> Document:
    """The values of each property for each entity (none for an IRI the graph does not describe)."""
    meta = []
    for prop in properties:
        described: Document = {"id": prop.id, "name": prop.name}
        if prop.value_type:
            described["type"] = {"id": prop.value_type, "name": TYPES_BY_ID[prop.value_type].name}
        meta.append(described)
    rows: Document = {}
    for iri in ids:
        entity = index.entity(iri)
        values = entity.values if entity is not None else {}
        rows[iri] = {prop.id: _values(index, prop, values.get(prop.id, ())) for prop in properties}
    return {"meta": meta, "rows": rows}


def _values(index: Index, prop: Property, values: tuple[str, ...]) -> list[Document]:
    if prop.kind == "web":
        return [{"str": value} for value in values[:MOST_VALUES]]
    return [{"id": value, "name": index.value_name(value)} for value in values[:MOST_VALUES]]
