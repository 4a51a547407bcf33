"""The home page: what the graph holds (counts of classes and schemes), queries, dumps and metadata.

Template `home.html`.
"""

from dataclasses import dataclass, replace
from typing import ClassVar

from csei_graph.export import CONTEXT_NAME, DUMP_FORMATS
from csei_graph.pages import paths
from csei_graph.pages.listing import CLASS_COUNTS, SCHEME_COUNTS, Listing, listing_path
from csei_graph.pages.model import Count, Download, Link
from csei_graph.pages.query import queries_view
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import script_json
from csei_graph.pages.vocabulary import link_order
from csei_graph.settings import Settings
from csei_graph.site import catalogue
from csei_graph.stores.base import Store


@dataclass(frozen=True)
class HomeView:
    """The home page: what the graph holds and where to go from here."""

    template: ClassVar[str] = "home.html"

    path: str
    title: str
    description: str
    triples: int
    graphs: int
    classes: tuple[Count, ...]
    schemes: tuple[Count, ...]
    queries: tuple[Link, ...]
    downloads: tuple[Download, ...]
    metadata: tuple[Link, ...]
    dataset_jsonld: str


def home_view(store: Store, settings: Settings | None = None) -> HomeView:
    """The home page: counts, the listings of classes and schemes, stored queries, dumps, metadata."""
    reader = Reader(store, settings)
    dataset = catalogue.dataset_metadata(reader.settings)
    return HomeView(
        path=paths.HOME_PAGE,
        title=dataset.title,
        description=dataset.description,
        triples=len(store),
        graphs=len(store.graph_names()),
        classes=_class_counts(reader),
        schemes=_scheme_counts(reader),
        queries=tuple(c.link for c in queries_view(store, settings).queries),
        downloads=tuple(Download(f.label, f.media_type, paths.dump_path(f.extension)) for f in DUMP_FORMATS),
        metadata=(
            Link(dataset.catalogue_iri, "DCAT-AP catalogue (Turtle)", catalogue.CATALOGUE_FILE),
            Link(dataset.void_iri, "VoID description (Turtle)", catalogue.VOID_FILE),
            Link(dataset.context_iri, "JSON-LD context", CONTEXT_NAME),
            Link(dataset.ontology_iri, "Ontology documentation", paths.ONTOLOGY_PAGE),
            Link(dataset.shapes_iri, "Shape documentation", paths.SHAPES_PAGE),
            Link(dataset.sparql_url, "SPARQL endpoint (csei serve)", None),
        ),
        dataset_jsonld=script_json(catalogue.schema_org_dataset(store, reader.settings)),
    )


def _class_counts(reader: Reader) -> tuple[Count, ...]:
    counts = [
        Count(
            replace(reader.link(row["class"]), path=listing_path(Listing("class", row["class"].value))),
            int(row["n"].value),
        )
        for row in reader.query(CLASS_COUNTS)
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, link_order(c.link))))


def _scheme_counts(reader: Reader) -> tuple[Count, ...]:
    counts = [
        Count(
            replace(reader.link(row["scheme"]), path=listing_path(Listing("scheme", row["scheme"].value))),
            int(row["n"].value),
        )
        for row in reader.query(SCHEME_COUNTS)
        if int(row["n"].value)
    ]
    return tuple(sorted(counts, key=lambda c: link_order(c.link)))
