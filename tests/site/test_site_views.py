"""What pages hold: labels, properties, backlinks, provenance, maps, listings with facets; HTML escaped."""

import json
import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from csei_graph.pages.home import home_view
from csei_graph.pages.index import GraphIndex, IndexedReader
from csei_graph.pages.listing import Listing, all_listing_pages, listing_page, listing_view
from csei_graph.pages.message import message_view
from csei_graph.pages.ontology import ontology_view
from csei_graph.pages.query import queries_view, query_view
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import render
from csei_graph.pages.resource import ResourceView, inverse_wording, resource_page, resource_view
from csei_graph.pages.router import view_for_path
from csei_graph.pages.search import resource_iris, search_entries, search_index, search_view
from csei_graph.pages.shapes import shapes_view
from csei_graph.settings import Settings
from csei_graph.stores.embedded import GraphStore

from .conftest import MARKUP_CLUSTER

MEMBER = "https://w3id.org/csei/id/organisation/fixture-member"
MEMBERSHIP = "https://w3id.org/csei/id/membership/fixture-member-in-markup-cluster"
CSEI_CLASS = "https://w3id.org/csei/ontology#CSEI"
BELGIUM = "http://publications.europa.eu/resource/authority/country/BEL"
SCRIPT_LABEL = "<script>alert('csei')</script> & Co"


class _Text(HTMLParser):
    """The text and the element names of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def cluster(site_store: GraphStore) -> ResourceView:
    view = resource_view(site_store, MARKUP_CLUSTER)
    assert view is not None
    return view


def test_a_resource_page_names_it_and_its_types(cluster: ResourceView) -> None:
    assert cluster.label == SCRIPT_LABEL
    assert cluster.path == "doc/cluster/markup-cluster.html"
    assert [t.iri for t in cluster.types] == [CSEI_CLASS]
    assert cluster.types[0].label != "CSEI"  # the class's label from the ontology, not its local name
    assert [a.path for a in cluster.alternates] == [
        "doc/cluster/markup-cluster.ttl",
        "doc/cluster/markup-cluster.jsonld",
        "doc/cluster/markup-cluster.nt",
    ]


def test_properties_carry_labels_of_linked_resources_and_their_sources(cluster: ResourceView) -> None:
    rows = {row.property.iri: row for row in cluster.properties}
    country = rows["https://w3id.org/csei/ontology#country"]
    assert [v.link.iri for v in country.values if v.link] == [BELGIUM]
    assert country.values[0].text == "Belgium"
    # The country is stated in two graphs: both are its sources, numbered in the provenance list.
    numbers = cluster.source_numbers()
    assert {numbers[g] for g in country.values[0].graphs} == {1, 2}
    sources = {p.graph.iri: p for p in cluster.provenance}
    fixture = sources["https://w3id.org/csei/graph/site-fixture"]
    assert fixture.kind is not None and fixture.kind.label == "stated"
    assert [d.iri for d in fixture.derived_from] == ["https://w3id.org/csei/id/source/site-fixture"]
    assert fixture.description.startswith("Made-up facts")
    assert sources["https://w3id.org/csei/graph/site-fixture-second"].kind.label == "inferred"


def test_a_blank_node_is_described_in_place(cluster: ResourceView) -> None:
    geo = next(row for row in cluster.properties if row.property.iri == "http://schema.org/geo")
    nested = {row.property.iri: row.values[0].text for row in geo.values[0].nested}
    assert nested == {"http://schema.org/latitude": "50.85", "http://schema.org/longitude": "4.35"}


def test_backlinks_say_who_points_here_and_how_many(cluster: ResourceView, site_store: GraphStore) -> None:
    organisation = next(
        b for b in cluster.backlinks if b.property.iri == "http://www.w3.org/ns/org#organization"
    )
    assert organisation.count == 1
    assert [s.iri for s in organisation.subjects] == [MEMBERSHIP]
    social = resource_view(site_store, "https://w3id.org/csei/id/concept/innovation-type/social")
    fosters = next(
        b for b in social.backlinks if b.property.iri == "https://w3id.org/csei/ontology#fostersInnovation"
    )
    assert MARKUP_CLUSTER in {s.iri for s in fosters.subjects}
    assert fosters.count >= 1


def test_a_located_resource_has_a_map_of_its_country_and_point(cluster: ResourceView) -> None:
    location = cluster.location
    assert location is not None
    assert [c.iri for c in location.countries] == [BELGIUM]
    assert location.points == ((50.85, 4.35),)
    assert location.map is not None
    assert [s.code for s in location.map.shapes if s.highlighted] == ["BEL"]
    assert {"FRA", "NLD", "DEU"} <= {s.code for s in location.map.shapes}
    assert len(location.map.points) == 1


def test_markup_in_literals_is_shown_as_text(cluster: ResourceView) -> None:
    html = render(cluster)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;csei&#39;)&lt;/script&gt; &amp; Co" in html
    assert "<i>centre</i>" not in html
    page = _parse(html)
    assert page.scripts == []
    assert SCRIPT_LABEL in "".join(page.text)


def test_unknown_and_foreign_iris_have_no_page(site_store: GraphStore) -> None:
    assert resource_view(site_store, "https://w3id.org/csei/id/cluster/no-such-cluster") is None
    assert resource_view(site_store, BELGIUM) is None
    assert resource_view(site_store, "https://w3id.org/csei/id/cluster/../../x") is None


def test_a_class_listing_counts_members_and_facets(site_store: GraphStore) -> None:
    listing = listing_view(site_store, Listing("class", CSEI_CLASS))
    assert listing is not None
    assert listing.total == len(listing.items) >= 2
    assert MARKUP_CLUSTER in {i.link.iri for i in listing.items}
    labels = [i.link.label.casefold() for i in listing.items]
    assert labels == sorted(labels)
    facets = {f.name: f for f in listing.facets}
    belgium = next(v for v in facets["country"].values if v.value.iri == BELGIUM)
    filtered = listing_view(site_store, Listing("class", CSEI_CLASS, "country", BELGIUM))
    assert filtered is not None
    assert filtered.total == belgium.count
    assert filtered.path == belgium.path
    assert filtered.filter is not None and filtered.filter.value.iri == BELGIUM
    assert all(i.link.iri != "https://w3id.org/csei/id/cluster/coursive-boutaric" for i in filtered.items)


def test_a_scheme_listing_counts_how_often_each_concept_is_used(site_store: GraphStore) -> None:
    scheme = "https://w3id.org/csei/id/concept/innovation-type"
    listing = listing_view(site_store, Listing("scheme", scheme))
    assert listing is not None
    social = next(i for i in listing.items if i.link.iri.endswith("/innovation-type/social"))
    assert social.count is not None and social.count >= 1
    assert listing_view(site_store, Listing("scheme", "https://w3id.org/csei/id/concept/none")) is None


def test_every_page_path_maps_back_to_its_view(site_store: GraphStore) -> None:
    home = home_view(site_store)
    listing = listing_view(site_store, Listing("class", CSEI_CLASS))
    filtered_path = listing.facets[0].values[0].path
    for path in (
        "index.html",
        "search.html",
        "ontology.html",
        "shapes.html",
        "query/index.html",
        "doc/cluster/markup-cluster.html",
        "graph/site-fixture.html",
        "ontology/Cluster.html",
        listing.path,
        filtered_path,
        home.schemes[0].link.path,
    ):
        view = view_for_path(site_store, path)
        assert view is not None, path
        assert view.path == path
    for path in ("doc/cluster/nothing.html", "../index.html", "list/class/csei/Nothing.html", "doc/x.ttl"):
        assert view_for_path(site_store, path) is None


def test_home_page_describes_the_dataset_for_search_engines(site_store: GraphStore) -> None:
    home = home_view(site_store, Settings(site_url="https://csei.example.org/", release_date="2025-01-02"))
    html = render(home)
    match = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.DOTALL)
    assert match is not None
    dataset = json.loads(match.group(1))
    assert dataset["@type"] == "Dataset"
    assert dataset["url"] == "https://csei.example.org/"
    assert {d["encodingFormat"] for d in dataset["distribution"]} >= {"text/turtle", "application/ld+json"}
    assert "</" not in match.group(1)


def test_every_kind_of_view_renders(site_store: GraphStore) -> None:
    rendered = [
        render(home_view(site_store)),
        render(ontology_view(site_store)),
        render(shapes_view(site_store)),
        render(queries_view(site_store)),
        render(search_view()),
        render(message_view("Not found", "No <b>page</b> here.")),
    ]
    assert all(html.startswith("<!DOCTYPE html>") for html in rendered)
    assert "No &lt;b&gt;page&lt;/b&gt; here." in rendered[-1]


def test_the_ontology_documentation_covers_every_class_and_property(site_store: GraphStore) -> None:
    ontology = ontology_view(site_store)
    assert ontology is not None
    anchors = [t.anchor for t in ontology.classes + ontology.properties]
    assert len(anchors) == len(set(anchors))
    classes = {t.link.iri: t for t in ontology.classes}
    ptce = classes["https://w3id.org/csei/ontology#PTCE"]
    assert CSEI_CLASS in {p.iri for p in ptce.parents}
    assert ptce.uses >= 1 and ptce.examples
    assert ptce.depth > classes[CSEI_CLASS].depth
    country = next(t for t in ontology.properties if t.link.iri == "https://w3id.org/csei/ontology#country")
    assert country.uses >= 1
    assert country.examples


def test_the_search_index_lists_every_page(site_store: GraphStore) -> None:
    entries = search_index(site_store)
    by_path = {e["p"]: e for e in entries}
    assert len(by_path) == len(entries) == len(resource_iris(site_store))
    markup = by_path["doc/cluster/markup-cluster.html"]
    assert markup["l"] == SCRIPT_LABEL
    assert 'Markup "cluster"' in markup["a"]


@pytest.mark.parametrize(
    ("label", "wording"),
    [
        ("statistic of", "has statistic"),
        ("has member", "is member of"),
        ("country", "is country of"),
        ("participates in", "← participates in"),
        ("registered on", "← registered on"),
        ("fosters innovation", "← fosters innovation"),
    ],
)
def test_a_backlink_reads_from_the_object_side(label: str, wording: str) -> None:
    assert inverse_wording(label) == wording


def test_pages_read_from_the_index_are_those_read_from_the_store(site_store: GraphStore) -> None:
    indexed = IndexedReader(site_store, GraphIndex(site_store.quads()))
    live = Reader(site_store)
    home = home_view(site_store)
    listings = [Listing("class", c.link.iri) for c in home.classes]
    listings += [Listing("scheme", s.link.iri) for s in home.schemes]
    for listing in list(listings):
        first = listing_page(live, listing)
        for facet in first.facets if first else ():
            listings += [Listing("class", listing.iri, facet.name, v.value.iri) for v in facet.values]
    assert len(listings) > 20
    for listing in listings:
        assert all_listing_pages(indexed, listing) == all_listing_pages(live, listing), listing
    for iri in indexed.resource_iris():
        assert resource_page(indexed, iri) == resource_page(live, iri), iri
    assert indexed.resource_iris() == live.resource_iris()
    assert sorted(map(str, indexed.describe(MARKUP_CLUSTER))) == sorted(
        map(str, live.describe(MARKUP_CLUSTER))
    )
    assert search_entries(indexed) == search_entries(live)


def test_query_pages_read_through_a_publish_reader_are_those_of_a_request(site_store: GraphStore) -> None:
    indexed = IndexedReader(site_store, GraphIndex(site_store.quads()))
    for name in ("clusters-in-country", "cluster-members"):
        assert query_view(site_store, name, reader=indexed) == query_view(site_store, name), name


def test_kept_solutions_are_read_once_per_reader(site_store: GraphStore) -> None:
    reader = Reader(site_store)
    sparql = "SELECT ?c ?kind WHERE { ?c a ?kind } ORDER BY ?c"
    kind = ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")
    kept = reader.kept_solutions(sparql, kind=kind)
    assert [row["c"] for row in kept] == [row["c"] for row in reader.query(sparql, kind=kind)]
    assert kept
    assert reader.kept_solutions(sparql, kind=kind) is kept
    assert Reader(site_store).kept_solutions(sparql, kind=kind) is not kept
