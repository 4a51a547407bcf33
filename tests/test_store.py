"""The embedded store: atomic loading, union-graph queries, bound parameters, rdflib views."""

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from csei_graph.sources import SourceError, discover
from csei_graph.stores.embedded import GraphStore

EX = "http://example.org/"


def _files(tmp_path: Path, **texts: str) -> list[Path]:
    paths = []
    for name, text in texts.items():
        path = tmp_path / name.replace("_", ".")
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_a_fault_in_one_source_loads_nothing(tmp_path: Path) -> None:
    paths = _files(tmp_path, good_ttl=f"<{EX}a> <{EX}p> 1 .", bad_ttl=f"<{EX}a> <{EX}p> .")
    with pytest.raises(SourceError):
        GraphStore.from_sources(discover(paths))


def test_queries_see_the_union_of_graphs(tmp_path: Path) -> None:
    paths = _files(tmp_path, one_ttl=f"<{EX}a> <{EX}p> 1 .", two_ttl=f"<{EX}b> <{EX}p> 2 .")
    store = GraphStore.from_sources(discover(paths))
    rows = store.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s")
    assert [r["s"].value for r in rows] == [f"{EX}a", f"{EX}b"]
    assert store.graph_names() == [
        "https://w3id.org/csei/graph/one",
        "https://w3id.org/csei/graph/two",
    ]
    assert len(store) == 2


def test_bindings_are_terms_not_text(tmp_path: Path) -> None:
    store = GraphStore.from_sources(discover(_files(tmp_path, a_ttl=f'<{EX}a> <{EX}p> "x" .')))
    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
    rows = list(store.query("SELECT ?s ?v WHERE { ?s ?p ?v }", {"v": hostile}))
    assert rows == []
    assert len(list(store.query("SELECT ?s ?v WHERE { ?s ?p ?v }", {"v": ox.Literal("x")}))) == 1
    assert len(store) == 1


def test_rdflib_views_keep_graphs_and_literals(tmp_path: Path) -> None:
    text = (
        f'<{EX}g> {{ <{EX}a> <{EX}p> "2024-06-04"^^<http://www.w3.org/2001/XMLSchema#date>, "Łomża"@pl . }}'
    )
    store = GraphStore.from_sources(discover(_files(tmp_path, x_trig=text)))
    dataset = store.dataset()
    graph = dataset.graph(URIRef(f"{EX}g"))
    values = sorted(str(v) for v in graph.objects(URIRef(f"{EX}a"), URIRef(f"{EX}p")))
    assert values == ["2024-06-04", "Łomża"]
    assert {v.language for v in graph.objects() if isinstance(v, Literal)} == {None, "pl"}
    assert len(store.union_graph()) == 2


def test_triple_patterns_match_across_graphs_as_queries_do(tmp_path: Path) -> None:
    paths = _files(
        tmp_path,
        one_ttl=f"<{EX}a> <{EX}p> <{EX}b> .",
        two_ttl=f"<{EX}c> <{EX}q> <{EX}b> . <{EX}b> <{EX}p> 3 .",
    )
    store = GraphStore.from_sources(discover(paths))
    pointing = {
        (t.subject.value, t.predicate.value)
        for t in store.triples_matching(None, None, ox.NamedNode(f"{EX}b"))
    }
    by_query = {(r["s"].value, r["p"].value) for r in store.query(f"SELECT ?s ?p WHERE {{ ?s ?p <{EX}b> }}")}
    assert pointing == by_query == {(f"{EX}a", f"{EX}p"), (f"{EX}c", f"{EX}q")}
    assert [
        t.object.value for t in store.triples_matching(ox.NamedNode(f"{EX}b"), ox.NamedNode(f"{EX}p"), None)
    ] == ["3"]
