"""The explorer: every cluster with facets that combine (country AND innovation type AND actor kind),
counts that follow the choice, and the choice kept in the page's address.

Template `explore.html`, script `static/explore.js`; the clusters and their facet values are in the
page itself, so the static site and `csei serve` show the same thing without a request.
"""

from dataclasses import dataclass
from typing import ClassVar

from csei_graph.namespaces import COUNTRY
from csei_graph.pages import paths
from csei_graph.pages.clusters import ACTOR_KIND, INNOVATION_TYPE, concept_labels, read_clusters
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import script_json
from csei_graph.settings import Settings
from csei_graph.stores.base import Store

EXPLORE_PAGE = "explore.html"
# Each facet: its name in the address, its label, which field of a cluster holds its codes, and the
# namespace its concepts' IRIs are in.
FACETS = (
    ("country", "Country", "c", str(COUNTRY)),
    ("innovation", "Innovation type", "i", INNOVATION_TYPE),
    ("kind", "Actor kind among the members", "k", ACTOR_KIND),
)


@dataclass(frozen=True)
class ExploreView:
    """The clusters with their facet values, as data for the page's script."""

    template: ClassVar[str] = "explore.html"

    path: str
    title: str
    total: int
    data_json: str


def explore_view(store: Store, settings: Settings | None = None) -> ExploreView:
    """Every cluster with its countries, innovation types and members' actor kinds."""
    reader = Reader(store, settings)
    clusters = sorted(
        (c for c in read_clusters(reader).values() if c.is_cluster), key=lambda c: (c.label.casefold(), c.iri)
    )
    values = {"c": lambda c: c.countries, "i": lambda c: c.innovations, "k": lambda c: c.kinds}
    items = [
        {
            "l": c.label,
            "p": paths.relative_url(c.path, EXPLORE_PAGE) if c.path else c.iri,
            "c": sorted(c.countries),
            "i": sorted(c.innovations),
            "k": sorted(c.kinds),
        }
        for c in clusters
    ]
    facets = [
        {
            "name": name,
            "label": label,
            "field": key,
            "values": concept_labels(reader, namespace, set().union(*(values[key](c) for c in clusters))),
        }
        for name, label, key, namespace in FACETS
    ]
    return ExploreView(
        path=EXPLORE_PAGE,
        title="Explore the clusters",
        total=len(items),
        data_json=script_json({"facets": facets, "clusters": items}),
    )
