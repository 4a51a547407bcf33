"""Exports: the same graph gives the same bytes, and every format reads back to the same graph."""

import gzip
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from csei_graph.api import open_graph
from csei_graph.export import (
    FORMATS,
    canonical_quads,
    export,
    export_format,
    export_to_file,
    jsonld_context,
    to_bytes,
)
from csei_graph.namespaces import PREFIXES
from csei_graph.stores.embedded import GraphStore

FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixture.trig"
SYNTAX = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
CLUSTER = "https://w3id.org/csei/id/cluster/markup-cluster"


def _load() -> GraphStore:
    return open_graph([FIXTURE])


@pytest.fixture(scope="module")
def export_store() -> GraphStore:
    """The built-in graph with the made-up facts (a blank node, a membership, markup)."""
    return _load()


def _bytes(store: GraphStore, name: str) -> bytes:
    out = io.BytesIO()
    export(store, name, out)
    return out.getvalue()


def _canonical(statements: object, *, union: bool) -> ox.Dataset:
    dataset = ox.Dataset(
        ox.Quad(s.subject, s.predicate, s.object, ox.DefaultGraph() if union else s.graph_name)  # type: ignore[attr-defined]
        for s in statements  # type: ignore[attr-defined]
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


@pytest.mark.parametrize("name", list(FORMATS))
def test_two_loads_of_the_graph_export_to_the_same_bytes(export_store: GraphStore, name: str) -> None:
    # Each load gives the blank nodes new random labels: only canonical labels make the bytes equal.
    assert _bytes(export_store, name) == _bytes(_load(), name)


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_reads_back_to_the_same_graph(export_store: GraphStore, name: str) -> None:
    fmt = export_format(name)
    parsed = ox.parse(_bytes(export_store, name), format=SYNTAX[name])
    if fmt.holds_graphs:
        assert _canonical(parsed, union=False) == _canonical(export_store.quads(), union=False)
    else:
        assert _canonical(parsed, union=True) == _canonical(export_store.quads(), union=True)


def _no_remote_documents(url: str, options: object = None) -> object:
    raise jsonld.JsonLdError(f"remote document {url} refused: nothing is fetched", "loading document failed")


def test_json_ld_reads_back_with_pyld_and_fetches_nothing(export_store: GraphStore) -> None:
    document = json.loads(_bytes(export_store, "jsonld"))
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": _no_remote_documents}
    )
    parsed = ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    assert _canonical(parsed, union=True) == _canonical(export_store.quads(), union=True)


def test_json_ld_uses_the_project_context_and_a_cluster_carries_its_memberships(
    export_store: GraphStore,
) -> None:
    document = json.loads(_bytes(export_store, "jsonld"))
    assert document["@context"] == jsonld_context()["@context"]
    nodes = {node["id"]: node for node in document["@graph"]}
    cluster = nodes["cseid:cluster/markup-cluster"]
    assert cluster["inCountry"] == "country:BEL"
    assert cluster["prefLabel"] == {"@value": "<script>alert('csei')</script> & Co", "@language": "en"}
    memberships = cluster["memberships"]
    assert [m["id"] for m in memberships] == ["cseid:membership/fixture-member-in-markup-cluster"]
    assert memberships[0]["member"] == "cseid:organisation/fixture-member"
    assert "organization" not in memberships[0]
    assert "cseid:membership/fixture-member-in-markup-cluster" not in nodes
    # The coordinates' blank node is referenced once: it is written inside the cluster, without a label.
    assert cluster["schema:geo"]["schema:latitude"] == {"@value": "50.85", "@type": "xsd:decimal"}
    assert "id" not in cluster["schema:geo"]


def test_prefixes_are_the_projects_in_every_format(export_store: GraphStore) -> None:
    turtle = _bytes(export_store, "turtle").decode("utf-8")
    declared = {line.split()[1].rstrip(":") for line in turtle.splitlines() if line.startswith("@prefix")}
    assert declared == set(PREFIXES)
    context = jsonld_context()["@context"]
    assert {name: context[name] for name in PREFIXES} == PREFIXES


def test_the_context_names_no_remote_document() -> None:
    context = jsonld_context()["@context"]
    assert "@import" not in context
    assert all(not isinstance(v, dict) or "@context" not in v for v in context.values())


def test_gzip_output_is_stable_and_holds_the_export(tmp_path: Path, export_store: GraphStore) -> None:
    first = export_to_file(export_store, "nquads", tmp_path / "a.nq.gz", compress=True).read_bytes()
    second = export_to_file(_load(), "nquads", tmp_path / "b.nq.gz", compress=True).read_bytes()
    assert first == second
    assert gzip.decompress(first) == _bytes(export_store, "nquads")


def test_an_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown format 'yaml'.*turtle"):
        export_format("yaml")


EX = "http://example.org/"
_iris = st.sampled_from([ox.NamedNode(f"{EX}{name}") for name in "abcd"])
_predicates = st.sampled_from([ox.NamedNode(f"{EX}p{n}") for n in range(3)])
_literals = st.sampled_from(
    [
        ox.Literal("x"),
        ox.Literal("x", language="en"),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ]
)


@st.composite
def _graphs_with_blank_nodes(draw: st.DrawFn) -> list[tuple[object, object, object]]:
    blank_count = draw(st.integers(min_value=0, max_value=4))
    blanks = [f"b{i}" for i in range(blank_count)]
    nodes = st.sampled_from(blanks) if blanks else _iris
    subjects = st.one_of(_iris, nodes)
    objects = st.one_of(_iris, _literals, nodes)
    return draw(st.lists(st.tuples(subjects, _predicates, objects), min_size=1, max_size=12, unique=True))


def _materialise(triples: list[tuple[object, object, object]], labels: dict[str, str]) -> list[ox.Quad]:
    def term(value: object) -> object:
        return ox.BlankNode(labels[value]) if isinstance(value, str) else value

    return [ox.Quad(term(s), p, term(o), ox.NamedNode(f"{EX}g")) for s, p, o in triples]  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(_graphs_with_blank_nodes(), st.randoms(use_true_random=False))
def test_blank_node_labels_and_statement_order_never_change_the_bytes(triples, random) -> None:
    names = sorted({v for t in triples for v in t if isinstance(v, str)})
    first = _materialise(triples, {n: f"first{n}" for n in names})
    shuffled_names = names[:]
    random.shuffle(shuffled_names)
    second = _materialise(triples, {n: f"z{m}" for n, m in zip(names, shuffled_names, strict=True)})
    random.shuffle(second)
    for fmt in FORMATS.values():
        assert to_bytes(first, fmt) == to_bytes(second, fmt), fmt.name
    assert canonical_quads(first, union=False) == canonical_quads(second, union=False)


XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
CSEI = "https://w3id.org/csei/ontology#"


def _node(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://w3id.org/csei/id/{name}")


def _awkward_statements() -> list[ox.Quad]:
    """Literals that need escapes, terms that fit the context's coercions and terms that do not,
    nested blank nodes, and two memberships whose organisations are each other."""
    cluster, first, second = _node("cluster/c"), _node("membership/m1"), _node("membership/m2")
    geo, inner = ox.BlankNode("geo"), ox.BlankNode("inner")
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    texts = ['quote " and backslash \\ and slash /', "line\nbreak\ttab\r\x01\x7f", "é ✓ 𝄞", '}, {"id": 1}']
    statements = [(cluster, label, ox.Literal(text, language="fr")) for text in texts]
    statements += [
        (cluster, label, ox.Literal("right to left", language="ar", direction=ox.BaseDirection.RTL)),
        (cluster, ox.NamedNode(f"{CSEI}country"), ox.Literal("not an IRI")),
        (cluster, ox.NamedNode(f"{CSEI}value"), ox.Literal("2.5", datatype=ox.NamedNode(f"{XSD}decimal"))),
        (cluster, ox.NamedNode(f"{CSEI}value"), ox.Literal("3", datatype=ox.NamedNode(f"{XSD}integer"))),
        (cluster, ox.NamedNode(f"{CSEI}value"), _node("concept/not-a-number")),
        (cluster, ox.NamedNode("http://schema.org/geo"), geo),
        (geo, ox.NamedNode("http://example.org/inner"), inner),
        (inner, ox.NamedNode("http://example.org/depth"), ox.Literal("2")),
        (first, RDF_TYPE, ox.NamedNode(f"{ORG}Membership")),
        (second, RDF_TYPE, ox.NamedNode(f"{ORG}Membership")),
        (first, ox.NamedNode(f"{ORG}organization"), second),
        (second, ox.NamedNode(f"{ORG}organization"), first),
    ]
    return [ox.Quad(s, p, o, ox.NamedNode("https://w3id.org/csei/graph/awkward")) for s, p, o in statements]


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_every_syntax_holds_the_same_awkward_graph_and_pyld_reads_the_json_ld_offline() -> None:
    statements = _awkward_statements()
    expected = _canonical(statements, union=True)
    for fmt in FORMATS.values():
        parsed = list(ox.parse(to_bytes(statements, fmt), format=SYNTAX[fmt.name]))
        assert _canonical(parsed, union=True) == expected, fmt.name
    # pyld reads JSON-LD 1.1, whose texts have a base direction that RDF 1.1 has not: it drops it.
    undirected = [q for q in statements if not (isinstance(q.object, ox.Literal) and q.object.direction)]
    document = json.loads(to_bytes(undirected, FORMATS["jsonld"]))
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": _no_remote_documents}
    )
    parsed = list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert _canonical(parsed, union=True) == _canonical(undirected, union=True)


def test_json_ld_nests_what_is_referenced_once_and_keeps_looping_memberships() -> None:
    document = json.loads(to_bytes(_awkward_statements(), FORMATS["jsonld"]))
    nodes = {node["id"]: node for node in document["@graph"]}
    # Each membership names the other as its organisation: both stay at the top, neither is lost.
    assert {"cseid:membership/m1", "cseid:membership/m2"} <= set(nodes)
    cluster = nodes["cseid:cluster/c"]
    assert cluster["schema:geo"]["http://example.org/inner"]["http://example.org/depth"] == "2"
    assert cluster["csei:country"] == "not an IRI"  # a string is never written where the term reads IRIs
    assert cluster["value"] == "2.5"
    assert {"@value": "3", "@type": "xsd:integer"} in cluster["csei:value"]


def test_json_ld_refuses_triple_terms_clearly() -> None:
    quoted = ox.Triple(_node("cluster/a"), RDF_TYPE, _node("cluster/b"))
    with pytest.raises(ValueError, match="JSON-LD cannot hold triple terms"):
        to_bytes([ox.Quad(_node("cluster/a"), RDF_TYPE, quoted)], FORMATS["jsonld"])
