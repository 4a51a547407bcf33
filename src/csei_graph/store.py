"""The graph store: the embedded Oxigraph store that every command reads the graph from."""

from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from csei_graph.settings import Settings
from csei_graph.sources import Source, parse
from csei_graph.terms import OxTerm, to_rdflib

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class GraphStore:
    """The whole graph, one named graph per source; queries see the union of all graphs."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()

    @classmethod
    def from_sources(cls, sources: Sequence[Source], settings: Settings | None = None) -> "GraphStore":
        """Parse every source first, so that a fault in any one loads nothing, then load them all."""
        parsed = [parse(source, settings) for source in sources]
        graph_store = cls()
        graph_store.add_all(quad for quads in parsed for quad in quads)
        return graph_store

    def add_all(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._store.extend(quads)

    def query(self, sparql: str, bindings: Mapping[str, OxTerm] | None = None) -> QueryResult:
        """Run a SPARQL query; bindings are substituted as RDF terms, never pasted into the text."""
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        return self._store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions or None)

    def __len__(self) -> int:
        return len(self._store)

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store."""
        return self._store.quads_for_pattern(None, None, None, None)

    def dataset(self) -> Dataset:
        """The graph as an rdflib Dataset with the same named graphs."""
        dataset = Dataset()
        for quad in self.quads():
            graph = quad.graph_name
            context = (
                dataset.default_graph
                if isinstance(graph, ox.DefaultGraph)
                else dataset.graph(URIRef(graph.value))
            )
            context.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return dataset

    def union_graph(self) -> Graph:
        """Every triple of every graph, merged into one rdflib Graph."""
        graph = Graph()
        for quad in self.quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph
