"""The one interface every store offers: queries with bound parameters, quads, graph names, size."""

from collections.abc import Iterator, Mapping
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from csei_graph.terms import OxTerm

QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]


@runtime_checkable
class Store(Protocol):
    """A graph of named graphs that answers SPARQL 1.1 queries over the union of its graphs."""

    def query(self, sparql: str, bindings: Mapping[str, OxTerm] | None = None) -> QueryAnswer:
        """Run a query; `bindings` give variables RDF terms, never pasted into the text."""
        ...

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of every named graph."""
        ...

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def __len__(self) -> int:
        """Number of quads."""
        ...
