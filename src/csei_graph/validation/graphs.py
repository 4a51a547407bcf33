"""The data a SHACL engine reads: N-Triples for the compiled engine, an rdflib Graph for the reference."""

from collections.abc import Iterable
from functools import cached_property

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm, RdflibTerm, ill_typed_literals_quiet, to_rdflib

CONSTRUCT_ALL = "CONSTRUCT WHERE { ?s ?p ?o }"


def rdflib_triple(triple: ox.Triple | ox.Quad) -> tuple[RdflibTerm, RdflibTerm, RdflibTerm]:
    """A triple in rdflib terms, literals as written, strings as simple literals."""
    return (engine_term(triple.subject), engine_term(triple.predicate), engine_term(triple.object))


def engine_term(term: OxTerm) -> RdflibTerm:
    converted = to_rdflib(term)
    # RDF 1.1 makes "x" and "x"^^xsd:string one term, rdflib two; pyshacl reads only the first form
    # in places (sh:prefix), and its own messages are simple literals.
    if isinstance(converted, Literal) and converted.datatype == XSD.string:
        return Literal(str(converted))
    return converted


class DataGraph:
    """The triples to validate, as N-Triples (what the compiled engine reads) or an rdflib Graph."""

    def __init__(self, ntriples: bytes, store: GraphStore | None = None) -> None:
        self.ntriples = ntriples
        self._store = store

    def select(self, query: str, bindings: dict[str, OxTerm] | None = None) -> ox.QuerySolutions:
        """Run a SELECT query on these triples (in the store they come from, or one made of them)."""
        if self._store is None:
            store = ox.Store()
            store.load(self.ntriples, format=ox.RdfFormat.N_TRIPLES)
            self._store = GraphStore(store)
        answer = self._store.query(query, bindings)
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError("a SELECT query was expected")
        return answer

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple | ox.Quad]) -> "DataGraph":
        """The data graph of these triples (the graph part of quads is dropped: SHACL sees one graph)."""
        plain = (ox.Triple(t.subject, t.predicate, t.object) for t in triples)
        return cls(ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES))

    @classmethod
    def from_store(cls, store: GraphStore) -> "DataGraph":
        """Every triple of every graph of the store, each once."""
        return cls(serialize_triples(store.query(CONSTRUCT_ALL)), store)

    @cached_property
    def graph(self) -> Graph:
        """The triples in an rdflib Graph, literals as they are written (the reference engine's input)."""
        graph = Graph()
        with ill_typed_literals_quiet():
            for triple in ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES):
                graph.add(rdflib_triple(triple))
        return graph


def serialize_triples(triples: ox.QueryTriples | ox.QuerySolutions | ox.QueryBoolean) -> bytes:
    if not isinstance(triples, ox.QueryTriples):
        raise TypeError("a CONSTRUCT query was expected")
    return triples.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
