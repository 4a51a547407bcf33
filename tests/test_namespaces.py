"""Compact names for IRIs of the project's namespaces."""

from csei_graph.namespaces import compact


def test_known_namespaces_are_compacted() -> None:
    assert compact("https://w3id.org/csei/ontology#Cluster") == "csei:Cluster"
    assert compact("http://www.w3.org/2004/02/skos/core#Concept") == "skos:Concept"


def test_paths_below_a_namespace_and_unknown_iris_stay_whole() -> None:
    iri = "https://w3id.org/csei/id/cluster/silicon-vilstal"
    assert compact(iri) == iri
    assert compact("http://example.org/x") == "http://example.org/x"
