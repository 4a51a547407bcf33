"""The page of one resource: label, types, every property with its sources, backlinks, location, map.

Template `resource.html`. `resource_view(store, iri)` reads the store through a `Reader`;
`resource_page(reader, iri)` takes a reader, so that `csei publish` reads every page from one index.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import ClassVar

import pyoxigraph as ox

from csei_graph.export import DOCUMENT_FORMATS
from csei_graph.namespaces import CSEI
from csei_graph.pages import maps, paths
from csei_graph.pages.listing import Listing, listing_path
from csei_graph.pages.model import Alternate, Link, PropertyRow, Value
from csei_graph.pages.reader import Reader
from csei_graph.pages.vocabulary import (
    CLASS_TYPES,
    CONCEPT_SCHEME,
    COUNTRY,
    DESCRIPTION_PREDICATES,
    GEO_LATITUDES,
    GEO_LINKS,
    GEO_LONGITUDES,
    LABEL_PREDICATES,
    LEADING_PREDICATES,
    PLACE,
    RDF_TYPE,
    label_rank,
    link_order,
    local_name,
    value_order,
)
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

# Resources pointing at this one with one property that a page shows; the others are counted.
BACKLINKS_SHOWN = 50
# Values of one property a page shows; the others are in the resource's data documents, linked from
# the page, so that a resource with 50,000 statements gives a page of a few hundred kilobytes. A page
# reads no more than these (see `bounds`): its cost does not grow with the values it does not show.
VALUES_SHOWN = 500
NESTING_DEPTH = 4


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

    template: ClassVar[str] = "resource.html"

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


def resource_view(store: Store, iri: str, settings: Settings | None = None) -> ResourceView | None:
    """The page of a resource, or None when it is not in the graph or the site writes no page for it."""
    return resource_page(Reader(store, settings), iri)


def resource_page(reader: Reader, iri: str) -> ResourceView | None:
    """The page of a resource read through a reader, or None (see `resource_view`)."""
    stem = paths.document_stem(iri, reader.base)
    if stem is None:
        return None
    subject = ox.NamedNode(iri)
    facts = node_facts(reader, subject, depth=0)
    incoming, pointing = reader.incoming(subject, BACKLINKS_SHOWN)
    # An IRI with no facts and no links to it may still be a property or a graph name.
    if not facts.triples and not incoming and not reader.is_in_graph(iri):
        return None
    types = reader.links(o for p, o, _ in facts.triples if p == RDF_TYPE)
    rows = tuple(r for r in facts.rows if r.property.iri != RDF_TYPE)
    provenance = _provenance(reader, facts.graphs)
    numbered = {p.graph.iri: p.number for p in provenance}
    return ResourceView(
        path=stem + paths.PAGE_EXTENSION,
        iri=iri,
        label=reader.label(subject),
        description=description(facts.triples),
        types=types,
        properties=tuple(_renumber(row, numbered) for row in rows),
        backlinks=_backlinks(reader, incoming, pointing),
        provenance=provenance,
        location=_location(reader, facts),
        listings=_listings_of(reader, iri, facts, incoming),
        alternates=alternates(stem),
    )


@dataclass
class Facts:
    """The outgoing facts of a node: rows for the page, raw triples and the graphs they came from (of a
    property with more values than a page shows, the triples of the values read, see `bounds`)."""

    rows: tuple[PropertyRow, ...]
    triples: list[tuple[str, OxTerm, tuple[str, ...]]]
    graphs: set[str]
    nested: dict[str, "Facts"]


def node_facts(reader: Reader, subject: ox.NamedNode | ox.BlankNode, depth: int) -> Facts:
    """What the graph says of a node as property rows, blank nodes described in place."""
    graphs_of: dict[tuple[str, OxTerm], set[str]] = defaultdict(set)
    # Of a property with more values than a page shows, the reader reads those it shows and counts all.
    read, counts = reader.outgoing(subject, VALUES_SHOWN)
    for predicate, obj, graph in read:
        graphs_of[(predicate.value, obj)].update([graph] if graph is not None else [])
    triples = [(p, o, tuple(sorted(g))) for (p, o), g in graphs_of.items()]
    nested: dict[str, Facts] = {}
    by_property: dict[str, list[Value]] = defaultdict(list)
    all_graphs = {g for _, _, graphs in triples for g in graphs}
    for predicate, obj, graphs in triples:
        if isinstance(obj, ox.Literal):
            by_property[predicate].append(reader.literal_value(obj, graphs))
        elif isinstance(obj, ox.BlankNode) and depth < NESTING_DEPTH:
            inner = node_facts(reader, obj, depth + 1)
            nested[str(obj)] = inner
            all_graphs |= inner.graphs
            by_property[predicate].append(
                Value(reader.label(obj), nested=inner.rows, graphs=graphs, link=reader.link(obj))
            )
        else:
            link = reader.link(obj)
            by_property[predicate].append(Value(link.label, link=link, graphs=graphs))
    rows = [
        PropertyRow(
            reader.link(ox.NamedNode(p)),
            tuple(sorted(values, key=value_order)[:VALUES_SHOWN]),
            more=max(counts.get(p, len(values)) - min(len(values), VALUES_SHOWN), 0),
        )
        for p, values in by_property.items()
    ]
    rows.sort(key=_row_order)
    return Facts(tuple(rows), triples, all_graphs, nested)


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


def description(triples: list[tuple[str, OxTerm, tuple[str, ...]]]) -> str:
    """The best description among a node's facts, "" when it has none."""
    candidates = [
        (DESCRIPTION_PREDICATES.index(p), *label_rank(LABEL_PREDICATES[0], o)[1:])
        for p, o, _ in triples
        if p in DESCRIPTION_PREDICATES and isinstance(o, ox.Literal)
    ]
    return min(candidates)[2] if candidates else ""


def _backlinks(
    reader: Reader, incoming: dict[str, list[OxTerm]], counts: dict[str, int]
) -> tuple[Backlinks, ...]:
    inverses = reader.inverse_properties()
    groups = []
    for predicate, subjects in incoming.items():
        links = sorted((reader.link(s) for s in subjects), key=link_order)
        prop = reader.link(ox.NamedNode(predicate))
        inverse = inverses.get(predicate)
        label = reader.label(ox.NamedNode(inverse)) if inverse else inverse_wording(prop.label)
        count = counts.get(predicate, len(subjects))
        groups.append(Backlinks(prop, label, count, tuple(links[:BACKLINKS_SHOWN])))
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


def _provenance(reader: Reader, graphs: set[str]) -> tuple[Provenance, ...]:
    return tuple(
        replace(graph_description(reader, graph), number=number)
        for number, graph in enumerate(sorted(graphs), start=1)
    )


def graph_description(reader: Reader, graph: str) -> Provenance:
    """The provenance of a named graph (numbered 0 until a page numbers its sources)."""
    described = reader.graph_facts(graph)
    kinds = described.get(str(CSEI.provenanceKind), [])
    descriptions = [o.value for o in described.get("http://purl.org/dc/terms/description", [])]
    return Provenance(
        number=0,
        graph=reader.link(ox.NamedNode(graph)),
        kind=reader.link(min(kinds, key=str)) if kinds else None,
        derived_from=reader.links(described.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])),
        description=min(descriptions) if descriptions else "",
    )


def _location(reader: Reader, facts: Facts) -> Location | None:
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


def _points(facts: Facts) -> Iterator[tuple[float, float]]:
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


def _listings_of(
    reader: Reader, iri: str, facts: Facts, incoming: dict[str, list[OxTerm]]
) -> tuple[Link, ...]:
    types = {o.value for p, o, _ in facts.triples if p == RDF_TYPE and isinstance(o, ox.NamedNode)}
    found = []
    # Counting instances walks the class hierarchy: only worth it for what is a class at all.
    if types & set(CLASS_TYPES) or RDF_TYPE in incoming:
        count = reader.instance_count(iri)
        if count:
            found.append(Link(iri, f"All {count} instances", listing_path(Listing("class", iri))))
    if CONCEPT_SCHEME in types:
        found.append(Link(iri, "All concepts of this scheme", listing_path(Listing("scheme", iri))))
    return tuple(found)


def alternates(stem: str) -> tuple[Alternate, ...]:
    """The RDF documents published beside a page."""
    return tuple(Alternate(f.label, f.media_type, f"{stem}.{f.extension}") for f in DOCUMENT_FORMATS)
