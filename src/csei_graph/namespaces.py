"""The IRIs of the project's namespaces and of the vocabularies it reuses."""

import json
import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/csei/"
ONTOLOGY_IRI = f"{BASE}ontology"
# The longest segment of an IRI's path under BASE that the site writes a file for: with `.jsonld.gz`
# it stays under the 255 bytes of a file name (`csei check` reports longer slugs).
MAX_SEGMENT = 200

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


# A local part Turtle and SPARQL read back as written: letters, digits, `_`, `-` and inner dots.
_SYNTAX_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
# What a reader (and JSON-LD, for compact IRIs) takes as a local part: anything an IRI holds after a
# namespace but a leading slash, so `cseid:cluster/pole-sud` reads as the cluster it names.
_READABLE_LOCAL = re.compile(r"[^/<>\"{}|^`\\\s][^<>\"{}|^`\\\s]*")


def prefixed_name(iri: str, prefixes: Mapping[str, str] = PREFIXES, *, readable: bool = False) -> str | None:
    """`prefix:local` for an IRI under one of `prefixes` (the longest that fits); None if none fits.

    By default the local part is one Turtle and SPARQL parse back to the same IRI; `readable` also
    allows slashes and other IRI characters, for people and for JSON-LD compact IRIs.
    """
    local_pattern = _READABLE_LOCAL if readable else _SYNTAX_LOCAL
    fitting = [
        (len(namespace), f"{prefix}:{iri[len(namespace) :]}")
        for prefix, namespace in prefixes.items()
        if iri.startswith(namespace) and local_pattern.fullmatch(iri[len(namespace) :])
    ]
    return max(fitting)[1] if fitting else None


def shorten(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """An IRI as people read it: `prefix:local` where a prefix fits, else `<iri>`."""
    return prefixed_name(iri, prefixes, readable=True) or f"<{iri}>"


def compact(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | BNode | Literal | str, *, readable: bool = False
) -> str:
    """A term as a reader writes it: a prefixed name where a project prefix fits, else <iri>; a literal
    quoted, with its language or datatype; a blank node as _:label.

    A store term is written from its parts, never made into an rdflib term (an ill-typed literal would
    make rdflib complain). `readable` as for `prefixed_name`.
    """
    if isinstance(term, Literal | ox.Literal):
        text = json.dumps(str(term) if isinstance(term, Literal) else term.value, ensure_ascii=False)
        datatype = term.datatype.value if isinstance(term, ox.Literal) else term.datatype
        if term.language:
            return f"{text}@{term.language}"
        if datatype and str(datatype) != f"{PREFIXES['xsd']}string":
            return f"{text}^^{compact(str(datatype), readable=readable)}"
        return text
    if isinstance(term, BNode | ox.BlankNode):
        return f"_:{term if isinstance(term, BNode) else term.value}"
    iri = term.value if isinstance(term, ox.NamedNode) else str(term)
    return prefixed_name(iri, readable=readable) or f"<{iri}>"
