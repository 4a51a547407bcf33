"""The network view: clusters as nodes, the members two clusters share as weighted edges, filterable
by country and by the kind of actor shared.

Template `network.html`, script `static/network.js` with the vendored Cytoscape.js
(`static/vendor/cytoscape/`); the graph is in the page itself, so nothing is fetched.
"""

from dataclasses import dataclass
from typing import ClassVar

from csei_graph.namespaces import COUNTRY
from csei_graph.pages import paths
from csei_graph.pages.clusters import ACTOR_KIND, concept_labels, read_clusters, shared_members
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import script_json
from csei_graph.settings import Settings
from csei_graph.stores.base import Store

NETWORK_PAGE = "network.html"
NO_KIND = "none"


@dataclass(frozen=True)
class NetworkView:
    """The clusters linked by shared members, as data for the page's script."""

    template: ClassVar[str] = "network.html"

    path: str
    title: str
    nodes: int
    edges: int
    data_json: str


def network_view(store: Store, settings: Settings | None = None) -> NetworkView:
    """Every cluster that shares a member with another, and each such pair with its shared members by kind."""
    reader = Reader(store, settings)
    clusters = read_clusters(reader)
    pairs = shared_members(clusters)
    linked = sorted({iri for pair in pairs for iri in pair})
    index = {iri: number for number, iri in enumerate(linked)}
    nodes = [
        {
            "id": f"n{index[iri]}",
            "l": clusters[iri].label,
            "p": paths.relative_url(clusters[iri].path, NETWORK_PAGE) if clusters[iri].path else iri,
            "c": sorted(clusters[iri].countries),
            "m": len(clusters[iri].members),
        }
        for iri in linked
    ]
    edges = [
        {
            "s": f"n{index[one]}",
            "t": f"n{index[other]}",
            "k": {kind or NO_KIND: count for kind, count in sorted(kinds.items())},
        }
        for (one, other), kinds in sorted(pairs.items())
    ]
    countries = {c for iri in linked for c in clusters[iri].countries}
    kinds = {kind for counts in pairs.values() for kind in counts if kind}
    return NetworkView(
        path=NETWORK_PAGE,
        title="The network of clusters",
        nodes=len(nodes),
        edges=len(edges),
        data_json=script_json(
            {
                "nodes": nodes,
                "edges": edges,
                "countries": concept_labels(reader, str(COUNTRY), countries),
                "kinds": {**concept_labels(reader, ACTOR_KIND, kinds), NO_KIND: "no stated kind"},
            }
        ),
    )
