"""The router: which page a site path shows, for `csei serve` (every HTML file `csei publish` writes
maps back to its view here)."""

from collections.abc import Mapping

from csei_graph.pages import paths
from csei_graph.pages.description import DescriptionView, description_view
from csei_graph.pages.explore import EXPLORE_PAGE, ExploreView, explore_view
from csei_graph.pages.home import HomeView, home_view
from csei_graph.pages.listing import ListingView, listing_for_stem, listing_page
from csei_graph.pages.message import MessageView
from csei_graph.pages.network import NETWORK_PAGE, NetworkView, network_view
from csei_graph.pages.ontology import OntologyView, ontology_view
from csei_graph.pages.query import (
    EDITOR_PAGE,
    QUERY_FOLDER,
    QueriesView,
    QueryView,
    editor_page,
    queries_view,
    query_view,
)
from csei_graph.pages.reader import Reader
from csei_graph.pages.resource import ResourceView, resource_page
from csei_graph.pages.search import SearchView, search_view
from csei_graph.pages.shapes import ShapesView, shapes_view
from csei_graph.settings import Settings
from csei_graph.site import catalogue
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
    | ExploreView
    | DescriptionView
    | NetworkView
)


def query_page(
    store: Store, path: str, settings: Settings | None = None, values: Mapping[str, str] | None = None
) -> QueryView | None:
    """A stored query's page at `query/NAME.html` (the values given, else the defaults) or at
    `query/NAME/PARAM/CODE.html` (that value of a concept parameter), or None."""
    parts = path.removesuffix(paths.PAGE_EXTENSION).split("/")
    if len(parts) == 2:
        view = query_view(store, parts[1], settings, values or {})
    elif len(parts) == 4:
        view = query_view(store, parts[1], settings, {parts[2]: parts[3]})
    else:
        return None
    # One page for one result: values that are the defaults, or not a concept, have no page of their own.
    return view if view is not None and (len(parts) == 2 or (view.path == path and not view.error)) else None


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
        "catalog.html": lambda: description_view(store, "catalog", settings),
        "void.html": lambda: description_view(store, "void", settings),
        EXPLORE_PAGE: lambda: explore_view(store, settings),
        NETWORK_PAGE: lambda: network_view(store, settings),
        EDITOR_PAGE: lambda: editor_page(
            catalogue.dataset_metadata(Reader(store, settings).settings).sparql_url
        ),
    }
    if path in fixed:
        return fixed[path]()
    stem = path.removesuffix(paths.PAGE_EXTENSION)
    if stem.startswith(f"{QUERY_FOLDER}/"):
        return query_page(store, path, settings)
    reader = Reader(store, settings)
    if stem.startswith("list/"):
        listing = listing_for_stem(reader, stem)
        return listing_page(reader, listing) if listing else None
    iri = paths.iri_for_stem(stem, reader.base)
    return resource_page(reader, iri) if iri else None
