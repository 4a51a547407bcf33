"""The router: which page a site path shows, for `csei serve` (every HTML file `csei publish` writes
maps back to its view here)."""

from csei_graph.pages import paths
from csei_graph.pages.home import HomeView, home_view
from csei_graph.pages.listing import ListingView, listing_for_stem, listing_page
from csei_graph.pages.message import MessageView
from csei_graph.pages.ontology import OntologyView, ontology_view
from csei_graph.pages.query import QUERY_FOLDER, QueriesView, QueryView, queries_view, query_view
from csei_graph.pages.reader import Reader
from csei_graph.pages.resource import ResourceView, resource_page
from csei_graph.pages.search import SearchView, search_view
from csei_graph.pages.shapes import ShapesView, shapes_view
from csei_graph.settings import Settings
from csei_graph.stores.base import Store

View = (
    ResourceView
    | ListingView
    | HomeView
    | OntologyView
    | ShapesView
    | QueryView
    | QueriesView
    | SearchView
    | MessageView
)


def view_for_path(store: Store, path: str, settings: Settings | None = None) -> View | None:
    """The view published at a site path (`doc/cluster/x.html`, `list/...`, `index.html`...), or None."""
    path = path.lstrip("/") or paths.HOME_PAGE
    if not paths.is_safe_path(path) or not path.endswith(paths.PAGE_EXTENSION):
        return None
    fixed = {
        paths.HOME_PAGE: lambda: home_view(store, settings),
        paths.SEARCH_PAGE: search_view,
        paths.ONTOLOGY_PAGE: lambda: ontology_view(store, settings),
        paths.SHAPES_PAGE: lambda: shapes_view(store, settings=settings),
        f"{QUERY_FOLDER}/index.html": lambda: queries_view(store, settings),
    }
    if path in fixed:
        return fixed[path]()
    stem = path.removesuffix(paths.PAGE_EXTENSION)
    if stem.startswith(f"{QUERY_FOLDER}/"):
        return query_view(store, stem[len(QUERY_FOLDER) + 1 :], settings)
    reader = Reader(store, settings)
    if stem.startswith("list/"):
        listing = listing_for_stem(reader, stem)
        return listing_page(reader, listing) if listing else None
    iri = paths.iri_for_stem(stem, reader.base)
    return resource_page(reader, iri) if iri else None
