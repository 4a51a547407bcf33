"""The Python API: loading, summary and check over the built-in graph and over given files."""

from pathlib import Path

import pytest

from csei_graph import api
from csei_graph.settings import Settings

BAD_DATA = """\
@prefix csei: <https://w3id.org/csei/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/csei/id/cluster/ok> a csei:Cluster ; skos:prefLabel "OK"@en ;
    csei:countrry <http://publications.europa.eu/resource/authority/country/POL> ;
    <http://example.org/undeclared> "x" .
<https://w3id.org/csei/id/Cluster/Bad_Slug> a csei:Cluster .
"""


@pytest.fixture
def bad_data_dir(tmp_path: Path) -> Path:
    (tmp_path / "bad.ttl").write_text(BAD_DATA, encoding="utf-8")
    return tmp_path


def test_summary_counts_clusters_per_country(bad_data_dir: Path, store: api.GraphStore) -> None:
    before = api.summary(store)
    with_bad = api.open_graph(settings=Settings(data_dir=bad_data_dir))
    result = api.summary(with_bad)
    assert result.triples == len(with_bad) == before.triples + 5, "the data folder adds to the built-in graph"
    not_stated = before.clusters_per_country.get("(not stated)", 0)
    assert result.clusters_per_country == {**before.clusters_per_country, "(not stated)": not_stated + 2}
    cluster = "https://w3id.org/csei/ontology#Cluster"
    assert result.classes[cluster] == before.classes.get(cluster, 0) + 2


def test_check_names_each_problem_and_its_resource(bad_data_dir: Path) -> None:
    problems = api.check(api.open_graph(settings=Settings(data_dir=bad_data_dir)))
    found = {(p.focus, p.message) for p in problems}
    assert found == {
        (
            "https://w3id.org/csei/ontology#countrry",
            "term used but not defined by the CSEI ontology",
        ),
        ("http://example.org/undeclared", "term of another vocabulary used but not declared"),
        (
            "https://w3id.org/csei/id/Cluster/Bad_Slug",
            "IRI does not follow the IRI policy of docs/model.md",
        ),
        ("https://w3id.org/csei/id/Cluster/Bad_Slug", "resource has no skos:prefLabel"),
    }


def test_the_builtin_graph_has_no_problems(store: api.GraphStore) -> None:
    assert [str(p) for p in api.check(store)] == []


def test_builtin_summary_matches_the_store(store: api.GraphStore) -> None:
    result = api.summary(store)
    assert result.triples == len(store) > 0
    assert result.graphs == len(store.graph_names())
    assert sum(result.clusters_per_country.values()) >= 60
