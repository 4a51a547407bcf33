"""A large graph validated in pieces gives exactly what one run over all of it gives."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph.progress import Steps
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources, discover
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import SynthResult, write_synthetic
from csei_graph.validation import engines, validate, walks
from csei_graph.validation.pieces import Neighbourhoods, grouped
from csei_graph.validation.report import EngineRun, Report, Result, read_results
from csei_graph.validation.tries import trie
from csei_graph.validation.validate import (
    DataGraph,
    checked_shapes,
    project_shapes,
    validate_store,
    whole_graph,
)

GROUP_SIZE = 150


def _neighbourhoods(data: DataGraph) -> Neighbourhoods:
    reads = project_shapes().reads
    inbound = reads.inbound()
    assert inbound is not None
    return Neighbourhoods(data.ntriples, [f"<{p}>".encode() for p in inbound], reads.walks, reads.terms)


def _key(result: Result) -> tuple[str | None, ...]:
    # The compiled engine renames blank nodes; results on them are compared without the name.
    def unnamed(term: str | None) -> str | None:
        return "_:" if term and term.startswith("_:") else term

    location = result.location
    return (
        result.severity,
        unnamed(result.focus),
        result.rule,
        result.component,
        result.path,
        unnamed(result.value),
        result.message,
        result.label,
        None if location is None else f"{location.path}:{location.line}:{location.column}",
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthResult]:
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.trig"
    return path, write_synthetic(path, 12, 7, defects=10)


class CountedSteps(Steps):
    """The steps a validation shows and the items counted in each."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None, int]] = []

    def step(self, name: str, total: int | None = None, *, unit: str = "items") -> None:
        self.steps.append((name, total, 0))

    def advance(self, done: int = 1) -> None:
        name, total, counted = self.steps[-1]
        self.steps[-1] = (name, total, counted + done)


def _validated(
    path: Path,
    engine: str,
    pieces_above: int,
    monkeypatch: pytest.MonkeyPatch,
    progress: Steps | None = None,
) -> Report:
    monkeypatch.setattr(validate, "PIECES_ABOVE", pieces_above)
    monkeypatch.setattr(engines, "PIECE_FOCUS_NODES", GROUP_SIZE)
    sources = builtin_sources(Settings()) + discover([path])
    store = GraphStore.from_sources(sources)
    files = [s.path for s in sources]
    return validate_store(store, whole_graph(store), engine, files=files, progress=progress)


def test_pieces_give_the_results_of_a_single_run(
    synthetic: tuple[Path, SynthResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, made = synthetic
    shown = CountedSteps()
    in_pieces = _validated(path, "shacl", 0, monkeypatch, shown)
    single = _validated(path, "shacl", 10**9, monkeypatch)
    assert sorted(map(_key, in_pieces.results)) == sorted(map(_key, single.results))
    assert in_pieces.rules.keys() == single.rules.keys()
    assert in_pieces.conforms is single.conforms is False
    # Each defect put in the graph is found on its node.
    assert {d.focus for d in made.defects} <= {r.focus for r in in_pieces.results}
    # The progress shown counts every focus node once, up to the total it announced.
    name, total, counted = shown.steps[0]
    assert name == "checking the shapes around each focus node"
    assert total is not None and total > GROUP_SIZE * 3
    assert counted == total


def test_the_graph_is_cut_into_several_pieces_that_cover_every_focus_node(
    synthetic: tuple[Path, SynthResult],
) -> None:
    store = GraphStore.from_sources(builtin_sources(Settings()) + discover([synthetic[0]]))
    data = DataGraph.from_store(store)
    around = _neighbourhoods(data)
    shapes = project_shapes()
    resolved = shapes.targets_in(shapes.selected_on(data), around.instances)
    assert resolved is not None
    shapes_of = resolved[1]
    groups = list(grouped(shapes_of, around, GROUP_SIZE))
    assert len(groups) > 3
    taken = [node for group in groups for node in group]
    assert sorted(taken) == sorted(shapes_of)
    # A piece hands the engine far less than the whole graph.
    assert max(len(around.read_by(group)) for group in groups) < len(store) / 2


def test_a_piece_reads_what_a_focused_run_reads(synthetic: tuple[Path, SynthResult]) -> None:
    store = GraphStore.from_sources(discover([synthetic[0]]))
    data = DataGraph.from_store(store)
    around = _neighbourhoods(data)
    clusters = [
        row["c"] for row in store.query("SELECT ?c WHERE { ?c a <https://w3id.org/csei/ontology#CSEI> }")
    ]  # type: ignore[index,union-attr]
    nodes = set(clusters[:3])
    tree = trie(project_shapes().reads.walks)
    from_store = {str(t).encode() for t in walks.read_by(store, nodes, tree)}  # type: ignore[arg-type]
    lines = around.read_by(str(node).encode() for node in nodes)
    assert {around.lines[n].removesuffix(b" .") for n in lines} == from_store


def test_the_instances_of_a_class_include_those_of_its_subclasses() -> None:
    turtle = b"""
        @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:B .
        ex:a a ex:A . ex:b a ex:B . ex:c a ex:C . ex:d a ex:D .
    """
    ntriples = ox.serialize(ox.parse(turtle, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    around = Neighbourhoods(ntriples, [], ())
    assert around.instances(b"<http://example.org/A>") == {
        b"<http://example.org/a>",
        b"<http://example.org/b>",
        b"<http://example.org/c>",
    }
    assert len(around.shared) == 2  # the class hierarchy goes with every piece


def test_every_kind_of_target_is_resolved_as_the_engine_resolves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    prefixes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    shapes = checked_shapes(
        ox.parse(
            (
                prefixes + "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetNode ex:lone ; "
                "sh:targetSubjectsOf ex:knows ; sh:targetObjectsOf ex:knows ; "
                "sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
            ).encode(),
            format=ox.RdfFormat.TURTLE,
        ),
        "test shapes",
    )
    data = ox.parse(
        (
            prefixes + "ex:Part rdfs:subClassOf ex:Thing . ex:a a ex:Part . ex:b a ex:Thing ; ex:name 'B' . "
            "ex:c ex:knows ex:d . ex:e ex:name 'E' ."
        ).encode(),
        format=ox.RdfFormat.TURTLE,
    )
    store = GraphStore()
    store.add_all(
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/g")) for q in data
    )
    whole = DataGraph.from_store(store)
    monkeypatch.setattr(engines, "PIECE_FOCUS_NODES", 1)
    in_pieces = engines.run_in_pieces(shapes, store, whole)
    assert in_pieces is not None
    single = validate.run_engine("shacl", shapes, whole)

    def focus_nodes(run: EngineRun) -> list[str]:
        return sorted(r.focus for r in read_results(run, shapes.graph, "shacl").results)

    expected = [f"http://example.org/{name}" for name in ("a", "c", "d", "lone")]
    assert focus_nodes(in_pieces) == focus_nodes(single) == expected


UNRESOLVED = {
    "implicit class target": (
        "ex:Thing a sh:NodeShape, rdfs:Class ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        "ex:a a ex:Thing .",
    ),
    "blank focus node": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        "[] a ex:Thing .",
    ),
    "literal focus node": (
        "ex:S a sh:NodeShape ; sh:targetNode 'a' ; sh:maxLength 3 .",
        "ex:a a ex:Thing .",
    ),
    "SPARQL target left to the engine": (
        "ex:S a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ; sh:target [ "
        "a sh:SPARQLTarget ; sh:select 'SELECT ?this WHERE { ?this a ?c FILTER (?c != $currentShape) }' ] .",
        "ex:a a ex:Thing .",
    ),
}


@pytest.mark.parametrize("case", sorted(UNRESOLVED))
def test_targets_that_cannot_be_resolved_leave_the_graph_to_a_single_run(case: str) -> None:
    prefixes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    shapes, data_turtle = UNRESOLVED[case]
    triples = list(ox.parse((prefixes + shapes).encode(), format=ox.RdfFormat.TURTLE))
    data = DataGraph.from_triples(ox.parse((prefixes + data_turtle).encode(), format=ox.RdfFormat.TURTLE))
    around = Neighbourhoods(data.ntriples, [], ())
    shapes = checked_shapes(triples, "test shapes")
    assert shapes.targets_in(shapes.selected_on(data), around.instances) is None


@pytest.mark.slow
def test_pieces_give_what_pyshacl_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "small.trig"
    write_synthetic(path, 3, 11, defects=4)

    def keys(report: Report) -> set[tuple[str | None, ...]]:
        return {_key(r)[:7] for r in report.results}

    assert keys(_validated(path, "shacl", 0, monkeypatch)) == keys(
        _validated(path, "pyshacl", 0, monkeypatch)
    )
