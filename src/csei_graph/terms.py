"""Conversion of RDF terms between the embedded store (pyoxigraph) and rdflib."""

import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
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


def rdflib_dataset(quads: Iterable[ox.Quad]) -> Dataset:
    """The quads as an rdflib Dataset with the same named graphs, literals as written."""
    dataset = Dataset()
    for quad in quads:
        graph = quad.graph_name
        context = (
            dataset.default_graph
            if isinstance(graph, ox.DefaultGraph)
            else dataset.graph(URIRef(graph.value))
        )
        context.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return dataset


class _IllTypedLiteralNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@contextmanager
def ill_typed_literals_quiet() -> Iterator[None]:
    """Within it, rdflib makes ill-typed literals ("abc"^^xsd:integer) without a complaint of its own.

    Such a literal is a datatype violation the validation report names; rdflib would also log a
    traceback whenever one is made, and warn about booleans it reads loosely. Only this block is
    quieted: the filters are removed on leaving it.
    """
    logger = logging.getLogger("rdflib.term")
    noise = _IllTypedLiteralNoise()
    logger.addFilter(noise)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
            yield
    finally:
        logger.removeFilter(noise)


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
