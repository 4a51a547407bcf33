"""The index reads entities, their names and their values through the store interface."""

from csei_graph.api import open_graph
from csei_graph.reconcile import Index, build_index
from csei_graph.reconcile.vocabulary import CONCEPT, PROGRAMME
from csei_graph.stores.base import Store

from .conftest import ACTOR_KIND, CLUSTER, COUNTRY, ID, MEMBER_OF, ORGANISATION, WEBSITE

LYON = f"{ID}organisation/maison-de-l-economie-solidaire-lyon"
COUNTRIES = "http://publications.europa.eu/resource/authority/country/"


def test_the_index_is_built_through_the_store_interface() -> None:
    store = open_graph()
    assert isinstance(store, Store)
    index = build_index(store)
    kinds = {t for entity in index.entities for t in entity.types}
    assert kinds == {CLUSTER, ORGANISATION, PROGRAMME, CONCEPT}
    assert [e.iri for e in index.entities] == sorted(e.iri for e in index.entities)


def test_subclasses_count_as_their_type(index: Index) -> None:
    # Clusters of the data are typed csei:CSEI or csei:PTCE, subclasses of csei:Cluster.
    cluster = index.entity(f"{ID}cluster/rhone-solidarity-cluster")
    assert cluster is not None and cluster.types == (CLUSTER,)


def test_an_entity_has_its_names_and_values(index: Index) -> None:
    entity = index.entity(LYON)
    assert entity is not None
    assert entity.name == "Maison de l'Économie Solidaire"
    assert entity.keys == ("maison de l economie solidaire", "mes lyon")
    assert entity.values[COUNTRY] == (f"{COUNTRIES}FRA",)
    assert entity.values[ACTOR_KIND] == (f"{ID}concept/actor-kind/social-economy-entity",)
    assert entity.values[WEBSITE] == ("https://www.mes-lyon.example.org/",)


def test_memberships_are_read_in_every_form(index: Index) -> None:
    cluster = f"{ID}cluster/rhone-solidarity-cluster"
    by_has_member = index.entity(LYON)
    by_membership = index.entity(f"{ID}organisation/hostile-name")
    assert by_has_member is not None and by_has_member.values[MEMBER_OF] == (cluster,)
    assert by_membership is not None and by_membership.values[MEMBER_OF] == (cluster,)


def test_values_are_found_by_iri_code_or_name(index: Index) -> None:
    france = {f"{COUNTRIES}FRA"}
    assert france <= index.resolve(COUNTRY, "France")
    assert france <= index.resolve(COUNTRY, "fra")
    assert france <= index.resolve(COUNTRY, f"{COUNTRIES}FRA")
    authority = f"{ID}concept/actor-kind/public-authority"
    assert authority in index.resolve(ACTOR_KIND, "public-authority")
    assert authority in index.resolve(ACTOR_KIND, "Public Authority")
    assert index.resolve(WEBSITE, "http://mes-lyon.example.org") == {"mes-lyon.example.org"}
    assert index.value_name(f"{COUNTRIES}FRA") == "France"
