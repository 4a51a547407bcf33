"""The IRIs of the project's namespaces and of the vocabularies it reuses."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/csei/"
ONTOLOGY_IRI = f"{BASE}ontology"

CSEI = Namespace(f"{ONTOLOGY_IRI}#")
CSEID = Namespace(f"{BASE}id/")
CSEIG = Namespace(f"{BASE}graph/")
CSEISH = Namespace(f"{BASE}shapes#")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
SCHEMA = Namespace("http://schema.org/")
LEGAL = Namespace("http://www.w3.org/ns/legal#")
CV = Namespace("http://data.europa.eu/m8g/")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")
VANN = Namespace("http://purl.org/vocab/vann/")

# The prefixes every output of the project uses, in this order, so serialisations stay stable.
PREFIXES: dict[str, str] = {
    "csei": str(CSEI),
    "cseid": str(CSEID),
    "cseig": str(CSEIG),
    "cseish": str(CSEISH),
    "country": str(COUNTRY),
    "cv": str(CV),
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "essglobal": str(ESSGLOBAL),
    "foaf": str(FOAF),
    "legal": str(LEGAL),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "vann": str(VANN),
    "void": str(VOID),
    "xsd": str(XSD),
}

# Terms of these namespaces need no declaration: they are the languages the graph is written in.
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def compact(iri: str) -> str:
    """`prefix:local` for an IRI in one of the project's namespaces, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri
