"""Focused validation of a contribution gives exactly what validating the whole graph gives on it."""

from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import ORG, SKOS

from csei_graph.namespaces import CSEI
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources, resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.contribute import read_contribution
from csei_graph.validation.reads import STORED, shape_reads, stored_reads, stored_text
from csei_graph.validation.validate import (
    Scope,
    around_changes,
    project_shapes,
    scope_report,
    whole_graph,
)

from .conftest import BAD
from .test_bad_contributions import EXPECTED

GOOD = Path(__file__).resolve().parent / "good"
READABLE_BAD = [BAD / name for name, case in EXPECTED.items() if case["exit"] == 1]
CONTRIBUTIONS = sorted(READABLE_BAD + list(GOOD.iterdir()), key=lambda p: p.name)


def _keys(store: GraphStore, scope: Scope) -> set[tuple[str, ...]]:
    report = scope_report("shacl", project_shapes(), scope)
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


def test_the_reads_of_the_project_shapes_are_derived_from_them() -> None:
    reads = project_shapes().reads
    # Backwards, the shapes follow a cluster's memberships, a scheme's concepts and the other
    # awards of a label's holder; a cluster's checks reach its members' actor kinds, three steps away.
    assert reads.inbound() == {str(ORG.organization), str(SKOS.inScheme), f"{CSEI}awardedTo"}
    assert max(len(walk) for walk in reads.walks) == 3
    assert reads.hierarchy
    # The vocabulary check reads the description of each predicate a resource uses.
    assert reads.terms
    assert not reads.whole, "every project shape is checked around its focus nodes"


def test_the_stored_analysis_is_that_of_the_shapes(tmp_path: Path) -> None:
    files = sorted(resource_dir("shapes").glob("*.ttl"))
    fresh = stored_text(shape_reads(project_shapes().graph), files)
    assert fresh is not None
    if STORED.read_text(encoding="utf-8") != fresh:
        (tmp_path / STORED.name).write_text(fresh, encoding="utf-8")
        pytest.fail(
            f"the stored analysis is stale after a change to shapes/: cp {tmp_path / STORED.name} {STORED}"
        )
    assert project_shapes().reads == stored_reads(files)


def test_a_blank_node_contribution_is_validated_too(copy_settings: Settings) -> None:
    contribution = read_contribution([BAD / "blank-node-cluster.ttl"], copy_settings)
    store = GraphStore.from_sources(builtin_sources(copy_settings))
    store.add_all(contribution.quads)
    scope = around_changes(store, contribution.quads)
    assert any(isinstance(node, BNode) for node in scope.focus or ())
    # The compiled engine renames blank nodes in its report, so every result on one is kept.
    assert scope.keeps(BNode("renamed-by-the-engine"))
