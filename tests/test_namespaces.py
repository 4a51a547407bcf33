"""The one IRI shortener: prefixed names that read back as the same IRI."""

from csei_graph.namespaces import PREFIXES, prefixed_name, shorten


def test_a_term_of_a_project_namespace_gets_its_prefix() -> None:
    assert shorten("https://w3id.org/csei/ontology#Cluster") == "csei:Cluster"
    assert shorten("http://www.w3.org/2004/02/skos/core#Concept") == "skos:Concept"


def test_an_iri_no_prefix_fits_is_written_whole() -> None:
    assert shorten("http://example.org/x") == "<http://example.org/x>"
    assert prefixed_name("http://example.org/x") is None
    assert prefixed_name("https://w3id.org/csei/ontology#") is None, "an empty local part is no name"


def test_a_syntax_name_parses_back_a_readable_one_may_hold_slashes() -> None:
    cluster = "https://w3id.org/csei/id/cluster/pole-sud"
    assert prefixed_name(cluster) is None, "a slash is not allowed unescaped in Turtle or SPARQL"
    assert prefixed_name(cluster, readable=True) == "cseid:cluster/pole-sud"
    assert shorten(cluster) == "cseid:cluster/pole-sud"
    assert prefixed_name("https://w3id.org/csei/ontology#ends.") is None, "a local part ends in no dot"


def test_the_longest_namespace_wins() -> None:
    prefixes = {"a": "http://example.org/", "ab": "http://example.org/b/"}
    assert prefixed_name("http://example.org/b/c", prefixes) == "ab:c"
    assert set(PREFIXES) >= {"csei", "cseid", "skos"}
