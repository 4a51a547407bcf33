"""Conflicts with stated facts: a second value where one is expected, or an identity claim, on an existing
resource; each with both values and the graphs that state the old one."""

import pyoxigraph as ox
import pytest

from csei_graph.stores.embedded import GraphStore
from csei_graph.validation import conflicts

ID = "https://w3id.org/csei/id/"
COURSIVE = ox.NamedNode(f"{ID}cluster/coursive-boutaric")
CSEI = "https://w3id.org/csei/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GRAPH = ox.NamedNode("https://w3id.org/csei/graph/contribution-000000000000")


def _quad(subject: ox.NamedNode, predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(subject, ox.NamedNode(predicate), value, GRAPH)


def _found(store: GraphStore, *quads: ox.Quad) -> list[conflicts.Conflict]:
    return conflicts.find(store, quads)


def test_another_country_for_an_existing_cluster_is_a_move(store: GraphStore) -> None:
    belgium = ox.NamedNode("http://publications.europa.eu/resource/authority/country/BEL")
    [found] = _found(store, _quad(COURSIVE, f"{CSEI}country", belgium))
    assert found.kind == "move"
    ((france, graphs),) = found.stated
    assert france.value.endswith("/FRA")
    assert graphs == (
        "https://w3id.org/csei/graph/inferred-csei-examples",
        "https://w3id.org/csei/graph/notes-ptce-examples",
    )


def test_stating_the_same_country_again_is_no_conflict(store: GraphStore) -> None:
    france = ox.NamedNode("http://publications.europa.eu/resource/authority/country/FRA")
    assert _found(store, _quad(COURSIVE, f"{CSEI}country", france)) == []


@pytest.mark.parametrize("language", ["fr", "fr-FR", "FR-be"])
def test_a_second_name_in_the_same_language_is_a_rename(store: GraphStore, language: str) -> None:
    """Regression: a second name in @en-GB for a cluster named in @en was accepted."""
    [found] = _found(store, _quad(COURSIVE, f"{SKOS}prefLabel", ox.Literal("La Coursive", language=language)))
    assert found.kind == "rename"
    assert found.stated[0][0] == ox.Literal("Coursive Boutaric", language="fr")


def test_a_name_in_another_language_is_an_addition(store: GraphStore) -> None:
    assert (
        _found(store, _quad(COURSIVE, f"{SKOS}prefLabel", ox.Literal("Boutaric Gallery", language="en")))
        == []
    )


@pytest.mark.parametrize(
    ("predicate", "value"),
    [
        (f"{CSEI}place", ox.Literal("Marseille")),
        (f"{CSEI}nutsRegion", ox.NamedNode("http://data.europa.eu/nuts/code/BE100")),
    ],
)
def test_a_second_place_or_region_is_a_second_value(
    store: GraphStore, predicate: str, value: ox.NamedNode | ox.Literal
) -> None:
    """Regression: a second csei:place and a NUTS region in another country were accepted as they were."""
    if predicate.endswith("nutsRegion"):
        # The cluster has no NUTS region yet: one is an addition, a second would contradict it.
        assert _found(store, _quad(COURSIVE, predicate, value)) == []
        store = GraphStore()
        store.add_all([_quad(COURSIVE, predicate, ox.NamedNode("http://data.europa.eu/nuts/code/FRC11"))])
    [found] = _found(store, _quad(COURSIVE, predicate, value))
    assert found.kind == "second value"


def test_same_as_between_two_clusters_is_a_merge(store: GraphStore) -> None:
    """Regression: owl:sameAs between two clusters was accepted as it was."""
    other = ox.NamedNode(f"{ID}cluster/pole-sud")
    assert next(iter(store.triples_matching(other, None, None)), None) is not None
    [found] = _found(store, _quad(COURSIVE, "http://www.w3.org/2002/07/owl#sameAs", other))
    assert found.kind == "merge"
    assert {node for node, _ in found.stated} == {COURSIVE, other}


def test_a_new_resource_has_nothing_to_contradict(store: GraphStore) -> None:
    new = ox.NamedNode(f"{ID}cluster/brand-new")
    belgium = ox.NamedNode("http://publications.europa.eu/resource/authority/country/BEL")
    assert (
        _found(store, _quad(new, f"{CSEI}country", belgium), _quad(new, f"{CSEI}place", ox.Literal("Liège")))
        == []
    )


def test_the_shapes_say_which_properties_take_one_value() -> None:
    once = {iri.value.rsplit("/", 1)[-1] for iri in conflicts.single_valued()}
    assert {"ontology#country", "ontology#place", "ontology#nutsRegion", "title", "foundingDate"} <= once
