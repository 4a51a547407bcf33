"""Releases of a workspace: frozen, compared with each other and with the workspace, and named on pages."""

from csei_graph.releases.changes import Changes, as_markdown, as_rdf, compare
from csei_graph.releases.freeze import (
    WORKSPACE_STATE,
    Frozen,
    Release,
    dump_name,
    find,
    fingerprint,
    published_files,
    quads_of,
    release,
    releases,
    version_iri,
)
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.workspace import BUILTIN_RELEASE, Workspace


def identity(settings: Settings) -> str:
    """Which release the graph in use is, in a few words for a page's footer and `csei info`."""
    if settings.workspace is None:
        return f"built-in release {BUILTIN_RELEASE}"
    workspace = Workspace(settings.workspace)
    name = workspace.root.name
    known = releases(workspace)
    if not known:
        return f"workspace {name}, not released yet (over the built-in release {BUILTIN_RELEASE})"
    latest = known[-1]
    if fingerprint(builtin_sources(settings)) == latest.fingerprint:
        return f"release {latest.version} of {name} ({latest.issued})"
    return f"workspace {name}: release {latest.version} and changes made since"


def diff(workspace: Workspace, first: str, second: str, settings: Settings) -> Changes:
    """What changed from one state to another: each a release's version, or `workspace` (the graph now)."""

    def state(name: str) -> list:  # type: ignore[type-arg]
        if name == WORKSPACE_STATE:
            return list(GraphStore.from_sources(builtin_sources(settings), settings).quads())
        return quads_of(find(workspace, name))

    return compare(state(first), state(second))


__all__ = [
    "WORKSPACE_STATE",
    "Changes",
    "Frozen",
    "Release",
    "as_markdown",
    "as_rdf",
    "compare",
    "diff",
    "dump_name",
    "find",
    "fingerprint",
    "identity",
    "published_files",
    "quads_of",
    "release",
    "releases",
    "version_iri",
]
