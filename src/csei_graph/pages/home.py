"""The home page, about the domain: the clusters on a map of Europe, the programmes and their figures,
the newest contributions, where to explore; the ontology, shapes, dumps and metadata behind links.

Template `home.html`. `classes` and `schemes` count every class and scheme (the publisher writes a
listing for each); the page shows the classes of the domain, not those of OWL, RDFS or SHACL.
"""

from collections import Counter
from dataclasses import dataclass, replace
from typing import ClassVar

import pyoxigraph as ox

from csei_graph.export import CONTEXT_NAME, DUMP_FORMATS
from csei_graph.namespaces import COUNTRY
from csei_graph.pages import maps, paths
from csei_graph.pages.clusters import read_clusters
from csei_graph.pages.explore import EXPLORE_PAGE
from csei_graph.pages.listing import CLASS_COUNTS, SCHEME_COUNTS, Listing, listing_path
from csei_graph.pages.model import Count, Download, Link
from csei_graph.pages.network import NETWORK_PAGE
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
    map_svg: str = ""
    clusters: int = 0
    countries: tuple[Count, ...] = ()
    programmes: tuple[tuple[Link, tuple[str, ...]], ...] = ()
    newest: tuple[tuple[Link, str], ...] = ()
    explore: str = EXPLORE_PAGE
    network: str = NETWORK_PAGE

    @property
    def domain_classes(self) -> tuple[Count, ...]:
        """The classes of the domain: those of OWL, RDF, RDFS and SHACL are the ontology's machinery."""
        return tuple(c for c in self.classes if not c.link.iri.startswith(MACHINERY))


MACHINERY = (
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/ns/shacl#",
)
PROGRAMME_FIGURES = """
SELECT ?programme ?subject ?measure ?qualifier ?value ?unit ?year WHERE {
    ?programme a csei:Programme .
    OPTIONAL {
        # The programme's figures and those of the actions it funds.
        ?subject csei:fundedBy* ?programme ; a ?kind VALUES ?kind { csei:Programme csei:Action }
        ?statistic csei:statisticOf ?subject ; csei:value ?value .
        OPTIONAL { ?statistic csei:measure ?measure }
        OPTIONAL { ?statistic csei:qualifier ?qualifier }
        OPTIONAL {
            ?statistic csei:unit ?unitConcept . ?unitConcept skos:prefLabel ?unit
            FILTER(LANG(?unit) = "en" && STR(?unit) != "count")
        }
        OPTIONAL { ?statistic csei:referenceYear ?year }
    }
}"""
NEWEST_GRAPHS = """
SELECT ?graph (MAX(STR(?date)) AS ?when) WHERE {
    ?graph csei:provenanceKind ?kind .
    OPTIONAL { ?graph prov:generatedAtTime|dct:issued|dct:created ?date }
} GROUP BY ?graph"""
NEWEST_LIMIT = 6
FIGURES_PER_PROGRAMME = 3


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
        classes=class_counts(reader),
        schemes=scheme_counts(reader),
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
        **_overview(reader),
    )


def _overview(reader: Reader) -> dict:
    """The map of clusters, the countries, the programmes with figures and the newest graphs."""
    clusters = [c for c in read_clusters(reader).values() if c.is_cluster]
    per_country: Counter[str] = Counter(code for c in clusters for code in c.countries)
    top = max(per_country.values(), default=1)
    titles = {
        code: f"{reader.label(ox.NamedNode(str(COUNTRY) + code))}: {n} clusters"
        for code, n in per_country.items()
    }
    marks = []
    placed: Counter[str] = Counter()
    for cluster in sorted(clusters, key=lambda c: (c.label.casefold(), c.iri)):
        for code in sorted(cluster.countries)[:1]:
            centre = maps.country_centre(code)
            if centre is None:
                continue
            x, y = maps.around(centre, placed[code])
            placed[code] += 1
            href = paths.relative_url(cluster.path, paths.HOME_PAGE) if cluster.path else ""
            marks.append((x, y, cluster.label, href))
    countries = sorted(
        (Count(reader.link(ox.NamedNode(str(COUNTRY) + code)), n) for code, n in per_country.items()),
        key=lambda c: (-c.count, link_order(c.link)),
    )
    return {
        "map_svg": maps.europe(
            {k: v / top for k, v in per_country.items()}, titles, tuple(marks), "map europe home"
        ),
        "clusters": len(clusters),
        "countries": tuple(countries),
        "programmes": _programmes(reader),
        "newest": _newest(reader),
    }


def _programmes(reader: Reader) -> tuple[tuple[Link, tuple[str, ...]], ...]:
    figures: dict[str, list[str]] = {}
    for row in reader.query(PROGRAMME_FIGURES):
        programme = row["programme"]
        if not isinstance(programme, ox.NamedNode):
            continue
        shown = figures.setdefault(programme.value, [])
        if row["value"] is not None:
            words = [row[name].value for name in ("qualifier", "value", "unit") if row[name] is not None]
            what = row["measure"].value if row["measure"] is not None else "figure"
            year = f" ({row['year'].value})" if row["year"] is not None else ""
            subject = "" if row["subject"] == programme else f"{reader.label(row['subject'])}: "
            shown.append(f"{subject}{what}: {' '.join(words)}{year}")
    links = sorted(
        ((reader.link(ox.NamedNode(iri)), sorted(set(f))) for iri, f in figures.items()),
        key=lambda x: link_order(x[0]),
    )
    return tuple((link, tuple(f[:FIGURES_PER_PROGRAMME])) for link, f in links)


def _newest(reader: Reader) -> tuple[tuple[Link, str], ...]:
    graphs = [
        (row["when"].value if row["when"] is not None else "", reader.link(row["graph"]))
        for row in reader.query(NEWEST_GRAPHS)
        if isinstance(row["graph"], ox.NamedNode)
    ]
    graphs.sort(key=lambda g: link_order(g[1]))
    graphs.sort(key=lambda g: g[0], reverse=True)  # newest first; undated last, by name
    return tuple((link, when[:10]) for when, link in graphs[:NEWEST_LIMIT])


def class_counts(reader: Reader) -> tuple[Count, ...]:
    """Every class with its number of instances (its subclasses' included), most first."""
    counts = [
        Count(
            replace(reader.link(row["class"]), path=listing_path(Listing("class", row["class"].value))),
            int(row["n"].value),
        )
        for row in reader.query(CLASS_COUNTS)
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, link_order(c.link))))


def scheme_counts(reader: Reader) -> tuple[Count, ...]:
    """Every concept scheme with concepts, with their number, by name."""
    counts = [
        Count(
            replace(reader.link(row["scheme"]), path=listing_path(Listing("scheme", row["scheme"].value))),
            int(row["n"].value),
        )
        for row in reader.query(SCHEME_COUNTS)
        if int(row["n"].value)
    ]
    return tuple(sorted(counts, key=lambda c: link_order(c.link)))
