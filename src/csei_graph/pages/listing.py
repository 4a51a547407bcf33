"""Listing pages: the members of a class (with its subclasses) or the concepts of a scheme, paged, faceted.

Template `listing.html`. A `Listing` says what to list, which facet value to filter on and which page;
`listing_pages` gives every page of a listing at once, which is what `csei publish` writes.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

import pyoxigraph as ox

from csei_graph.namespaces import PREFIXES
from csei_graph.pages import paths
from csei_graph.pages.model import Link
from csei_graph.pages.reader import Reader
from csei_graph.pages.vocabulary import FACETS, FacetDefinition, labels_of, link_order
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

LISTING_PAGE_SIZE = 500


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

    template: ClassVar[str] = "listing.html"

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


FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
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
SCHEME_CONCEPTS = f"""
SELECT DISTINCT ?scheme ?c ?broader ?lp ?l WHERE {{
    ?c skos:inScheme ?scheme .
    OPTIONAL {{ ?c skos:broader ?broader . ?broader skos:inScheme ?scheme }}
    {labels_of("c")}
}}"""
CONCEPT_USES = """
SELECT ?scheme ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
    ?c skos:inScheme ?scheme . ?s ?p ?c
    FILTER(?p NOT IN (skos:broader, skos:narrower, skos:hasTopConcept, skos:member, skos:related))
} GROUP BY ?scheme ?c"""


def listing_path(listing: Listing, value_segment: str = "") -> str:
    """The site path of a listing page; value_segment names the facet value in the path."""
    if listing.kind == "scheme":
        stem = f"list/scheme/{scheme_segment(listing.iri)}"
    else:
        stem = f"list/class/{class_segments(listing.iri)}"
    if listing.facet:
        stem += f"/{listing.facet}/{value_segment or paths.name_segment(listing.value)}"
    if listing.page > 1:
        stem += f"/page-{listing.page}"
    return stem + paths.PAGE_EXTENSION


def class_segments(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        name = iri[len(namespace) :]
        if iri.startswith(namespace) and paths.SAFE_SEGMENT.fullmatch(name):
            return f"{prefix}/{name}"
    return f"other/{paths.name_segment(iri)}"


def scheme_segment(iri: str) -> str:
    return paths.name_segment(iri)


_Listed = tuple[Link, list[Item], tuple[Facet, ...]]


def listing_view(store: Store, listing: Listing, settings: Settings | None = None) -> ListingView | None:
    """A page of a listing, or None when it lists nothing (unknown class, scheme, facet or page)."""
    return listing_page(Reader(store, settings), listing)


def listing_page(reader: Reader, listing: Listing) -> ListingView | None:
    """A page of a listing read through a reader (see `listing_view`)."""
    listed = _listed(reader, listing)
    return _paged(listing, *listed) if listed else None


def listing_pages(store: Store, listing: Listing, settings: Settings | None = None) -> list[ListingView]:
    """Every page of a listing (its `page` ignored), computed once: what `publish` writes."""
    return all_listing_pages(Reader(store, settings), listing)


def all_listing_pages(reader: Reader, listing: Listing) -> list[ListingView]:
    """Every page of a listing read through a reader (see `listing_pages`)."""
    listed = _listed(reader, listing)
    if listed is None:
        return []
    first = _paged(replace(listing, page=1), *listed)
    pages = [first] if first else []
    for number in range(2, first.pages + 1 if first else 0):
        page = _paged(replace(listing, page=number), *listed)
        pages += [page] if page else []
    return pages


def _listed(reader: Reader, listing: Listing) -> _Listed | None:
    if listing.kind == "class":
        return _class_listing(reader, listing)
    if listing.kind == "scheme" and not listing.facet:
        return _scheme_listing(reader, listing)
    return None


def _class_listing(reader: Reader, listing: Listing) -> _Listed | None:
    if listing.facet and listing.facet not in FACETS_BY_NAME:
        return None
    subject = ox.NamedNode(listing.iri)
    selected = FACETS_BY_NAME.get(listing.facet)
    members = reader.class_members(listing.iri, selected, listing.value)
    if not members:
        return None
    items = sorted((Item(reader.link(x)) for x in members), key=lambda i: link_order(i.link))
    return reader.link(subject), items, _facets(reader, listing, selected)


def _facets(reader: Reader, listing: Listing, selected: FacetDefinition | None) -> tuple[Facet, ...]:
    found = []
    for facet in FACETS:
        counts = reader.facet_counts(listing.iri, facet, selected, listing.value)
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


def _scheme_listing(reader: Reader, listing: Listing) -> _Listed | None:
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
        for key in sorted(children.get(parent, []), key=lambda k: link_order(links[k])):
            if key not in seen:
                items.append(Item(links[key], count=uses.get(key, 0), depth=depth))
                walk(key, depth + 1, seen | {key})

    walk("", 0, frozenset())
    listed = {i.link.iri for i in items}
    items += [
        Item(links[k], count=uses.get(k, 0))
        for k in sorted(concepts, key=lambda k: link_order(links[k]))
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


_PAGE_NUMBER = re.compile(r"page-([1-9][0-9]{0,6})")


def listing_for_stem(reader: Reader, stem: str) -> Listing | None:
    """The listing a site path (without extension) shows, or None."""
    parts = stem.split("/")[1:]
    page = 1
    if parts and (number := _PAGE_NUMBER.fullmatch(parts[-1])):
        page = int(number.group(1))
        parts = parts[:-1]
    if parts[:1] == ["scheme"] and len(parts) == 2:
        schemes = [row["scheme"].value for row in reader.query(SCHEME_COUNTS)]
        iri = next((s for s in schemes if scheme_segment(s) == parts[1]), None)
        return Listing("scheme", iri, page=page) if iri else None
    if parts[:1] != ["class"] or len(parts) not in (3, 5):
        return None
    classes = [row["class"].value for row in reader.query(CLASS_COUNTS)]
    iri = next((c for c in classes if class_segments(c) == "/".join(parts[1:3])), None)
    if iri is None:
        return None
    if len(parts) == 3:
        return Listing("class", iri, page=page)
    facet, segment = parts[3], parts[4]
    listed = _listed(reader, Listing("class", iri))
    for found in listed[2] if listed else ():
        for value in found.values:
            if found.name == facet and value.path.removesuffix(paths.PAGE_EXTENSION).endswith(
                f"/{facet}/{segment}"
            ):
                return Listing("class", iri, facet, value.value.iri, page)
    return None
