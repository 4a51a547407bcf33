"""The contribution form made from the shapes, and its entries checked as `csei validate` checks them."""

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph.contributions.form import form_spec, load_shapes
from csei_graph.contributions.formdata import GENERAL, Entries, checked, field_messages, statements
from csei_graph.settings import Settings
from csei_graph.sources import resource_dir
from csei_graph.stores.embedded import GraphStore

CSEI = "https://w3id.org/csei/ontology#"
ORG = "http://www.w3.org/ns/org#"
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
SOCIAL = "https://w3id.org/csei/id/concept/actor-kind/social-economy-entity"
PUBLIC = "https://w3id.org/csei/id/concept/actor-kind/public-authority"
NEW_PROPERTY = """
cseish:Cluster-employees a sh:PropertyShape ;
    sh:path csei:employeesReported ;
    sh:name "employees reported"@en ;
    sh:description "How many people the cluster's members employ, as the cluster reports it."@en ;
    sh:group cseish:FigureGroup ; sh:order 1 ;
    sh:minCount 1 ;
    sh:datatype xsd:integer ;
    sh:severity sh:Violation ;
    sh:message "Give the number of employees as a whole number."@en .
cseish:ClusterShape sh:property cseish:Cluster-employees .
"""


def test_the_form_follows_the_shapes(store: GraphStore) -> None:
    spec = form_spec(store)
    name = spec.cluster.by_key("skos:prefLabel")
    assert name is not None and name.required and name.input == "langtext" and name.name == "name"
    country = spec.cluster.by_key("csei:country")
    assert country is not None and country.input == "select"
    assert any(c.value == FRANCE for c in country.choices)
    kind = spec.member.by_key("csei:actorKind")
    assert kind is not None and {SOCIAL, PUBLIC} <= {c.value for c in kind.choices}
    founded = spec.cluster.by_key("schema:foundingDate")
    assert founded is not None and founded.input == "date" and founded.recommended
    homepage = spec.cluster.by_key("foaf:homepage")
    assert homepage is not None and homepage.input == "url"
    assert spec.membership.by_key("org:role") is not None
    assert f"{CSEI}CSEI" == spec.kinds[0].value
    groups = [group for group, _ in spec.cluster.groups()]
    assert groups[0] == "Name and identity"
    assert not any(f.path == f"{ORG}hasMember" for f in spec.cluster.fields)


def test_a_property_added_to_a_shape_appears_in_the_form(store: GraphStore, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shutil.copytree(resource_dir("shapes"), shapes)
    before = form_spec(store, load_shapes(shapes))
    assert before.cluster.by_key("csei:employeesReported") is None
    with (shapes / "clusters.ttl").open("a", encoding="utf-8") as added:
        added.write(NEW_PROPERTY)
    after = form_spec(store, load_shapes(shapes))
    field = after.cluster.by_key("csei:employeesReported")
    assert field is not None
    assert (field.name, field.input, field.required, field.group) == (
        "employees reported",
        "number",
        True,
        "Figure",
    )


def _cluster(website: str) -> list[tuple[str, str]]:
    return [
        ("kind", f"{CSEI}CSEI"),
        ("cluster.skos:prefLabel", "Hill Valley Cluster"),
        ("cluster.csei:country", FRANCE),
        ("cluster.foaf:homepage", website),
        ("member.0.skos:prefLabel", "Hill Coop"),
        ("member.0.csei:actorKind", SOCIAL),
        ("member.1.skos:prefLabel", "Hill Town"),
        ("member.1.csei:actorKind", PUBLIC),
    ]


def test_the_checks_of_csei_validate_are_placed_at_their_fields(store: GraphStore) -> None:
    spec = form_spec(store)
    found = statements(spec, Entries.parse(_cluster("not a web address")))
    _, report = checked(found, Settings())
    messages = field_messages(report, found, spec)
    assert any("foaf:homepage must be" in m["message"] for m in messages["cluster.foaf:homepage"])
    fixed = statements(spec, Entries.parse(_cluster("https://hill.example.org/")))
    _, report = checked(fixed, Settings())
    assert report.conforms
    assert "cluster.foaf:homepage" not in field_messages(report, fixed, spec)
    assert GENERAL not in field_messages(report, fixed, spec)


def test_a_member_picked_from_the_graph_keeps_its_iri_and_gains_only_a_membership(store: GraphStore) -> None:
    spec = form_spec(store)
    existing = "https://w3id.org/csei/id/organisation/some-organisation"
    entries = Entries.parse([*_cluster("https://hill.example.org/"), ("member.2.iri", existing)])
    found = statements(spec, entries)
    about = [t for t in found.triples if t.subject == ox.NamedNode(existing)]
    assert about == []
    assert (
        ox.Triple(
            ox.NamedNode("https://w3id.org/csei/id/membership/hill-valley-cluster-some-organisation"),
            ox.NamedNode(f"{ORG}member"),
            ox.NamedNode(existing),
        )
        in found.triples
    )


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "javascript:alert(1)", '"><img src=x>'])
def test_hostile_values_stay_text_or_are_refused(store: GraphStore, value: str) -> None:
    spec = form_spec(store)
    entries = Entries.parse([("cluster.skos:prefLabel", value), ("cluster.foaf:homepage", value)])
    found = statements(spec, entries)
    homepage = next(t.object for t in found.triples if t.predicate.value.endswith("homepage"))
    _, report = checked(found, Settings())
    assert any(r.path == "foaf:homepage" and r.blocking for r in report.results), homepage


def test_a_list_of_values_in_a_shape_is_a_pick_list(store: GraphStore, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shutil.copytree(resource_dir("shapes"), shapes)
    with (shapes / "clusters.ttl").open("a", encoding="utf-8") as added:
        added.write(
            """
cseish:Cluster-scale a sh:PropertyShape ;
    sh:path csei:scaleReported ;
    sh:name "scale"@en ;
    sh:in ( "local" "regional" "national" ) ;
    sh:maxCount 1 .
cseish:ClusterShape sh:property cseish:Cluster-scale .
"""
        )
    field = form_spec(store, load_shapes(shapes)).cluster.by_key("csei:scaleReported")
    assert field is not None and field.input == "select" and not field.multiple
    assert [c.value for c in field.choices] == ["local", "national", "regional"]
    assert field.group == "Other" and not field.required
