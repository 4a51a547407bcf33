"""The HTML view of a description the site makes rather than the graph holds: the DCAT-AP catalogue
and the VoID description, shown to browsers at `catalog` and `void` beside their RDF.

Template `description.html`.
"""

from dataclasses import dataclass
from typing import ClassVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from csei_graph.export import DOCUMENT_FORMATS, FORMATS
from csei_graph.pages.model import Alternate, Link, PropertyRow, Value
from csei_graph.pages.reader import Reader
from csei_graph.pages.vocabulary import local_name, value_order
from csei_graph.settings import Settings
from csei_graph.site import catalogue
from csei_graph.stores.base import Store

# The descriptions, by the stem of their files: title and how they are made.
DESCRIPTIONS = {
    "catalog": ("DCAT-AP catalogue", catalogue.dcat_catalogue),
    "void": ("VoID description", catalogue.void_description),
}


@dataclass(frozen=True)
class DescriptionView:
    """Each subject of a description with its properties and values."""

    template: ClassVar[str] = "description.html"

    path: str
    title: str
    subjects: tuple[tuple[Link, tuple[PropertyRow, ...]], ...]
    alternates: tuple[Alternate, ...]


def description_view(
    store: Store, stem: str, settings: Settings | None = None, made: Graph | None = None
) -> DescriptionView | None:
    """The page of the catalogue (`catalog`) or the VoID description (`void`), or None; `made` is the
    description when it was already made (a publish writes it in RDF first)."""
    if stem not in DESCRIPTIONS:
        return None
    title, make = DESCRIPTIONS[stem]
    reader = Reader(store, settings)
    graph: Graph = made if made is not None else make(store, reader.settings)  # type: ignore[arg-type]

    def key(term: object) -> tuple[bool, str]:
        # Blank nodes by what they say (their labels change from one run to the next): a stable order.
        if isinstance(term, BNode):
            said = sorted(f"{p} {o}" for p, o in graph.predicate_objects(term) if not isinstance(o, BNode))
            return (True, "\n".join(said))
        return (False, str(term))

    def link(term: URIRef | BNode) -> Link:
        if isinstance(term, BNode):
            return Link("", "(described on this page)", None)
        found = reader.link(ox.NamedNode(str(term)))
        return found if found.label != str(term) else Link(str(term), local_name(str(term)), found.path)

    subjects = []
    for subject in sorted(set(graph.subjects()), key=key):
        rows = []
        for predicate in sorted(set(graph.predicates(subject)), key=str):
            values = [
                Value(str(o), language=o.language or "")
                if isinstance(o, Literal)
                else Value(key(o)[1], link=link(o))  # type: ignore[arg-type]
                for o in graph.objects(subject, predicate)
            ]
            rows.append(PropertyRow(link(predicate), tuple(sorted(values, key=value_order))))  # type: ignore[arg-type]
        subjects.append((link(subject), tuple(rows)))  # type: ignore[arg-type]
    # RDF/XML too, which harvesters of catalogues ask for.
    formats = [*DOCUMENT_FORMATS, FORMATS["rdfxml"]]
    return DescriptionView(
        path=f"{stem}.html",
        title=title,
        subjects=tuple(subjects),
        alternates=tuple(Alternate(f.label, f.media_type, f"{stem}.{f.extension}") for f in formats),
    )
