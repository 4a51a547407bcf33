"""The validator is wired right (it takes the protocol's valid examples and refuses its invalid ones), and
every document the service makes validates against the schema of its kind."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from csei_graph.reconcile import Index, QueryError
from csei_graph.reconcile.extend import extend, parse_extension, propose_properties
from csei_graph.reconcile.protocol import answer_queries, manifest, parse_queries
from csei_graph.reconcile.suggest import suggest_entities, suggest_properties, suggest_types
from csei_graph.reconcile.vocabulary import PROPERTIES

from .conftest import ACTOR_KIND, CLUSTER, COUNTRY, ID, ORGANISATION, PROTOCOL, WEBSITE

EXAMPLES = sorted((PROTOCOL / "examples").glob("*/*/*.json"))
WITH_SCHEMA = [p for p in EXAMPLES if (PROTOCOL / "schemas" / f"{p.parts[-3]}.json").exists()]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_examples_are_there() -> None:
    assert len(WITH_SCHEMA) >= 40
    assert {p.parts[-2] for p in WITH_SCHEMA} == {"valid", "invalid"}


@pytest.mark.parametrize("example", WITH_SCHEMA, ids=lambda p: "/".join(p.parts[-3:]))
def test_the_validator_takes_valid_examples_and_refuses_invalid_ones(
    example: Path, validator: Callable[[str], Draft7Validator]
) -> None:
    valid = validator(example.parts[-3]).is_valid(_load(example))
    assert valid == (example.parts[-2] == "valid")


# The examples speak of another service's types and properties: ours stand in for them.
OURS = {
    "DifferentiatedPerson": ORGANISATION,
    "professionOrOccupation": ACTOR_KIND,
    "affiliation": COUNTRY,
    "uid": WEBSITE,
}


def _ours(document: object) -> object:
    text = json.dumps(document)
    for theirs, ours in OURS.items():
        text = text.replace(f'"{theirs}"', f'"{ours}"')
    return json.loads(text)


@pytest.mark.parametrize(
    "example",
    sorted((PROTOCOL / "examples" / "reconciliation-query-batch").glob("*/*.json")),
    ids=lambda p: "/".join(p.parts[-2:]),
)
def test_the_service_reads_the_query_batches_the_protocol_allows_and_only_those(
    example: Path, index: Index, check: Callable[[str, object], None]
) -> None:
    document = _ours(_load(example))
    if example.parts[-2] == "invalid":
        with pytest.raises(QueryError):
            parse_queries(document)
        return
    check("reconciliation-result-batch", answer_queries(index, parse_queries(document)))


def test_the_manifest_validates(check: Callable[[str, object], None]) -> None:
    check("manifest", manifest("http://127.0.0.1:8000/reconcile"))


QUERIES = {
    "exact": {"query": "groupe archer"},
    "typed": {"query": "Maison de l'Economie Solidaire", "type": ORGANISATION, "limit": 3},
    "conditions": {
        "query": "maison de l economie solidaire",
        "type": [ORGANISATION, CLUSTER],
        "type_strict": "any",
        "properties": [
            {"pid": COUNTRY, "v": "BEL"},
            {"pid": ACTOR_KIND, "v": [{"id": f"{ID}concept/actor-kind/civil-society-organisation"}, "x"]},
        ],
    },
    "fuzzy": {"query": "Europan Comission"},
    "nothing": {"query": "zzzz qqqq"},
    "by property only": {"properties": [{"pid": COUNTRY, "v": "Poland"}], "type": ORGANISATION},
}


def test_results_of_every_kind_of_query_validate(index: Index, check: Callable[[str, object], None]) -> None:
    results = answer_queries(index, parse_queries(QUERIES))
    check("reconciliation-result-batch", results)
    assert set(results) == set(QUERIES)
    assert results["nothing"] == {"result": []}


@pytest.mark.parametrize("prefix", ["", "m", "Maison de l", "europ", "zzz", "ÉCONOMIE"])
def test_entity_suggestions_validate(index: Index, prefix: str, check: Callable[[str, object], None]) -> None:
    check("suggest-entities-response", suggest_entities(index, prefix))
    check("suggest-entities-response", suggest_entities(index, prefix, (ORGANISATION,), cursor=2))


@pytest.mark.parametrize("prefix", ["", "org", "c", "zzz"])
def test_type_and_property_suggestions_validate(prefix: str, check: Callable[[str, object], None]) -> None:
    check("suggest-types-response", suggest_types(prefix))
    check("suggest-properties-response", suggest_properties(prefix))
    check("suggest-properties-response", suggest_properties(prefix, ORGANISATION))


def test_extension_documents_validate(index: Index, check: Callable[[str, object], None]) -> None:
    check("data-extension-property-proposal", propose_properties())
    check("data-extension-property-proposal", propose_properties(ORGANISATION, 2))
    asked = {"ids": [f"{ID}organisation/maison-de-l-economie-solidaire-lyon", f"{ID}organisation/nowhere"]}
    asked["properties"] = [{"id": p.id} for p in PROPERTIES]
    check("data-extension-query", asked)
    check("data-extension-response", extend(index, *parse_extension(asked)))
