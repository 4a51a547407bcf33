"""Synthetic graphs: deterministic, realistic, in the project's model, streamed, with known defects."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import SH

from csei_graph import api
from csei_graph.cli import main
from csei_graph.sources import resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import ACTOR_KINDS, DEFECT_KINDS, EU_COUNTRIES, SynthResult, write_synthetic

PREFIXES = """
PREFIX csei: <https://w3id.org/csei/ontology#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ACTOR_KIND_SCHEME = "https://w3id.org/csei/id/concept/actor-kind/"


def _rows(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    return list(store.query(PREFIXES + query, use_default_graph_as_union=True))


def _load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path))
    return store


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthResult, ox.Store]:
    """250 clusters (about 100k triples), without defects."""
    path = tmp_path_factory.mktemp("synth") / "synthetic.trig"
    result = write_synthetic(path, 250, 42)
    return path, result, _load(path)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for suffix in (".nq", ".trig"):
        first, second, other = (tmp_path / f"{name}{suffix}" for name in ("a", "b", "c"))
        write_synthetic(first, 30, 3)
        write_synthetic(second, 30, 3)
        write_synthetic(other, 30, 4)
        assert first.read_bytes() == second.read_bytes()
        assert first.read_bytes() != other.read_bytes()


def test_nquads_and_trig_hold_the_same_quads(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "g.nq", 20, 9, defects=10)
    write_synthetic(tmp_path / "g.trig", 20, 9, defects=10)
    nquads, trig = (set(_load(tmp_path / name)) for name in ("g.nq", "g.trig"))
    assert nquads == trig
    graphs = Counter(quad.graph_name for quad in nquads)
    assert set(graphs) == {ox.DefaultGraph(), ox.NamedNode("https://w3id.org/csei/graph/synthetic-9")}
    assert graphs[ox.DefaultGraph()] == 5  # the description of the named graph


def test_counts_match_the_graph(synthetic: tuple[Path, SynthResult, ox.Store]) -> None:
    _, result, store = synthetic
    assert len(store) == result.triples
    counted = _rows(
        store,
        """SELECT (COUNT(DISTINCT ?c) AS ?clusters) (COUNT(DISTINCT ?m) AS ?memberships)
                  (COUNT(DISTINCT ?o) AS ?members) WHERE {
            ?m a org:Membership ; org:organization ?c ; org:member ?o }""",
    )[0]
    organisations = _rows(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:Organization }")[0]
    assert int(counted["clusters"].value) == result.clusters == 250
    assert int(counted["memberships"].value) == result.memberships
    assert int(organisations["n"].value) == result.organisations
    assert result.triples > 80_000


def test_clusters_are_realistic(synthetic: tuple[Path, SynthResult, ox.Store]) -> None:
    _, _, store = synthetic
    clusters = _rows(
        store,
        """SELECT ?c (COUNT(DISTINCT ?o) AS ?members) (COUNT(DISTINCT ?kind) AS ?kinds)
                  (SAMPLE(?type) AS ?t) (COUNT(DISTINCT ?country) AS ?countries) WHERE {
            ?c a ?type ; csei:country ?country ; org:hasMember ?o .
            ?m org:organization ?c ; org:member ?o . ?o csei:actorKind ?kind
        } GROUP BY ?c""",
    )
    assert len(clusters) == 250
    assert all(10 <= int(row["members"].value) <= 60 for row in clusters)
    assert all(int(row["kinds"].value) == len(ACTOR_KINDS) for row in clusters)
    assert all(int(row["countries"].value) == 1 for row in clusters)
    types = Counter(row["t"].value.rsplit("#", 1)[1] for row in clusters)
    assert set(types) == {"CSEI", "Cluster"}
    countries = {
        row["country"].value for row in _rows(store, "SELECT DISTINCT ?country { ?c csei:country ?country }")
    }
    assert len(countries) >= 20
    assert all(c.rsplit("/", 1)[1] in EU_COUNTRIES for c in countries)


def test_about_a_fifth_of_organisations_share_clusters(synthetic: tuple[Path, SynthResult, ox.Store]) -> None:
    _, result, store = synthetic
    row = _rows(
        store,
        """SELECT (COUNT(*) AS ?shared) WHERE {
            { SELECT ?o WHERE { ?c org:hasMember ?o } GROUP BY ?o HAVING (COUNT(DISTINCT ?c) > 1) } }""",
    )[0]
    shared = int(row["shared"].value)
    assert shared == result.shared_organisations
    assert 0.15 <= shared / result.organisations <= 0.25


def test_memberships_partnerships_and_labels_are_well_formed(
    synthetic: tuple[Path, SynthResult, ox.Store],
) -> None:
    _, result, store = synthetic
    faulty = _rows(
        store,
        """SELECT ?m WHERE { ?m a org:Membership .
            FILTER NOT EXISTS { ?m org:role ?role ; org:member ?o ; skos:prefLabel ?label ;
                                    schema:startDate ?start FILTER(datatype(?start) = xsd:date) }
        }""",
    )
    assert faulty == []
    out_of_order = _rows(
        store,
        """SELECT ?x WHERE {
            { ?x schema:startDate ?from ; schema:endDate ?until } UNION
            { ?x csei:validFrom ?from ; csei:validUntil ?until }
            FILTER(?until <= ?from) }""",
    )
    assert out_of_order == []
    funded = _rows(
        store, "SELECT ?p ?a WHERE { ?p csei:fundedBy ?a ; csei:partner ?c . ?c csei:participatesIn ?p }"
    )
    actions = {row["a"].value.rsplit("/", 1)[1] for row in funded}
    assert actions <= {"euroclusters", "escp-4x", "escp-s3", "escp-4i"}
    assert len({row["p"] for row in funded}) == result.partnerships >= 30
    assert result.label_awards >= 50


def test_references_resolve_in_the_builtin_graph(
    synthetic: tuple[Path, SynthResult, ox.Store], store: GraphStore
) -> None:
    _, _, synthetic_store = synthetic
    described = {
        row["s"] for row in _rows(synthetic_store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    }
    referenced = {
        row["o"]
        for row in _rows(
            synthetic_store,
            """SELECT DISTINCT ?o WHERE {
                ?s ?p ?o FILTER(isIRI(?o)) FILTER(?p NOT IN (rdf:type, foaf:homepage, skos:inScheme)) }""",
        )
    }
    unresolved = [
        term.value
        for term in sorted(referenced - described, key=str)
        if not store.query("ASK { ?s ?p ?o }", {"s": term})
    ]
    assert unresolved == []


def test_builtin_checks_pass_and_find_the_unnamed(tmp_path: Path) -> None:
    clean = tmp_path / "clean.trig"
    write_synthetic(clean, 15, 5)
    assert api.check(api.open_graph([clean])) == []
    faulty = tmp_path / "faulty.trig"
    result = write_synthetic(faulty, 15, 5, defects=30)
    unnamed = {p.focus for p in api.check(api.open_graph([faulty])) if "no skos:prefLabel" in p.message}
    assert unnamed == {d.focus for d in result.defects if d.kind == "missing-name"}


# For each kind of defect, the nodes of the whole graph that have it.
DEFECT_FINDERS = {
    "missing-name": "SELECT ?x { ?x a org:Organization FILTER NOT EXISTS { ?x skos:prefLabel ?l } }",
    "missing-country": """SELECT ?x { ?x a ?t VALUES ?t { csei:CSEI csei:Cluster }
        FILTER NOT EXISTS { ?x csei:country ?c } }""",
    "bad-datatype": "SELECT ?x { ?x schema:startDate ?d FILTER(datatype(?d) != xsd:date) }",
    "outside-scheme": f"""SELECT ?x {{ ?x csei:actorKind ?k
        FILTER(!STRSTARTS(STR(?k), "{ACTOR_KIND_SCHEME}")) }}""",
    "membership-without-member": "SELECT ?x { ?x a org:Membership FILTER NOT EXISTS { ?x org:member ?o } }",
    "dates-out-of-order": "SELECT ?x { ?x schema:startDate ?s ; schema:endDate ?e FILTER(?e < ?s) }",
}


def test_defects_are_exactly_those_of_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "defects.nq"
    result = write_synthetic(path, 40, 11, defects=100)
    manifest = json.loads((tmp_path / "defects.nq.defects.json").read_text(encoding="utf-8"))
    assert len(manifest["defects"]) == 100
    assert set(Counter(d["kind"] for d in manifest["defects"])) == set(DEFECT_KINDS)
    assert manifest["triples"] == result.triples
    store = _load(path)
    for kind, query in DEFECT_FINDERS.items():
        found = {row["x"].value for row in _rows(store, query)}
        expected = {d["focus"] for d in manifest["defects"] if d["kind"] == kind}
        assert found == expected, kind


def test_defects_are_refused_beyond_one_of_each_kind_per_cluster(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--defects must be between 0 and 12"):
        write_synthetic(tmp_path / "x.nq", 2, 1, defects=13)
    assert list(tmp_path.iterdir()) == []


def _violations(path: Path) -> set[str]:
    """Focus nodes of violations pyshacl (the reference engine) finds in the graph with the built-in one."""
    shapes = Graph()
    for shapes_file in sorted(resource_dir("shapes").glob("*.ttl")):
        shapes.parse(shapes_file)
    data = api.open_graph([path]).union_graph()
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return {
        str(report.value(result, SH.focusNode)) for result in report.subjects(SH.resultSeverity, SH.Violation)
    }


@pytest.mark.slow
def test_shapes_find_exactly_the_defects(tmp_path: Path) -> None:
    if not any(resource_dir("shapes").glob("*.ttl")):
        pytest.skip("no shapes yet")
    clean, faulty = tmp_path / "clean.trig", tmp_path / "faulty.trig"
    write_synthetic(clean, 6, 21)
    result = write_synthetic(faulty, 6, 21, defects=36)
    synthetic_nodes = {row["s"].value for row in _rows(_load(faulty), "SELECT DISTINCT ?s { ?s ?p ?o }")}
    expected = {d.focus for d in result.defects} | {
        d.value for d in result.defects if d.kind == "outside-scheme"
    }
    # Only the synthetic graph's nodes: the built-in graph's own findings are not at stake here.
    assert _violations(clean) & synthetic_nodes == set()
    assert _violations(faulty) & (synthetic_nodes | expected) == expected


STREAM_SCRIPT = """
import resource, sys
from csei_graph.synth import synthesize
with open("/dev/null", "w") as out:
    result = synthesize(out, int(sys.argv[1]), 1)
print(result.triples, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
def test_memory_does_not_grow_with_the_graph() -> None:
    def peak(clusters: int) -> tuple[int, int]:
        done = subprocess.run(
            [sys.executable, "-c", STREAM_SCRIPT, str(clusters)], capture_output=True, text=True, check=True
        )
        triples, kilobytes = done.stdout.split()
        return int(triples), int(kilobytes)

    small_triples, small_peak = peak(100)
    large_triples, large_peak = peak(2000)
    assert large_triples > 15 * small_triples
    # 20 times the triples (hundreds of MB of text) cost less than 25 MB more at the peak.
    assert large_peak - small_peak < 25 * 1024


def test_synth_command_writes_graph_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "g.trig"
    result = CliRunner().invoke(
        main, ["synth", "--clusters", "5", "--seed", "2", "--defects", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "5 clusters" in result.stderr
    manifest = json.loads((tmp_path / "g.trig.defects.json").read_text(encoding="utf-8"))
    assert len(manifest["defects"]) == 3
    assert len(_load(out)) == manifest["triples"]


def test_synth_command_streams_nquads_to_standard_output() -> None:
    result = CliRunner().invoke(main, ["synth", "--clusters", "2", "--seed", "8"])
    assert result.exit_code == 0
    quads = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.N_QUADS))
    assert str(len(quads)) in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--clusters", "0"], "--clusters must be at least 1"),
        (["--clusters", "3", "--out", "{tmp}/g.ttl"], "name the file .nq or .trig"),
        (["--clusters", "3", "--defects", "2"], "needs --manifest FILE"),
        (["--clusters", "3", "--out", "{tmp}/missing/g.nq"], "cannot write g.nq here"),
    ],
)
def test_synth_command_refuses_bad_options(tmp_path: Path, arguments: list[str], message: str) -> None:
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    result = CliRunner().invoke(main, ["synth", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
