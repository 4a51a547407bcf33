"""The search page and its index: every resource's label, other names, types and page.

Template `search.html`; the results are drawn in the browser from `search-index.json`.
"""

from dataclasses import dataclass
from typing import ClassVar

import pyoxigraph as ox

from csei_graph.pages import paths
from csei_graph.pages.reader import Reader
from csei_graph.settings import Settings
from csei_graph.stores.base import Store

SEARCH_INDEX = "search-index.json"


@dataclass(frozen=True)
class SearchView:
    """The search page; results are drawn in the browser from `search-index.json`."""

    template: ClassVar[str] = "search.html"

    path: str
    title: str
    index_path: str


def search_view() -> SearchView:
    """The search page."""
    return SearchView(path=paths.SEARCH_PAGE, title="Search", index_path=SEARCH_INDEX)


def resource_iris(store: Store, settings: Settings | None = None) -> list[str]:
    """Every IRI of the graph that has a page of its own (see `paths.document_stem`), sorted."""
    return Reader(store, settings).resource_iris()


def search_index(store: Store, settings: Settings | None = None) -> list[dict[str, str]]:
    """The entries of `search-index.json`: label (l), other names (a), types (t) and page path (p)."""
    return search_entries(Reader(store, settings))


def search_entries(reader: Reader) -> list[dict[str, str]]:
    """The entries of `search-index.json`, read through a reader."""
    names = reader.all_names()
    types = reader.all_types()
    entries = []
    for iri in reader.resource_iris():
        label = reader.label(ox.NamedNode(iri))
        others = sorted(set(names.get(iri, [])) - {label})
        type_labels = sorted(reader.label(ox.NamedNode(t)) for t in types.get(iri, ()))
        entries.append(
            {
                "l": label,
                "a": " | ".join(others),
                "t": ", ".join(type_labels),
                "p": paths.page_path(iri, reader.base) or "",
            }
        )
    return sorted(entries, key=lambda e: (e["l"].casefold(), e["p"]))
