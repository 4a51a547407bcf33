"""The terms pages read the graph with: label and description predicates, prefixes, orderings."""

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from csei_graph.namespaces import CSEI, PREFIXES
from csei_graph.pages.model import Link, Value

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
DESCRIPTION_PREDICATES = (
    str(SKOS.definition),
    "http://purl.org/dc/terms/description",
    str(RDFS.comment),
    "http://schema.org/description",
)
# Shown first on a page, in this order; every other property follows by its label.
LEADING_PREDICATES = (str(SKOS.prefLabel), str(SKOS.altLabel), *DESCRIPTION_PREDICATES)
PLAIN_DATATYPES = (str(XSD.string), str(RDF.langString))
RDF_TYPE = str(RDF.type)
ALT_LABEL = str(SKOS.altLabel)
COUNTRY = str(CSEI.country)
PLACE = str(CSEI.place)
GEO_LATITUDES = ("http://schema.org/latitude", "http://www.w3.org/2003/01/geo/wgs84_pos#lat")
GEO_LONGITUDES = ("http://schema.org/longitude", "http://www.w3.org/2003/01/geo/wgs84_pos#long")
GEO_LINKS = ("http://schema.org/geo",)
SUBCLASS_OF = str(RDFS.subClassOf)
CONCEPT_SCHEME = str(SKOS.ConceptScheme)
CLASS_TYPES = ("http://www.w3.org/2002/07/owl#Class", str(RDFS.Class))
INVERSE_OF = "http://www.w3.org/2002/07/owl#inverseOf"


def labels_of(variable: str) -> str:
    """The SPARQL pattern that fetches the candidate labels of a variable into ?lp and ?l."""
    return f"OPTIONAL {{ ?{variable} ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} FILTER(isLiteral(?l)) }}"


LabelRank = tuple[int, int, str]


def label_rank(predicate: str, literal: ox.Literal) -> LabelRank:
    """How good a label is: by predicate, then English, untagged, other languages, then by text."""
    language = literal.language or ""
    language_rank = 0 if language.startswith("en") else 1 if not language else 2
    return LABEL_PREDICATES.index(predicate), language_rank, literal.value


def local_name(iri: str) -> str:
    """The last part of an IRI, as a last-resort label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def link_order(link: Link) -> tuple[str, str]:
    """Links by label, then IRI."""
    return (link.label.casefold(), link.iri)


def value_order(value: Value) -> tuple[str, str, str, str, str]:
    """Values by text, language, link and datatype: a total order, whatever order the store gave."""
    datatype = value.datatype.iri if value.datatype else ""
    link = value.link.iri if value.link else ""
    return (value.text.casefold(), value.text, value.language, link, datatype)


@dataclass(frozen=True)
class FacetDefinition:
    """A facet of listings: its name in paths, its label, and how a resource leads to its values: one
    of `steps`, then `closure` any number of times; values are instances of `value_class` if given."""

    name: str
    label: str
    steps: tuple[str, ...]
    closure: str = ""
    value_class: str = ""

    @property
    def sparql_path(self) -> str:
        """The facet's path in SPARQL (made of the code's constants, never of user input)."""
        first = "|".join(f"<{step}>" for step in self.steps)
        path = f"({first})" if len(self.steps) > 1 else first
        return f"{path}/<{self.closure}>*" if self.closure else path


FACETS = (
    FacetDefinition("country", "Country", (COUNTRY,)),
    FacetDefinition("actor-kind", "Actor kind", (str(CSEI.actorKind),)),
    FacetDefinition("innovation-type", "Innovation type", (str(CSEI.fostersInnovation),)),
    FacetDefinition("ecosystem", "Industrial ecosystem", (str(CSEI.industrialEcosystem),)),
    FacetDefinition(
        "programme",
        "Programme",
        (str(CSEI.participatesIn), str(CSEI.fundedBy)),
        closure=str(CSEI.fundedBy),
        value_class=str(CSEI.Programme),
    ),
)
