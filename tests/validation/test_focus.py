"""Focused validation of a contribution gives exactly what validating the whole graph gives on it."""

from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import SH

from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.contribute import read_contribution
from csei_graph.validation.report import read_results
from csei_graph.validation.validate import (
    FOCUS_DEPTH,
    INBOUND_PREDICATES,
    Scope,
    around_changes,
    project_shapes,
    run_engine,
    whole_graph,
)

from .conftest import BAD
from .test_bad_contributions import EXPECTED

GOOD = Path(__file__).resolve().parent / "good"
READABLE_BAD = [BAD / name for name, case in EXPECTED.items() if case["exit"] == 1]
CONTRIBUTIONS = sorted(READABLE_BAD + list(GOOD.iterdir()), key=lambda p: p.name)


def _keys(store: GraphStore, scope: Scope) -> set[tuple[str, ...]]:
    shapes = project_shapes()
    report = read_results(run_engine("shacl", shapes, scope.data), shapes.graph, "shacl", keep=scope.keeps)
    return {
        (r.severity, r.focus, r.rule or "", r.path or "", r.value or "", r.message)
        for r in report.results
        if not r.focus.startswith("_:")
    }


def _builtin() -> GraphStore:
    return GraphStore.from_sources(builtin_sources())


@pytest.fixture(scope="module")
def before() -> set[tuple[str, ...]]:
    store = _builtin()
    return _keys(store, whole_graph(store))


@pytest.mark.parametrize("path", CONTRIBUTIONS, ids=lambda p: p.name)
def test_focused_results_are_the_whole_graph_results_on_what_changed(
    path: Path, before: set[tuple[str, ...]]
) -> None:
    contribution = read_contribution([path])
    store = _builtin()
    store.add_all(contribution.quads)
    focused = around_changes(store, contribution.quads)
    assert focused.focus is not None, "a small contribution is validated around its changes"
    after = _keys(store, whole_graph(store))

    def outside(keys: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        return {key for key in keys if URIRef(key[1]) not in (focused.focus or ())}

    assert _keys(store, focused) == after - outside(after)
    # Nothing changes on the nodes the focused run leaves out.
    assert outside(after) == outside(before)


def test_the_focused_data_leaves_unrelated_resources_out() -> None:
    contribution = read_contribution([GOOD / "members-of-coursive-boutaric.ttl"])
    store = _builtin()
    store.add_all(contribution.quads)
    focused = around_changes(store, contribution.quads)
    validated = focused.data.ntriples.decode()
    assert "<https://w3id.org/csei/id/cluster/coursive-boutaric> " in validated
    assert "<https://w3id.org/csei/id/cluster/domb-innov> " not in validated
    assert len(focused.data.ntriples.splitlines()) < len(store)


def test_shapes_follow_backwards_only_the_inbound_predicates() -> None:
    shapes = project_shapes().graph
    inverse = {str(p) for p in shapes.objects(None, SH.inversePath)}
    targets = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    assert inverse | targets <= {p.value for p in INBOUND_PREDICATES}


def test_no_property_path_is_longer_than_the_focus_depth() -> None:
    shapes = project_shapes().graph

    def length(path: object) -> int:
        if isinstance(path, URIRef):
            return 1
        items = list(shapes.items(path)) if (path, None, None) in shapes else []
        if (path, SH.alternativePath, None) not in shapes and items:
            return sum(length(item) for item in items)
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return max(length(item) for item in shapes.items(alternatives))
        return length(next(shapes.objects(path, None)))

    longest = max(length(path) for path in shapes.objects(None, SH.path))
    assert longest <= FOCUS_DEPTH - 1


def test_a_blank_node_contribution_is_validated_too(copy_settings: Settings) -> None:
    contribution = read_contribution([BAD / "blank-node-cluster.ttl"], copy_settings)
    store = GraphStore.from_sources(builtin_sources(copy_settings))
    store.add_all(contribution.quads)
    scope = around_changes(store, contribution.quads)
    assert any(isinstance(node, BNode) for node in scope.focus or ())
    # The compiled engine renames blank nodes in its report, so every result on one is kept.
    assert scope.keeps(BNode("renamed-by-the-engine"))
