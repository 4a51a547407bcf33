"""The one interface every store offers: queries with bound values on a stated dataset, quads, graphs."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from csei_graph.terms import OxTerm

QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]
GraphName = str | ox.DefaultGraph


@dataclass(frozen=True)
class GraphDataset:
    """The RDF dataset a query runs on: the graphs merged into its default graph, and its named graphs.

    This is SPARQL's dataset (`FROM` and `FROM NAMED`, or the protocol's `default-graph-uri` and
    `named-graph-uri`): a store never falls back on its own default graph when one is stated.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@runtime_checkable
class Store(Protocol):
    """A graph of named graphs that answers SPARQL 1.1 queries.

    Without a stated dataset a query runs on the whole graph: its default graph is the merge of every
    graph (the default graph of the sources and every named graph), and its named graphs are the
    graph's named graphs, whatever the store would do by default. Each adapter states this to its
    engine explicitly, so that the same query gives the same answer on every store.
    """

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, OxTerm] | None = None,
        *,
        dataset: GraphDataset | None = None,
    ) -> QueryAnswer:
        """Run a query; `bindings` give variables RDF terms, never pasted into the text."""
        ...

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads of one graph (an IRI, or `ox.DefaultGraph()`), or of every graph when None."""
        ...

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def __len__(self) -> int:
        """Number of quads."""
        ...
