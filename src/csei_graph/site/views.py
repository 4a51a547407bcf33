"""What each page of the site holds, as plain data, and its HTML: one definition for `publish` and `serve`.

The public surface (stable; `csei publish` writes what these return, `csei serve` answers with them):

- `resource_view(store, iri, settings=None) -> ResourceView | None`: one resource: label, types,
  description, every property with the labels of linked resources, backlinks with counts, the
  provenance of each fact (its named graphs and their descriptions), a map where it has a location,
  and its alternate representations. None when the IRI has no page (not in the graph, or outside
  the base IRI).
- `listing_view(store, listing, settings=None) -> ListingView | None`: the members of a class (with
  its subclasses) or the concepts of a concept scheme, paged, with counts and facets (country, actor
  kind, innovation type, ecosystem, programme); `Listing` says what to list, which facet value to
  filter on and which page.
- `home_view`, `ontology_view`, `shapes_view`, `queries_view`, `query_view`, `search_view`,
  `message_view` for the home page, the ontology and shape documentation, the stored queries, the
  search page and 404-style messages.
- `view_for_path(store, path, settings=None) -> View | None`: the view a site path shows (the server's
  router: every HTML path of the static site maps back to its view here).
- `search_index(store, settings=None) -> list[dict]`: the entries of `search-index.json`.
- `render(view) -> str`: the HTML of any view, through the Jinja2 templates (autoescaped).

Every view carries `path`, the site path it is published at; links inside a page are relative to it,
so the same HTML works from a static host, from a sub-folder and from `csei serve`. The static files
the pages use live in `STATIC_DIR` and are published under `static/`.
"""

import json
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from csei_graph import queries
from csei_graph.export import CONTEXT_NAME, DOCUMENT_FORMATS, DUMP_FORMATS
from csei_graph.namespaces import BASE, CSEI, ONTOLOGY_IRI, PREFIXES, shorten
from csei_graph.settings import Settings
from csei_graph.site import catalogue, maps, paths
from csei_graph.sources import discover, resource_dir
from csei_graph.stores.base import Store
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm, to_rdflib

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LISTING_PAGE_SIZE = 500
BACKLINKS_SHOWN = 50
EXAMPLES_SHOWN = 3
NESTING_DEPTH = 4
SEARCH_PAGE = "search.html"
HOME_PAGE = "index.html"
ONTOLOGY_PAGE = "ontology.html"
SHAPES_PAGE = "shapes.html"

SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + (
    "PREFIX sh: <http://www.w3.org/ns/shacl#>\nPREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
)
LABEL_PREDICATES = (
    str(SKOS.prefLabel),
    str(RDFS.label),
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "http://schema.org/name",
    str(SH.name),
)
LABEL_VALUES = " ".join(f"<{iri}>" for iri in LABEL_PREDICATES)


def _labels_of(variable: str) -> str:
    """The SPARQL pattern that fetches the candidate labels of a variable into ?lp and ?l."""
    return f"OPTIONAL {{ ?{variable} ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} FILTER(isLiteral(?l)) }}"


DESCRIPTION_PREDICATES = (
    str(SKOS.definition),
    "http://purl.org/dc/terms/description",
    str(RDFS.comment),
    "http://schema.org/description",
)
# Shown first on a page, in this order; every other property follows by its label.
LEADING_PREDICATES = (str(SKOS.prefLabel), str(SKOS.altLabel), *DESCRIPTION_PREDICATES)
PLAIN_DATATYPES = (str(XSD.string), str(RDF.langString))
COUNTRY = str(CSEI.country)
GEO_LATITUDES = ("http://schema.org/latitude", "http://www.w3.org/2003/01/geo/wgs84_pos#lat")
GEO_LONGITUDES = ("http://schema.org/longitude", "http://www.w3.org/2003/01/geo/wgs84_pos#long")
GEO_LINKS = ("http://schema.org/geo",)
PLACE = str(CSEI.place)


# ----------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Link:
    """A resource by its label; `path` is its page in the site, None when it has none (link the IRI)."""

    iri: str
    label: str
    path: str | None = None


@dataclass(frozen=True)
class Alternate:
    """Another representation of the same page: `.ttl`, `.jsonld`, `.nt`..."""

    label: str
    media_type: str
    path: str


@dataclass(frozen=True)
class Value:
    """One value of a property: a resource (link), a literal, or a blank node described in place.

    `graphs` are the named graphs that state the fact (see the page's `provenance`).
    """

    text: str
    link: Link | None = None
    language: str = ""
    datatype: Link | None = None
    nested: tuple["PropertyRow", ...] = ()
    graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PropertyRow:
    """A property of the resource and all its values."""

    property: Link
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Backlinks:
    """The resources that point at this one with one property ("is member of"), how many, the first few."""

    property: Link
    label: str
    count: int
    subjects: tuple[Link, ...]


@dataclass(frozen=True)
class Provenance:
    """A named graph holding facts of the page, with its description (docs/model.md, provenance)."""

    number: int
    graph: Link
    kind: Link | None
    derived_from: tuple[Link, ...]
    description: str


@dataclass(frozen=True)
class Location:
    """Where a resource is: its countries, its place as written, coordinates where the data has them."""

    countries: tuple[Link, ...]
    places: tuple[str, ...]
    points: tuple[tuple[float, float], ...]
    map: maps.MapDrawing | None


@dataclass(frozen=True)
class ResourceView:
    """The page of one resource."""

    path: str
    iri: str
    label: str
    description: str
    types: tuple[Link, ...]
    properties: tuple[PropertyRow, ...]
    backlinks: tuple[Backlinks, ...]
    provenance: tuple[Provenance, ...]
    location: Location | None
    listings: tuple[Link, ...]
    alternates: tuple[Alternate, ...]

    @property
    def title(self) -> str:
        """The page title: the resource's label."""
        return self.label

    def source_numbers(self) -> dict[str, int]:
        """The number each named graph is shown with, by graph IRI."""
        return {source.graph.iri: source.number for source in self.provenance}


@dataclass(frozen=True)
class Listing:
    """What a listing page shows: a class ("class") or concept scheme ("scheme"), a facet filter, a page."""

    kind: str
    iri: str
    facet: str = ""
    value: str = ""
    page: int = 1


@dataclass(frozen=True)
class Item:
    """One entry of a listing; `count` is how often a concept is used, `depth` its place in the tree."""

    link: Link
    detail: str = ""
    count: int | None = None
    depth: int = 0


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, how many listed resources have it and the listing filtered on it."""

    value: Link
    count: int
    path: str
    selected: bool


@dataclass(frozen=True)
class Facet:
    """A facet of a listing (country, actor kind...) and its values."""

    name: str
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class ListingView:
    """A page of the members of a class or the concepts of a scheme."""

    path: str
    listing: Listing
    subject: Link
    title: str
    total: int
    items: tuple[Item, ...]
    facets: tuple[Facet, ...]
    filter: FacetValue | None
    page: int
    pages: int
    page_paths: tuple[str, ...]
    unfiltered_path: str


@dataclass(frozen=True)
class Count:
    """A link and a number (instances of a class, concepts of a scheme)."""

    link: Link
    count: int


@dataclass(frozen=True)
class Download:
    """A dump of the whole graph."""

    label: str
    media_type: str
    path: str


@dataclass(frozen=True)
class HomeView:
    """The home page: what the graph holds and where to go from here."""

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


@dataclass(frozen=True)
class Example:
    """A use of an ontology term in the data: an instance of a class, or a subject and its value."""

    subject: Link
    value: Value | None = None


@dataclass(frozen=True)
class TermDoc:
    """The documentation of one class or property of the ontology."""

    link: Link
    anchor: str
    kind: str
    definition: str
    depth: int
    parents: tuple[Link, ...]
    children: tuple[Link, ...]
    domains: tuple[Link, ...]
    ranges: tuple[Link, ...]
    inverses: tuple[Link, ...]
    uses: int
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class OntologyView:
    """The documentation of the ontology: metadata, every class and property."""

    path: str
    iri: str
    title: str
    description: str
    metadata: tuple[PropertyRow, ...]
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]
    alternates: tuple[Alternate, ...]


@dataclass(frozen=True)
class PropertyShapeDoc:
    """One property constraint of a shape, in words."""

    path: str
    property: Link | None
    name: str
    description: str
    cardinality: str
    constraints: tuple[str, ...]
    severity: str
    message: str


@dataclass(frozen=True)
class ShapeDoc:
    """One node shape: what it targets and what it requires."""

    anchor: str
    iri: str
    label: str
    description: str
    targets: tuple[Link, ...]
    constraints: tuple[str, ...]
    properties: tuple[PropertyShapeDoc, ...]


@dataclass(frozen=True)
class ShapesView:
    """The documentation of the SHACL shapes under `shapes/`."""

    path: str
    title: str
    shapes: tuple[ShapeDoc, ...]
    alternates: tuple[Alternate, ...]


@dataclass(frozen=True)
class QueryView:
    """A stored query: what it asks, its text and its result on the graph."""

    path: str
    name: str
    title: str
    description: str
    sparql: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value | None, ...], ...]
    error: str
    alternates: tuple[Alternate, ...]


@dataclass(frozen=True)
class QueriesView:
    """The list of stored queries."""

    path: str
    title: str
    queries: tuple[Count, ...]
    descriptions: tuple[str, ...]


@dataclass(frozen=True)
class SearchView:
    """The search page; results are drawn in the browser from `search-index.json`."""

    path: str
    title: str
    index_path: str


@dataclass(frozen=True)
class MessageView:
    """A page that says something went wrong (not found, not acceptable) and where to go instead."""

    path: str
    title: str
    message: str
    links: tuple[Link, ...] = field(default_factory=tuple)
    status: int = 404


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


@dataclass(frozen=True)
class FacetDefinition:
    """A facet: its name in paths, its label, and the SPARQL path from a resource to its values."""

    name: str
    label: str
    sparql_path: str
    value_class: str = ""


FACETS = (
    FacetDefinition("country", "Country", "csei:country"),
    FacetDefinition("actor-kind", "Actor kind", "csei:actorKind"),
    FacetDefinition("innovation-type", "Innovation type", "csei:fostersInnovation"),
    FacetDefinition("ecosystem", "Industrial ecosystem", "csei:industrialEcosystem"),
    FacetDefinition(
        "programme", "Programme", "(csei:participatesIn|csei:fundedBy)/csei:fundedBy*", "csei:Programme"
    ),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}


# --------------------------------------------------------------------------------------- reading


def _query(store: Store, sparql: str, **bindings: OxTerm) -> Iterator[ox.QuerySolution]:
    yield from store.query(SPARQL_PREFIXES + sparql, bindings)  # type: ignore[misc]


def _ask(store: Store, sparql: str, **bindings: OxTerm) -> bool:
    return bool(store.query(SPARQL_PREFIXES + sparql, bindings))


def _label_rank(predicate: str, literal: ox.Literal) -> tuple[int, int, str]:
    language = literal.language or ""
    language_rank = 0 if language.startswith("en") else 1 if not language else 2
    return LABEL_PREDICATES.index(predicate), language_rank, literal.value


LABELS_OF_X = f"SELECT ?x ?lp ?l WHERE {{ ?x ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} FILTER(isLiteral(?l)) }}"


def local_name(iri: str) -> str:
    """The last part of an IRI, as a last-resort label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


# What the views have found in a store and will find again (labels, inverse properties): a store is
# not changed while it is published (`csei publish` and `csei serve` only read it).
_FOUND: "weakref.WeakKeyDictionary[Store, dict[str, dict]]" = weakref.WeakKeyDictionary()


def _found_in(store: Store) -> dict[str, dict]:
    return _FOUND.setdefault(store, {"labels": {}})


class _Reader:
    """Reads one view's worth of the store, remembering the labels it has already found."""

    def __init__(self, store: Store, settings: Settings | None, *, check_links: bool = False) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.base = BASE
        # Pages about things outside the store (the shapes) may name IRIs the graph lacks: no page.
        self.check_links = check_links
        self._labels = _found_in(store)["labels"]
        self._candidates: dict[str, list[tuple[int, int, str]]] = {}

    def query(self, sparql: str, **bindings: OxTerm) -> Iterator[ox.QuerySolution]:
        return _query(self.store, sparql, **bindings)

    def remember_label(self, term: OxTerm, predicate: OxTerm | None, literal: OxTerm | None) -> None:
        """Keep a (label predicate, label) pair that a larger query found, saving a query per label."""
        if not isinstance(term, ox.NamedNode | ox.BlankNode) or str(term) in self._labels:
            return
        candidates = self._candidates.setdefault(str(term), [])
        if isinstance(predicate, ox.NamedNode) and isinstance(literal, ox.Literal):
            candidates.append(_label_rank(predicate.value, literal))

    def label(self, term: OxTerm) -> str:
        key = str(term)
        if key in self._labels:
            return self._labels[key]
        if key in self._candidates:
            ranked = sorted(self._candidates.pop(key))
        else:
            ranked = sorted(
                _label_rank(row["lp"].value, row["l"])
                for row in self.query(
                    LABELS_OF_X,
                    x=term,
                )
            )
        fallback = local_name(term.value) if isinstance(term, ox.NamedNode) else "(anonymous)"
        self._labels[key] = ranked[0][2] if ranked else fallback
        return self._labels[key]

    def link(self, term: OxTerm) -> Link:
        if isinstance(term, ox.NamedNode):
            path = paths.page_path(term.value, self.base)
            if path and self.check_links and not path.startswith(SHAPES_PAGE):
                path = path if is_in_graph(self.store, term.value) else None
            return Link(term.value, self.label(term), path)
        return Link(str(term), self.label(term))

    def links(self, terms: Iterable[OxTerm]) -> tuple[Link, ...]:
        return tuple(sorted({self.link(t) for t in terms}, key=_link_order))

    def literal_value(self, literal: ox.Literal, graphs: tuple[str, ...] = ()) -> Value:
        datatype = literal.datatype.value
        shown = None if literal.language or datatype in PLAIN_DATATYPES else self.link(literal.datatype)
        return Value(literal.value, language=literal.language or "", datatype=shown, graphs=graphs)


def _link_order(link: Link) -> tuple[str, str]:
    return (link.label.casefold(), link.iri)


def _value_order(value: Value) -> tuple[str, str, str]:
    return (value.text.casefold(), value.language, value.link.iri if value.link else "")


# -------------------------------------------------------------------------------------- resources


OUTGOING = f"""
SELECT DISTINCT ?s ?p ?o ?g ?lp ?l WHERE {{
    {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH ?any {{ ?s ?p ?o }} }} }}
    {_labels_of("o")}
}}"""
BACKLINK_COUNTS = "SELECT ?o ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p"
BACKLINK_SUBJECTS = f"SELECT DISTINCT ?o ?p ?s ?lp ?l WHERE {{ ?s ?p ?o {_labels_of('s')} }}"
INVERSES = """
SELECT DISTINCT ?p ?inverse WHERE { { ?p owl:inverseOf ?inverse } UNION { ?inverse owl:inverseOf ?p } }"""
GRAPH_DESCRIPTION = "SELECT ?g ?p ?o WHERE { ?g ?p ?o }"
MENTIONED = "ASK { { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?s ?p ?o } } }"
INSTANCE_COUNT = (
    "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t . ?t rdfs:subClassOf* ?class } GROUP BY ?class"
)
IS_SCHEME = "ASK { ?scheme a skos:ConceptScheme }"
IS_CLASS = "ASK { { ?class a owl:Class } UNION { ?class a rdfs:Class } UNION { ?x a ?class } }"


def is_in_graph(store: Store, iri: str) -> bool:
    """True when the IRI is a subject, predicate, object or graph name somewhere in the store."""
    return _ask(store, MENTIONED, x=ox.NamedNode(iri))


def resource_view(store: Store, iri: str, settings: Settings | None = None) -> ResourceView | None:
    """The page of a resource, or None when it is not in the graph or the site writes no page for it."""
    reader = _Reader(store, settings)
    stem = paths.document_stem(iri, reader.base)
    if stem is None or not is_in_graph(store, iri):
        return None
    subject = ox.NamedNode(iri)
    facts = _facts(reader, subject, depth=0)
    types = reader.links(o for p, o, _ in facts.triples if p == str(RDF.type))
    rows = tuple(r for r in facts.rows if r.property.iri != str(RDF.type))
    provenance = _provenance(reader, facts.graphs)
    numbered = {p.graph.iri: p.number for p in provenance}
    return ResourceView(
        path=stem + paths.PAGE_EXTENSION,
        iri=iri,
        label=reader.label(subject),
        description=_description(facts.triples),
        types=types,
        properties=tuple(_renumber(row, numbered) for row in rows),
        backlinks=_backlinks(reader, subject),
        provenance=provenance,
        location=_location(reader, facts),
        listings=_listings_of(reader, subject),
        alternates=_alternates(stem),
    )


@dataclass
class _Facts:
    """The outgoing facts of a node: rows for the page, raw triples and the graphs they came from."""

    rows: tuple[PropertyRow, ...]
    triples: list[tuple[str, OxTerm, tuple[str, ...]]]
    graphs: set[str]
    nested: dict[str, "_Facts"]


def _facts(reader: _Reader, subject: OxTerm, depth: int) -> _Facts:
    graphs_of: dict[tuple[str, OxTerm], set[str]] = defaultdict(set)
    for row in reader.query(OUTGOING, s=subject):
        predicate, obj, graph = row["p"], row["o"], row["g"]
        graphs_of[(predicate.value, obj)].update([graph.value] if graph is not None else [])
        reader.remember_label(obj, row["lp"], row["l"])
    triples = [(p, o, tuple(sorted(g))) for (p, o), g in graphs_of.items()]
    nested: dict[str, _Facts] = {}
    by_property: dict[str, list[Value]] = defaultdict(list)
    all_graphs = {g for _, _, graphs in triples for g in graphs}
    for predicate, obj, graphs in triples:
        if isinstance(obj, ox.Literal):
            by_property[predicate].append(reader.literal_value(obj, graphs))
        elif isinstance(obj, ox.BlankNode) and depth < NESTING_DEPTH:
            inner = _facts(reader, obj, depth + 1)
            nested[str(obj)] = inner
            all_graphs |= inner.graphs
            by_property[predicate].append(
                Value(reader.label(obj), nested=inner.rows, graphs=graphs, link=reader.link(obj))
            )
        else:
            link = reader.link(obj)
            by_property[predicate].append(Value(link.label, link=link, graphs=graphs))
    rows = [
        PropertyRow(reader.link(ox.NamedNode(p)), tuple(sorted(values, key=_value_order)))
        for p, values in by_property.items()
    ]
    rows.sort(key=_row_order)
    return _Facts(tuple(rows), triples, all_graphs, nested)


def _row_order(row: PropertyRow) -> tuple[int, str, str]:
    iri = row.property.iri
    leading = LEADING_PREDICATES.index(iri) if iri in LEADING_PREDICATES else len(LEADING_PREDICATES)
    return (leading, row.property.label.casefold(), iri)


def _renumber(row: PropertyRow, numbers: dict[str, int]) -> PropertyRow:
    """Replace graph IRIs by their provenance numbers' order, nested values included."""

    def value(v: Value) -> Value:
        ordered = tuple(sorted(v.graphs, key=lambda g: numbers.get(g, 0)))
        return replace(v, graphs=ordered, nested=tuple(_renumber(r, numbers) for r in v.nested))

    return replace(row, values=tuple(value(v) for v in row.values))


def _description(triples: list[tuple[str, OxTerm, tuple[str, ...]]]) -> str:
    candidates = [
        (DESCRIPTION_PREDICATES.index(p), *_label_rank(LABEL_PREDICATES[0], o)[1:])
        for p, o, _ in triples
        if p in DESCRIPTION_PREDICATES and isinstance(o, ox.Literal)
    ]
    return min(candidates)[2] if candidates else ""


def _backlinks(reader: _Reader, obj: ox.NamedNode) -> tuple[Backlinks, ...]:
    inverses = _inverse_properties(reader)
    groups = []
    for row in reader.query(BACKLINK_COUNTS, o=obj):
        predicate = row["p"]
        subjects: dict[str, OxTerm] = {}
        for sub in reader.query(BACKLINK_SUBJECTS, o=obj, p=predicate):
            subjects[str(sub["s"])] = sub["s"]
            reader.remember_label(sub["s"], sub["lp"], sub["l"])
        links = sorted((reader.link(s) for s in subjects.values()), key=_link_order)
        prop = reader.link(predicate)
        inverse = inverses.get(predicate.value)
        label = reader.label(ox.NamedNode(inverse)) if inverse else inverse_wording(prop.label)
        groups.append(Backlinks(prop, label, int(row["n"].value), tuple(links[:BACKLINKS_SHOWN])))
    return tuple(sorted(groups, key=lambda g: (g.label.casefold(), g.property.iri)))


def inverse_wording(label: str) -> str:
    """How a property reads from its object's side: "statistic of" reads "has statistic".

    A verb phrase ("registered on", "funds") has no such form: an arrow then marks the direction.
    """
    words = label.split()
    if len(words) > 1 and words[-1] == "of":
        return " ".join(["has", *words[:-1]])
    if len(words) > 1 and words[0] == "has":
        return " ".join(["is", *words[1:], "of"])
    if words and (words[-1] in _PREPOSITIONS or words[0].endswith("s")):
        return f"← {label}"
    return f"is {label} of"


_PREPOSITIONS = frozenset({"at", "by", "for", "from", "in", "into", "on", "to", "with"})


def _inverse_properties(reader: _Reader) -> dict[str, str]:
    found = _found_in(reader.store)
    if "inverses" not in found:
        found["inverses"] = _read_inverse_properties(reader)
    return found["inverses"]


def _read_inverse_properties(reader: _Reader) -> dict[str, str]:
    inverses: dict[str, str] = {}
    for row in reader.query(INVERSES):
        if isinstance(row["p"], ox.NamedNode) and isinstance(row["inverse"], ox.NamedNode):
            inverses.setdefault(row["p"].value, min(row["inverse"].value, inverses.get(row["p"].value, "~")))
    return inverses


def _provenance(reader: _Reader, graphs: set[str]) -> tuple[Provenance, ...]:
    described = _found_in(reader.store).setdefault("graphs", {})
    found = []
    for number, graph in enumerate(sorted(graphs), start=1):
        if graph not in described:
            described[graph] = _graph_description(reader, graph)
        found.append(replace(described[graph], number=number))
    return tuple(found)


def _graph_description(reader: _Reader, graph: str) -> Provenance:
    """The provenance of a named graph (numbered 0 until a page numbers its sources)."""
    described: dict[str, list[OxTerm]] = defaultdict(list)
    for row in reader.query(GRAPH_DESCRIPTION, g=ox.NamedNode(graph)):
        described[row["p"].value].append(row["o"])
    kinds = described.get(str(CSEI.provenanceKind), [])
    descriptions = [o.value for o in described.get("http://purl.org/dc/terms/description", [])]
    return Provenance(
        number=0,
        graph=reader.link(ox.NamedNode(graph)),
        kind=reader.link(min(kinds, key=str)) if kinds else None,
        derived_from=reader.links(described.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])),
        description=min(descriptions) if descriptions else "",
    )


def _location(reader: _Reader, facts: _Facts) -> Location | None:
    countries = [o for p, o, _ in facts.triples if p == COUNTRY and isinstance(o, ox.NamedNode)]
    places = sorted({o.value for p, o, _ in facts.triples if p == PLACE and isinstance(o, ox.Literal)})
    points = sorted(set(_points(facts)))
    if not countries and not points and not places:
        return None
    codes = tuple(sorted(local_name(c.value) for c in countries))
    return Location(
        countries=reader.links(countries),
        places=tuple(places),
        points=tuple(points),
        map=maps.draw(codes, tuple(points)),
    )


def _points(facts: _Facts) -> Iterator[tuple[float, float]]:
    def number(values: list[OxTerm]) -> float | None:
        for value in values:
            try:
                return float(value.value)
            except (AttributeError, ValueError):
                continue
        return None

    nodes = [
        facts,
        *(facts.nested[str(o)] for p, o, _ in facts.triples if p in GEO_LINKS and str(o) in facts.nested),
    ]
    for node in nodes:
        latitude = number([o for p, o, _ in node.triples if p in GEO_LATITUDES])
        longitude = number([o for p, o, _ in node.triples if p in GEO_LONGITUDES])
        if (
            latitude is not None
            and longitude is not None
            and -90 <= latitude <= 90
            and -180 <= longitude <= 180
        ):
            yield (latitude, longitude)


def _listings_of(reader: _Reader, subject: ox.NamedNode) -> tuple[Link, ...]:
    found = []
    # Counting instances walks the class hierarchy: only worth it for what is a class at all.
    is_class = _ask(reader.store, IS_CLASS, **{"class": subject})
    for row in reader.query(INSTANCE_COUNT, **{"class": subject}) if is_class else ():
        if int(row["n"].value):
            found.append(
                Link(
                    subject.value,
                    f"All {row['n'].value} instances",
                    listing_path(Listing("class", subject.value)),
                )
            )
    if _ask(reader.store, IS_SCHEME, scheme=subject):
        found.append(
            Link(subject.value, "All concepts of this scheme", listing_path(Listing("scheme", subject.value)))
        )
    return tuple(found)


def _alternates(stem: str) -> tuple[Alternate, ...]:
    return tuple(Alternate(f.label, f.media_type, f"{stem}.{f.extension}") for f in DOCUMENT_FORMATS)


# --------------------------------------------------------------------------------------- listings


SCHEME_CONCEPTS = f"""
SELECT DISTINCT ?scheme ?c ?broader ?lp ?l WHERE {{
    ?c skos:inScheme ?scheme .
    OPTIONAL {{ ?c skos:broader ?broader . ?broader skos:inScheme ?scheme }}
    {_labels_of("c")}
}}"""
CONCEPT_USES = """
SELECT ?scheme ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
    ?c skos:inScheme ?scheme . ?s ?p ?c
    FILTER(?p NOT IN (skos:broader, skos:narrower, skos:hasTopConcept, skos:member, skos:related))
} GROUP BY ?scheme ?c"""


def _class_members_query(facet: FacetDefinition | None) -> str:
    """Members of ?class (with subclasses), filtered on a facet's ?value when given; the facet's
    path is a constant of the code, never user input."""
    if facet is None:
        members = f"?x a ?t . ?t rdfs:subClassOf* ?class . {_labels_of('x')}"
        return f"SELECT DISTINCT ?class ?x ?lp ?l WHERE {{ {members} }}"
    return (
        "SELECT DISTINCT ?class ?value ?x ?lp ?l WHERE { ?x a ?t . ?t rdfs:subClassOf* ?class . "
        f"?x {facet.sparql_path} ?value . {_labels_of('x')} }}"
    )


def _facet_counts_query(facet: FacetDefinition, selected: FacetDefinition | None) -> str:
    """How many members of ?class have each value ?v of a facet, within the selected facet's ?value."""
    projected = "?class ?value" if selected else "?class"
    within = f"?x {selected.sparql_path} ?value ." if selected else ""
    value_class = f"?v a {facet.value_class} ." if facet.value_class else ""
    return (
        f"SELECT {projected} ?v (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t . ?t rdfs:subClassOf* ?class . "
        f"{within} ?x {facet.sparql_path} ?v . {value_class} }} GROUP BY {projected} ?v"
    )


def listing_path(listing: Listing, value_segment: str = "") -> str:
    """The site path of a listing page; value_segment names the facet value in the path."""
    if listing.kind == "scheme":
        stem = f"list/scheme/{_scheme_segment(listing.iri)}"
    else:
        stem = f"list/class/{_class_segments(listing.iri)}"
    if listing.facet:
        stem += f"/{listing.facet}/{value_segment or paths.name_segment(listing.value)}"
    if listing.page > 1:
        stem += f"/page-{listing.page}"
    return stem + paths.PAGE_EXTENSION


def _class_segments(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        name = iri[len(namespace) :]
        if iri.startswith(namespace) and paths.SAFE_SEGMENT.fullmatch(name):
            return f"{prefix}/{name}"
    return f"other/{paths.name_segment(iri)}"


def _scheme_segment(iri: str) -> str:
    return paths.name_segment(iri)


_Listed = tuple[Link, list[Item], tuple[Facet, ...]]


def listing_view(store: Store, listing: Listing, settings: Settings | None = None) -> ListingView | None:
    """A page of a listing, or None when it lists nothing (unknown class, scheme, facet or page)."""
    reader = _Reader(store, settings)
    listed = _listed(reader, listing)
    return _paged(listing, *listed) if listed else None


def listing_pages(store: Store, listing: Listing, settings: Settings | None = None) -> list[ListingView]:
    """Every page of a listing (its `page` ignored), computed once: what `publish` writes."""
    reader = _Reader(store, settings)
    listed = _listed(reader, listing)
    if listed is None:
        return []
    first = _paged(replace(listing, page=1), *listed)
    pages = [first] if first else []
    for number in range(2, first.pages + 1 if first else 0):
        page = _paged(replace(listing, page=number), *listed)
        pages += [page] if page else []
    return pages


def _listed(reader: _Reader, listing: Listing) -> _Listed | None:
    if listing.kind == "class":
        return _class_listing(reader, listing)
    if listing.kind == "scheme" and not listing.facet:
        return _scheme_listing(reader, listing)
    return None


def _class_listing(reader: _Reader, listing: Listing) -> _Listed | None:
    if listing.facet and listing.facet not in FACETS_BY_NAME:
        return None
    subject = ox.NamedNode(listing.iri)
    selected = FACETS_BY_NAME.get(listing.facet)
    bindings: dict[str, OxTerm] = {"class": subject}
    if selected:
        bindings["value"] = ox.NamedNode(listing.value)
    members: dict[str, OxTerm] = {}
    for row in reader.query(_class_members_query(selected), **bindings):
        members[str(row["x"])] = row["x"]
        reader.remember_label(row["x"], row["lp"], row["l"])
    if not members:
        return None
    items = sorted((Item(reader.link(x)) for x in members.values()), key=lambda i: _link_order(i.link))
    return reader.link(subject), items, _facets(reader, listing, selected, bindings)


def _facets(
    reader: _Reader, listing: Listing, selected: FacetDefinition | None, bindings: dict[str, OxTerm]
) -> tuple[Facet, ...]:
    found = []
    for facet in FACETS:
        counts = {
            row["v"]: int(row["n"].value)
            for row in reader.query(_facet_counts_query(facet, selected), **bindings)
            if isinstance(row["v"], ox.NamedNode)
        }
        if not counts:
            continue
        segments = facet_value_segments([v.value for v in counts])
        values = [
            FacetValue(
                value=reader.link(value),
                count=count,
                path=listing_path(
                    Listing("class", listing.iri, facet.name, value.value), segments[value.value]
                ),
                selected=listing.facet == facet.name and listing.value == value.value,
            )
            for value, count in counts.items()
        ]
        values.sort(key=lambda v: (-v.count, v.value.label.casefold(), v.value.iri))
        found.append(Facet(facet.name, facet.label, tuple(values)))
    return tuple(found)


def facet_value_segments(values: Iterable[str]) -> dict[str, str]:
    """Path segments for facet values: the IRI's last segment, or a hash where two would clash."""
    proposed = {value: paths.name_segment(value).lower() for value in sorted(set(values))}
    uses = Counter(proposed.values())
    return {value: s if uses[s] == 1 else paths.hashed_segment(value) for value, s in proposed.items()}


def _scheme_listing(reader: _Reader, listing: Listing) -> _Listed | None:
    scheme = ox.NamedNode(listing.iri)
    concepts: dict[str, OxTerm] = {}
    broader: dict[str, set[str]] = defaultdict(set)
    for row in reader.query(SCHEME_CONCEPTS, scheme=scheme):
        concept = row["c"]
        concepts[str(concept)] = concept
        reader.remember_label(concept, row["lp"], row["l"])
        if row["broader"] is not None:
            broader[str(concept)].add(str(row["broader"]))
    if not concepts:
        return None
    uses = {str(row["c"]): int(row["n"].value) for row in reader.query(CONCEPT_USES, scheme=scheme)}
    links = {key: reader.link(term) for key, term in concepts.items()}
    children: dict[str, list[str]] = defaultdict(list)
    for key in concepts:
        for parent in broader.get(key, set()) & concepts.keys() or {""}:
            children[parent].append(key)
    items: list[Item] = []

    def walk(parent: str, depth: int, seen: frozenset[str]) -> None:
        for key in sorted(children.get(parent, []), key=lambda k: _link_order(links[k])):
            if key not in seen:
                items.append(Item(links[key], count=uses.get(key, 0), depth=depth))
                walk(key, depth + 1, seen | {key})

    walk("", 0, frozenset())
    listed = {i.link.iri for i in items}
    items += [
        Item(links[k], count=uses.get(k, 0))
        for k in sorted(concepts, key=lambda k: _link_order(links[k]))
        if links[k].iri not in listed
    ]
    return reader.link(scheme), items, ()


def _paged(
    listing: Listing, subject: Link, items: list[Item], facets: tuple[Facet, ...]
) -> ListingView | None:
    pages = max(1, -(-len(items) // LISTING_PAGE_SIZE))
    if not 1 <= listing.page <= pages:
        return None
    selected = next((v for f in facets for v in f.values if v.selected), None)
    segment = selected.path.rsplit("/", 1)[-1].removesuffix(paths.PAGE_EXTENSION) if selected else ""
    page_paths = tuple(listing_path(replace(listing, page=n), segment) for n in range(1, pages + 1))
    start = (listing.page - 1) * LISTING_PAGE_SIZE
    title = subject.label if not selected else f"{subject.label}: {selected.value.label}"
    return ListingView(
        path=page_paths[listing.page - 1],
        listing=listing,
        subject=subject,
        title=title,
        total=len(items),
        items=tuple(items[start : start + LISTING_PAGE_SIZE]),
        facets=facets,
        filter=selected,
        page=listing.page,
        pages=pages,
        page_paths=page_paths,
        unfiltered_path=listing_path(Listing(listing.kind, listing.iri)),
    )


# ------------------------------------------------------------------------------------------- home


CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
    ?x a ?t . ?t rdfs:subClassOf* ?class FILTER(isIRI(?class))
} GROUP BY ?class"""
# Declared schemes (with their concepts, if any) and schemes concepts name: each concept is met once
# per scheme, not once per other concept of its scheme (the NUTS list has 1,609).
SCHEME_COUNTS = """
SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n) WHERE {
    { ?scheme a skos:ConceptScheme OPTIONAL { ?c skos:inScheme ?scheme } } UNION { ?c skos:inScheme ?scheme }
    FILTER(isIRI(?scheme))
} GROUP BY ?scheme"""


def home_view(store: Store, settings: Settings | None = None) -> HomeView:
    """The home page: counts, the listings of classes and schemes, stored queries, dumps, metadata."""
    reader = _Reader(store, settings)
    dataset = catalogue.dataset_metadata(reader.settings)
    return HomeView(
        path=HOME_PAGE,
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
            Link(dataset.ontology_iri, "Ontology documentation", ONTOLOGY_PAGE),
            Link(dataset.shapes_iri, "Shape documentation", SHAPES_PAGE),
            Link(dataset.sparql_url, "SPARQL endpoint (csei serve)", None),
        ),
        dataset_jsonld=script_json(catalogue.schema_org_dataset(store, reader.settings)),
    )


def script_json(data: object) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` can end or break it."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _class_counts(reader: _Reader) -> tuple[Count, ...]:
    counts = [
        Count(
            replace(reader.link(row["class"]), path=listing_path(Listing("class", row["class"].value))),
            int(row["n"].value),
        )
        for row in reader.query(CLASS_COUNTS)
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, _link_order(c.link))))


def _scheme_counts(reader: _Reader) -> tuple[Count, ...]:
    counts = [
        Count(
            replace(reader.link(row["scheme"]), path=listing_path(Listing("scheme", row["scheme"].value))),
            int(row["n"].value),
        )
        for row in reader.query(SCHEME_COUNTS)
        if int(row["n"].value)
    ]
    return tuple(sorted(counts, key=lambda c: _link_order(c.link)))


# --------------------------------------------------------------------------------------- ontology


TERM_KINDS = {
    str(OWL.Class): "Class",
    str(RDFS.Class): "Class",
    str(OWL.ObjectProperty): "Object property",
    str(OWL.DatatypeProperty): "Datatype property",
    str(OWL.AnnotationProperty): "Annotation property",
    str(RDF.Property): "Property",
}
ONTOLOGY_FACTS = "SELECT ?og ?t ?p ?o WHERE { GRAPH ?og { ?t ?p ?o } }"
UNION_MEMBERS = "SELECT ?og ?b ?m WHERE { GRAPH ?og { ?b owl:unionOf/rdf:rest*/rdf:first ?m } }"
PROPERTY_USES = """
SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"""
CLASS_EXAMPLES = (
    f"SELECT DISTINCT ?class ?x WHERE {{ ?x a ?class FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT {EXAMPLES_SHOWN}"
)
PROPERTY_EXAMPLES = (
    f"SELECT DISTINCT ?p ?s ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s)) }} ORDER BY ?s ?o LIMIT {EXAMPLES_SHOWN}"
)


def ontology_view(store: Store, settings: Settings | None = None) -> OntologyView | None:
    """The documentation of the ontology in the store's ontology graph, or None when it holds none."""
    reader = _Reader(store, settings)
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    facts: dict[str, dict[str, list[OxTerm]]] = defaultdict(lambda: defaultdict(list))
    for row in reader.query(ONTOLOGY_FACTS, og=ontology):
        facts[str(row["t"])][row["p"].value].append(row["o"])
    if not facts:
        return None
    unions: dict[str, list[OxTerm]] = defaultdict(list)
    for row in reader.query(UNION_MEMBERS, og=ontology):
        unions[str(row["b"])].append(row["m"])
    kinds = {
        term: TERM_KINDS[min(k.value for k in described[str(RDF.type)] if k.value in TERM_KINDS)]
        for term, described in facts.items()
        if term.startswith("<") and any(k.value in TERM_KINDS for k in described.get(str(RDF.type), []))
    }
    instance_counts = {row["class"].value: int(row["n"].value) for row in reader.query(CLASS_COUNTS)}
    property_uses = {row["p"].value: int(row["n"].value) for row in reader.query(PROPERTY_USES)}
    documents = _TermDocuments(reader, facts, unions, instance_counts, property_uses)
    classes = [t for t, k in kinds.items() if k == "Class"]
    properties = [t for t, k in kinds.items() if k != "Class"]
    header = _facts(reader, ontology, depth=0)
    return OntologyView(
        path=ONTOLOGY_PAGE,
        iri=ONTOLOGY_IRI,
        title=reader.label(ontology),
        description=_description(header.triples),
        metadata=tuple(r for r in header.rows if r.property.iri != str(RDF.type)),
        classes=documents.tree(classes, str(RDFS.subClassOf), kinds),
        properties=documents.tree(properties, str(RDFS.subPropertyOf), kinds),
        alternates=_alternates("ontology"),
    )


class _TermDocuments:
    """Builds the documentation of ontology terms from the ontology graph's facts."""

    def __init__(
        self,
        reader: _Reader,
        facts: dict[str, dict[str, list[OxTerm]]],
        unions: dict[str, list[OxTerm]],
        instance_counts: dict[str, int],
        property_uses: dict[str, int],
    ) -> None:
        self.reader = reader
        self.facts = facts
        self.unions = unions
        self.instance_counts = instance_counts
        self.property_uses = property_uses

    def tree(self, terms: list[str], parent_property: str, kinds: dict[str, str]) -> tuple[TermDoc, ...]:
        """The terms in hierarchy order: each after its parent, siblings by label."""
        documented = set(terms)
        children: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            parents = {str(p) for p in self.facts[term].get(parent_property, [])} & documented - {term}
            for parent in parents or {""}:
                children[parent].append(term)
        ordered: list[tuple[str, int]] = []
        placed: set[str] = set()

        def walk(parent: str, depth: int) -> None:
            for term in sorted(children.get(parent, []), key=self._order):
                if term not in placed:
                    placed.add(term)
                    ordered.append((term, depth))
                    walk(term, depth + 1)

        walk("", 0)
        ordered += [(t, 0) for t in sorted(documented - placed, key=self._order)]
        return tuple(
            self.document(term, depth, kinds[term], parent_property, children) for term, depth in ordered
        )

    def _order(self, term: str) -> tuple[str, str]:
        return (self.reader.label(ox.NamedNode(term[1:-1])).casefold(), term)

    def _links(self, terms: Iterable[OxTerm]) -> tuple[Link, ...]:
        expanded: list[OxTerm] = []
        for term in terms:
            expanded.extend(self.unions.get(str(term), [term]) if isinstance(term, ox.BlankNode) else [term])
        return self.reader.links(t for t in expanded if isinstance(t, ox.NamedNode))

    def document(
        self, term: str, depth: int, kind: str, parent_property: str, children: dict[str, list[str]]
    ) -> TermDoc:
        node = ox.NamedNode(term[1:-1])
        described = self.facts[term]
        definitions = [
            o.value for p in DESCRIPTION_PREDICATES for o in described.get(p, []) if isinstance(o, ox.Literal)
        ]
        is_class = kind == "Class"
        return TermDoc(
            link=self.reader.link(node),
            anchor=local_name(node.value),
            kind=kind,
            definition=definitions[0] if definitions else "",
            depth=depth,
            parents=self._links(described.get(parent_property, [])),
            children=self._links(ox.NamedNode(c[1:-1]) for c in children.get(term, [])),
            domains=self._links(described.get(str(RDFS.domain), [])),
            ranges=self._links(described.get(str(RDFS.range), [])),
            inverses=self._links(described.get(str(OWL.inverseOf), [])),
            uses=(self.instance_counts if is_class else self.property_uses).get(node.value, 0),
            examples=self._examples(node, is_class),
        )

    def _examples(self, node: ox.NamedNode, is_class: bool) -> tuple[Example, ...]:
        if is_class:
            rows = self.reader.query(CLASS_EXAMPLES, **{"class": node})
            return tuple(Example(self.reader.link(row["x"])) for row in rows)
        examples = []
        for row in self.reader.query(PROPERTY_EXAMPLES, p=node):
            obj = row["o"]
            value = (
                self.reader.literal_value(obj)
                if isinstance(obj, ox.Literal)
                else Value(self.reader.label(obj), link=self.reader.link(obj))
            )
            examples.append(Example(self.reader.link(row["s"]), value))
        return tuple(examples)


# ----------------------------------------------------------------------------------------- shapes


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """The project's shapes: the `*.ttl` files of a folder (by default the built-in `shapes/`; its
    sub-folders hold SHACL itself, not project shapes), as one rdflib graph."""
    folder = shapes_dir or resource_dir("shapes")
    graph = Graph()
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if files:
        for quad in GraphStore.from_sources(discover(files)).quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def shapes_view(store: Store, shapes: Graph | None = None, settings: Settings | None = None) -> ShapesView:
    """The documentation of the shapes (by default those under `shapes/`), labelled from the store."""
    reader = _Reader(store, settings, check_links=True)
    graph = shapes if shapes is not None else load_shapes()
    documents = _ShapeDocuments(reader, graph)
    node_shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | {
        s for p in TARGETS for s in graph.subjects(p, None)
    }
    docs = sorted((documents.shape(s) for s in node_shapes), key=lambda d: (d.label.casefold(), d.iri))
    return ShapesView(
        path=SHAPES_PAGE,
        title="Shapes",
        shapes=tuple(docs),
        alternates=_alternates("shapes"),
    )


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
PATH_OPERATORS = {
    SH.zeroOrMorePath: "*",
    SH.oneOrMorePath: "+",
    SH.zeroOrOnePath: "?",
}


class _ShapeDocuments:
    """Says in words what each shape of an rdflib graph requires."""

    def __init__(self, reader: _Reader, graph: Graph) -> None:
        self.reader = reader
        self.graph = graph

    def _text(self, node: object, *predicates: object) -> str:
        values = sorted(
            (0 if getattr(o, "language", None) in (None, "en") else 1, str(o))
            for p in predicates
            for o in self.graph.objects(node, p)  # type: ignore[arg-type]
        )
        return values[0][1] if values else ""

    def compact(self, term: object) -> str:
        if isinstance(term, BNode):
            return "[]"
        return shorten(str(term), {**PREFIXES, "sh": str(SH)})

    def _list(self, head: object) -> list[object]:
        items = []
        while head is not None and head != RDF.nil and len(items) < 1000:
            items.append(self.graph.value(head, RDF.first))  # type: ignore[arg-type]
            head = self.graph.value(head, RDF.rest)  # type: ignore[arg-type]
        return items

    def path(self, node: object) -> str:
        """A SHACL property path written the SPARQL way."""
        if self.graph.value(node, RDF.first) is not None:  # type: ignore[arg-type]
            return "/".join(self.path(step) for step in self._list(node))
        inverse = self.graph.value(node, SH.inversePath)  # type: ignore[arg-type]
        if inverse is not None:
            return "^" + self.path(inverse)
        alternatives = self.graph.value(node, SH.alternativePath)  # type: ignore[arg-type]
        if alternatives is not None:
            return "(" + "|".join(self.path(a) for a in self._list(alternatives)) + ")"
        for operator, sign in PATH_OPERATORS.items():
            inner = self.graph.value(node, operator)  # type: ignore[arg-type]
            if inner is not None:
                return self.path(inner) + sign
        return self.compact(node)

    def constraints(self, node: object) -> tuple[str, ...]:
        """Every constraint of a shape other than its path and cardinality, one phrase each."""
        words = []
        simple = {
            SH.datatype: "datatype",
            SH["class"]: "instance of",
            SH.nodeKind: "node kind",
            SH.hasValue: "has value",
            SH.node: "conforms to",
            SH.pattern: "matches",
            SH.minLength: "at least this many characters:",
            SH.maxLength: "at most this many characters:",
            SH.minInclusive: "at least",
            SH.maxInclusive: "at most",
            SH.minExclusive: "more than",
            SH.maxExclusive: "less than",
            SH.uniqueLang: "one value per language:",
            SH.closed: "closed (no other properties):",
        }
        for predicate, phrase in simple.items():
            for value in sorted(self.graph.objects(node, predicate), key=str):  # type: ignore[arg-type]
                shown = self.compact(value) if not hasattr(value, "language") else str(value)
                words.append(f"{phrase} {shown}")
        for predicate, phrase in ((SH["in"], "one of"), (SH.languageIn, "language one of")):
            for head in self.graph.objects(node, predicate):  # type: ignore[arg-type]
                items = [
                    self.compact(i) if not hasattr(i, "language") else f'"{i}"' for i in self._list(head)
                ]
                words.append(f"{phrase}: {', '.join(items)}")
        for predicate, phrase in ((SH["or"], "any of"), (SH["and"], "all of"), (SH.xone, "exactly one of")):
            for head in self.graph.objects(node, predicate):  # type: ignore[arg-type]
                options = [self.option(item) for item in self._list(head)]
                words.append(f"{phrase}: " + " | ".join(f"({o})" for o in options))
        for constraint in self.graph.objects(node, SH.sparql):  # type: ignore[arg-type]
            message = self._text(constraint, SH.message)
            words.append(f"SPARQL check: {message}" if message else "SPARQL check")
        return tuple(words)

    def option(self, node: object) -> str:
        """One branch of sh:or/sh:and/sh:xone in words: its constraints, or its property constraints."""
        has_path = self.graph.value(node, SH.path) is not None  # type: ignore[arg-type]
        words = [] if has_path else list(self.constraints(node))
        shapes = [node] if has_path else []
        shapes += sorted(self.graph.objects(node, SH.property), key=self.path_of)  # type: ignore[arg-type]
        for shape in shapes:
            _, doc = self.property_shape(shape)
            words.append(" ".join([doc.path, doc.cardinality, *doc.constraints]))
        return "; ".join(words) or self.compact(node)

    def path_of(self, node: object) -> str:
        path = self.graph.value(node, SH.path)  # type: ignore[arg-type]
        return self.path(path) if path is not None else ""

    def property_shape(self, node: object) -> tuple[tuple[float, str], PropertyShapeDoc]:
        path_node = self.graph.value(node, SH.path)  # type: ignore[arg-type]
        path = self.path(path_node) if path_node is not None else ""
        low = self.graph.value(node, SH.minCount)  # type: ignore[arg-type]
        high = self.graph.value(node, SH.maxCount)  # type: ignore[arg-type]
        severity = self.graph.value(node, SH.severity)  # type: ignore[arg-type]
        order = self.graph.value(node, SH.order)  # type: ignore[arg-type]
        is_iri = isinstance(path_node, URIRef)
        doc = PropertyShapeDoc(
            path=path,
            property=self.reader.link(ox.NamedNode(str(path_node))) if is_iri else None,
            name=self._text(node, SH.name),
            description=self._text(node, SH.description),
            cardinality=f"{low if low is not None else 0}..{high if high is not None else '*'}",
            constraints=self.constraints(node),
            severity=local_name(str(severity)) if severity is not None else "Violation",
            message=self._text(node, SH.message),
        )
        return (float(order) if order is not None else float("inf"), path), doc

    def shape(self, node: object) -> ShapeDoc:
        iri = str(node)
        targets = [t for p in TARGETS for t in self.graph.objects(node, p)]  # type: ignore[arg-type]
        properties = sorted(
            (self.property_shape(p) for p in self.graph.objects(node, SH.property)),  # type: ignore[arg-type]
            key=lambda pair: pair[0],
        )
        return ShapeDoc(
            anchor=local_name(iri)
            if paths.SAFE_SEGMENT.fullmatch(local_name(iri))
            else paths.hashed_segment(iri),
            iri=iri,
            label=self._text(node, SH.name, RDFS.label) or local_name(iri),
            description=self._text(node, SH.description, RDFS.comment),
            targets=self.reader.links(ox.NamedNode(str(t)) for t in targets if not hasattr(t, "language")),
            constraints=self.constraints(node),
            properties=tuple(doc for _, doc in properties),
        )


# ---------------------------------------------------------------------------------------- queries


QUERY_FOLDER = "query"
QUERY_ROW_LIMIT = 1000


def query_path(name: str) -> str:
    """The site path of a stored query's page."""
    return f"{QUERY_FOLDER}/{name}{paths.PAGE_EXTENSION}"


def stored_query_names() -> list[str]:
    """Names of the stored queries (the `.rq` files of `queries/`), whether or not each one loads."""
    folder = queries.queries_dir()
    found = folder.glob(f"*{queries.QUERY_SUFFIX}") if folder.is_dir() else []
    return sorted(p.stem for p in found if paths.SAFE_SEGMENT.fullmatch(p.stem))


def _load_query(name: str) -> tuple[queries.StoredQuery | None, str]:
    """The stored query, or None and why it cannot be loaded (shown on its page, not hidden)."""
    try:
        return queries.load_query(name), ""
    except queries.QueryError as error:
        return None, str(error)


def queries_view(store: Store, settings: Settings | None = None) -> QueriesView:
    """The list of stored queries with their descriptions."""
    entries = []
    descriptions = []
    for name in stored_query_names():
        stored, error = _load_query(name)
        title = stored.title if stored and stored.title else name
        entries.append(Count(Link(name, title, query_path(name)), len(stored.parameters) if stored else 0))
        descriptions.append(stored.description if stored else f"This query cannot be loaded: {error}")
    return QueriesView(
        path=f"{QUERY_FOLDER}/index.html",
        title="Stored queries",
        queries=tuple(entries),
        descriptions=tuple(descriptions),
    )


def query_view(store: Store, name: str, settings: Settings | None = None) -> QueryView | None:
    """A stored query with its result on the store (parameters at their defaults), or None if unknown."""
    if name not in stored_query_names():
        return None
    stored, error = _load_query(name)
    reader = _Reader(store, settings)
    columns: tuple[str, ...] = ()
    rows: list[tuple[Value | None, ...]] = []
    if stored is not None:
        try:
            result = queries.run_query(stored, store=store, settings=reader.settings)
        except (queries.QueryError, ValueError, RuntimeError, OSError) as failure:
            error = str(failure)
        else:
            columns, rows = _result_table(reader, result)
    text = (
        stored.text
        if stored
        else (queries.queries_dir() / f"{name}{queries.QUERY_SUFFIX}").read_text("utf-8")
    )
    stem = f"{QUERY_FOLDER}/{name}"
    return QueryView(
        path=stem + paths.PAGE_EXTENSION,
        name=name,
        title=stored.title if stored and stored.title else name,
        description=stored.description if stored else "",
        sparql=text,
        columns=columns,
        rows=tuple(rows[:QUERY_ROW_LIMIT]),
        error=error,
        alternates=(Alternate("SPARQL query", "application/sparql-query", f"{stem}.rq"),),
    )


def _result_table(
    reader: _Reader, result: queries.QueryResult
) -> tuple[tuple[str, ...], list[tuple[Value | None, ...]]]:
    def cell(term: OxTerm | None) -> Value | None:
        if term is None:
            return None
        if isinstance(term, ox.Literal):
            return reader.literal_value(term)
        link = reader.link(term)
        return Value(link.label, link=link)

    if result.boolean is not None:
        return ("answer",), [(Value("yes" if result.boolean else "no"),)]
    if result.triples:
        return ("subject", "predicate", "object"), [
            (cell(t.subject), cell(t.predicate), cell(t.object)) for t in result.triples[:QUERY_ROW_LIMIT]
        ]
    return result.variables, [tuple(cell(term) for term in row) for row in result.rows[:QUERY_ROW_LIMIT]]


# ------------------------------------------------------------------------------ search and others


ALL_SUBJECT_LABELS = (
    f"SELECT ?x ?lp ?l WHERE {{ ?x ?lp ?l VALUES ?lp {{ {LABEL_VALUES} skos:altLabel }} "
    "FILTER(isIRI(?x) && isLiteral(?l)) }"
)
ALL_TYPES = "SELECT DISTINCT ?x ?t WHERE { ?x a ?t FILTER(isIRI(?x) && isIRI(?t)) }"
ALL_IRIS = """
SELECT DISTINCT ?x WHERE {
    { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x }
    FILTER(isIRI(?x))
}"""


def resource_iris(store: Store, settings: Settings | None = None) -> list[str]:
    """Every IRI of the graph that has a page of its own (see `paths.document_stem`), sorted."""
    base = BASE
    found = {row["x"].value for row in _query(store, ALL_IRIS)} | set(store.graph_names())
    return sorted(iri for iri in found if paths.document_stem(iri, base) is not None)


def search_index(store: Store, settings: Settings | None = None) -> list[dict[str, str]]:
    """The entries of `search-index.json`: label (l), other names (a), types (t) and page path (p)."""
    reader = _Reader(store, settings)
    names: dict[str, list[str]] = defaultdict(list)
    for row in reader.query(ALL_SUBJECT_LABELS):
        if row["lp"].value in LABEL_PREDICATES:
            reader.remember_label(row["x"], row["lp"], row["l"])
        names[row["x"].value].append(row["l"].value)
    types: dict[str, set[str]] = defaultdict(set)
    for row in reader.query(ALL_TYPES):
        types[row["x"].value].add(row["t"].value)
    entries = []
    for iri in resource_iris(store, reader.settings):
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


def search_view() -> SearchView:
    """The search page."""
    return SearchView(path=SEARCH_PAGE, title="Search", index_path=SEARCH_INDEX)


SEARCH_INDEX = "search-index.json"


def message_view(
    title: str, message: str, *, path: str = "404.html", status: int = 404, links: tuple[Link, ...] = ()
) -> MessageView:
    """A page explaining an error; the home, search and listing pages are always offered."""
    offered = (*links, Link("", "Home", HOME_PAGE), Link("", "Search", SEARCH_PAGE))
    return MessageView(path=path, title=title, message=message, links=offered, status=status)


# ----------------------------------------------------------------------------------------- router


_PAGE_NUMBER = re.compile(r"page-([1-9][0-9]{0,6})")


def view_for_path(store: Store, path: str, settings: Settings | None = None) -> View | None:
    """The view published at a site path (`doc/cluster/x.html`, `list/...`, `index.html`...), or None."""
    path = path.lstrip("/") or HOME_PAGE
    if not paths.is_safe_path(path) or not path.endswith(paths.PAGE_EXTENSION):
        return None
    fixed = {
        HOME_PAGE: lambda: home_view(store, settings),
        SEARCH_PAGE: search_view,
        ONTOLOGY_PAGE: lambda: ontology_view(store, settings),
        SHAPES_PAGE: lambda: shapes_view(store, settings=settings),
        f"{QUERY_FOLDER}/index.html": lambda: queries_view(store, settings),
    }
    if path in fixed:
        return fixed[path]()
    stem = path.removesuffix(paths.PAGE_EXTENSION)
    if stem.startswith(f"{QUERY_FOLDER}/"):
        return query_view(store, stem[len(QUERY_FOLDER) + 1 :], settings)
    if stem.startswith("list/"):
        listing = _listing_for_stem(store, stem, settings)
        return listing_view(store, listing, settings) if listing else None
    iri = paths.iri_for_stem(stem, BASE)
    return resource_view(store, iri, settings) if iri else None


def _listing_for_stem(store: Store, stem: str, settings: Settings | None) -> Listing | None:
    parts = stem.split("/")[1:]
    page = 1
    if parts and (number := _PAGE_NUMBER.fullmatch(parts[-1])):
        page = int(number.group(1))
        parts = parts[:-1]
    reader = _Reader(store, settings)
    if parts[:1] == ["scheme"] and len(parts) == 2:
        schemes = [row["scheme"].value for row in reader.query(SCHEME_COUNTS)]
        iri = next((s for s in schemes if _scheme_segment(s) == parts[1]), None)
        return Listing("scheme", iri, page=page) if iri else None
    if parts[:1] != ["class"] or len(parts) not in (3, 5):
        return None
    classes = [row["class"].value for row in reader.query(CLASS_COUNTS)]
    iri = next((c for c in classes if _class_segments(c) == "/".join(parts[1:3])), None)
    if iri is None:
        return None
    if len(parts) == 3:
        return Listing("class", iri, page=page)
    facet, segment = parts[3], parts[4]
    unfiltered = listing_view(store, Listing("class", iri), settings)
    for found in unfiltered.facets if unfiltered else ():
        for value in found.values:
            if found.name == facet and value.path.removesuffix(paths.PAGE_EXTENSION).endswith(
                f"/{facet}/{segment}"
            ):
                return Listing("class", iri, facet, value.value.iri, page)
    return None


# ----------------------------------------------------------------------------------------- render


TEMPLATES = {
    ResourceView: "resource.html",
    ListingView: "listing.html",
    HomeView: "home.html",
    OntologyView: "ontology.html",
    ShapesView: "shapes.html",
    QueryView: "query.html",
    QueriesView: "queries.html",
    SearchView: "search.html",
    MessageView: "message.html",
}


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["url"] = _url
    environment.filters["iri_url"] = _iri_url
    return environment


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """A site path as a URL relative to the page being rendered."""
    return paths.relative_url(target, context["view"].path)


def _iri_url(iri: str) -> str:
    """An external IRI as an href: only http(s) and mailto links are clickable, nothing else runs."""
    if re.match(r"(?i)(https?|mailto):", iri):
        return quote(iri, safe=":/?#[]@!$&'()*+,;=%~-._")
    return "#"


def render(view: View, release: str = "") -> str:
    """The HTML page of a view; `release` says which release of the graph it shows (in the footer)."""
    return _environment().get_template(TEMPLATES[type(view)]).render(view=view, release=release)
