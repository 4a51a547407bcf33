"""The documents of the Reconciliation Service API 0.2: the manifest, query batches and their results."""

from collections.abc import Mapping
from typing import Any

from csei_graph.namespaces import BASE, CSEI
from csei_graph.reconcile.index import Entity, Index
from csei_graph.reconcile.matcher import DEFAULT_LIMIT, Candidate, Condition, Query, QueryError, reconcile
from csei_graph.reconcile.names import local_name
from csei_graph.reconcile.vocabulary import (
    ACTOR_KIND,
    COUNTRY,
    IN_SCHEME,
    TYPES,
    TYPES_BY_ID,
)

SERVICE_NAME = "CSEI graph"
VERSIONS = ["0.2"]
MOST_QUERIES = 100
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 160
QUERY_FIELDS = {"query", "type", "limit", "properties", "type_strict"}
DESCRIBED_BY = (COUNTRY, ACTOR_KIND, IN_SCHEME)

Document = dict[str, Any]


def manifest(service_url: str) -> Document:
    """The service manifest, for a service answering at `service_url` (`http://host/reconcile`)."""
    service_url = service_url.rstrip("/")
    return {
        "versions": VERSIONS,
        "name": SERVICE_NAME,
        "identifierSpace": f"{BASE}id/",
        "schemaSpace": str(CSEI),
        "view": {"url": f"{service_url}/view?id={{{{id}}}}"},
        "preview": {
            "url": f"{service_url}/preview?id={{{{id}}}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "defaultTypes": [{"id": t.id, "name": t.name} for t in TYPES],
        "suggest": {
            kind: {"service_url": service_url, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": service_url, "service_path": "/extend/propose"},
            "property_settings": [],
        },
    }


def parse_queries(document: object) -> dict[str, Query]:
    """A query batch (`{"q0": {"query": ...}, ...}`) as queries; QueryError says what is wrong where."""
    if not isinstance(document, Mapping):
        raise QueryError('the queries must be a JSON object: {"q0": {"query": "a name"}, ...}')
    if len(document) > MOST_QUERIES:
        raise QueryError(f"the batch has {len(document)} queries: send at most {MOST_QUERIES} at once")
    queries = {}
    for key, asked in document.items():
        try:
            queries[str(key)] = _query(asked)
        except QueryError as error:
            raise QueryError(f"{key}: {error}") from None
    return queries


def _query(asked: object) -> Query:
    if not isinstance(asked, Mapping):
        raise QueryError('a query is an object such as {"query": "a name", "type": "..."}')
    unknown = sorted(set(asked) - QUERY_FIELDS)
    if unknown:
        raise QueryError(f"unknown field {unknown[0]!r}: a query has {', '.join(sorted(QUERY_FIELDS))}")
    text = asked.get("query", "")
    if not isinstance(text, str):
        raise QueryError("query must be a string")
    types = asked.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise QueryError("type must be a type's id or a list of them")
    return Query(
        text=text,
        types=tuple(types),
        type_strict=_text(asked.get("type_strict", "any"), "type_strict"),
        conditions=tuple(_condition(c) for c in _list(asked.get("properties", []), "properties")),
        limit=_limit(asked.get("limit")),
    )


def _condition(asked: object) -> Condition:
    if not isinstance(asked, Mapping) or not isinstance(asked.get("pid"), str) or "v" not in asked:
        raise QueryError('a property condition is an object such as {"pid": "...", "v": "FRA"}')
    given = asked["v"] if isinstance(asked["v"], list) else [asked["v"]]
    return Condition(asked["pid"], tuple(_property_value(v) for v in given))


def _property_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    raise QueryError('a property value is a string, a number, a boolean or {"id": "..."}')


def _list(value: object, name: str) -> list[object]:
    if not isinstance(value, list):
        raise QueryError(f"{name} must be a list")
    return value


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{name} must be a string")
    return value


def _limit(value: object) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise QueryError("limit must be a whole number")
    return int(value)


def answer_queries(index: Index, queries: Mapping[str, Query]) -> Document:
    """The result batch: for each query's key, its candidates, best first."""
    return {
        key: {"result": [candidate_document(index, c) for c in reconcile(index, query)]}
        for key, query in queries.items()
    }


def candidate_document(index: Index, candidate: Candidate) -> Document:
    """A candidate as the protocol gives it, with its features (the scores it was ranked by)."""
    features = [] if candidate.name_score is None else [{"id": "name", "value": candidate.name_score}]
    features += [{"id": local_name(prop), "value": score} for prop, score in candidate.conditions]
    return {
        **entity_summary(index, candidate.entity),
        "score": candidate.score,
        "match": candidate.match,
        "features": features,
    }


def entity_summary(index: Index, entity: Entity) -> Document:
    """An entity's id, name, types and (when the graph says something to tell namesakes apart)
    description."""
    summary: Document = {"id": entity.iri, "name": entity.name, "type": type_documents(entity)}
    described = describe(index, entity)
    if described:
        summary["description"] = described
    return summary


def type_documents(entity: Entity) -> list[Document]:
    """The offered types an entity has, by id and name."""
    return [{"id": t, "name": TYPES_BY_ID[t].name} for t in entity.types]


def describe(index: Index, entity: Entity) -> str:
    """A short line that tells namesakes apart: country, kind of actor, concept scheme."""
    parts = [index.value_name(v) for prop in DESCRIBED_BY for v in entity.values.get(prop, ())]
    return ", ".join(parts)
