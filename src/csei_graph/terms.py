"""Conversion of RDF terms between the embedded store (pyoxigraph) and rdflib."""

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

RdflibTerm = URIRef | BNode | Literal
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: OxTerm) -> RdflibTerm:
    """Return the rdflib term for a store term, keeping the literal's lexical form."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        # RDF 1.1 makes a plain literal an xsd:string; rdflib keeps them apart, so use its plain form.
        return Literal(term.value)
    # normalize=False keeps the lexical form: a diff of two releases must show what the data says.
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def to_store(term: Node) -> OxTerm:
    """Return the store term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
