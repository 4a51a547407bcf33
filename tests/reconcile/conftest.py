"""The reconciliation tests' graph (the built-in one and namesakes), its index, and the protocol's schemas."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from csei_graph.api import open_graph
from csei_graph.reconcile import Index, build_index

# The protocol's schemas and examples, copied unmodified (tests/conformance/reconciliation-api-0.2);
# CSEI_RECONCILIATION_SCHEMAS points at another copy.
PROTOCOL = Path(
    os.environ.get(
        "CSEI_RECONCILIATION_SCHEMAS",
        Path(__file__).resolve().parents[1] / "conformance" / "reconciliation-api-0.2",
    )
)
ID = "https://w3id.org/csei/id/"
ORGANISATION = "http://www.w3.org/ns/org#Organization"
CLUSTER = "https://w3id.org/csei/ontology#Cluster"
COUNTRY = "https://w3id.org/csei/ontology#country"
ACTOR_KIND = "https://w3id.org/csei/ontology#actorKind"
MEMBER_OF = "http://www.w3.org/ns/org#memberOf"
WEBSITE = "http://xmlns.com/foaf/0.1/homepage"
HOSTILE_NAME = "<script>alert('name')</script><img src=x onerror=alert(1)>"
# Two organisations of the same name in two countries, one with another name too; a cluster whose
# members are listed both ways (memberships and org:hasMember); a name and a website that are hostile.
NAMESAKES = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix csei: <https://w3id.org/csei/ontology#> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
<{ID}organisation/maison-de-l-economie-solidaire-lyon> a org:Organization ;
    skos:prefLabel "Maison de l'Économie Solidaire"@fr ; skos:altLabel "MES Lyon"@fr ;
    csei:country country:FRA ;
    csei:actorKind <{ID}concept/actor-kind/social-economy-entity> ;
    foaf:homepage <https://www.mes-lyon.example.org/> .
<{ID}organisation/maison-de-l-economie-solidaire-liege> a org:Organization ;
    skos:prefLabel "Maison de l'Économie Solidaire"@fr ;
    csei:country country:BEL ;
    csei:actorKind <{ID}concept/actor-kind/civil-society-organisation> .
<{ID}cluster/rhone-solidarity-cluster> a csei:CSEI ;
    skos:prefLabel "Rhône Solidarity Cluster"@en ;
    csei:country country:FRA ;
    org:hasMember <{ID}organisation/maison-de-l-economie-solidaire-lyon> .
<{ID}membership/rhone-solidarity-cluster-hostile> a org:Membership ;
    org:organization <{ID}cluster/rhone-solidarity-cluster> ;
    org:member <{ID}organisation/hostile-name> .
<{ID}organisation/hostile-name> a org:Organization ;
    skos:prefLabel "{HOSTILE_NAME}"@en ;
    foaf:homepage <javascript:alert(1)> .
"""


@pytest.fixture(scope="session")
def namesakes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The namesakes as a Turtle file."""
    path = tmp_path_factory.mktemp("namesakes") / "namesakes.ttl"
    path.write_text(NAMESAKES, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def index(namesakes_file: Path) -> Index:
    """The index of the built-in graph with the namesakes."""
    return build_index(open_graph([namesakes_file]))


@pytest.fixture(scope="session")
def schemas() -> dict[str, Any]:
    """The protocol's JSON schemas, by name."""
    if not PROTOCOL.is_dir():
        pytest.fail(
            f"the Reconciliation API 0.2 schemas are not at {PROTOCOL}; set CSEI_RECONCILIATION_SCHEMAS"
        )
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in (PROTOCOL / "schemas").glob("*.json")
    }


@pytest.fixture(scope="session")
def validator(schemas: dict[str, Any]) -> Callable[[str], Draft7Validator]:
    """A draft 7 validator for a schema of the protocol, with every schema it refers to."""
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource(schema, specification=DRAFT7)) for schema in schemas.values()
    )

    def of(name: str) -> Draft7Validator:
        return Draft7Validator(schemas[name], registry=registry)

    return of


@pytest.fixture(scope="session")
def check(validator: Callable[[str], Draft7Validator]) -> Callable[[str, object], None]:
    """Fail with every error when a document does not validate against a schema of the protocol."""

    def checked(name: str, document: object) -> None:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(document)]
        assert not errors, f"not a valid {name}:\n" + "\n".join(errors)

    return checked
