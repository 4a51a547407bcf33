"""The graph in an rdflib Dataset, queried by rdflib's SPARQL engine: the engine results are compared with."""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import Dataset, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from csei_graph.stores.base import GraphDataset, GraphName, QueryAnswer, Store
from csei_graph.terms import OxTerm, rdflib_dataset, to_rdflib, to_store


class RdflibStore:
    """A copy of a graph queried by rdflib, answering as every store does (the default graph is the union)."""

    def __init__(self, dataset: Dataset) -> None:
        dataset.default_union = True
        self._dataset = dataset

    @classmethod
    def from_store(cls, store: Store) -> "RdflibStore":
        """A copy of every graph of the store."""
        return cls(rdflib_dataset(store.quads()))

    def __len__(self) -> int:
        return sum(1 for _ in self._dataset.quads())

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(
            str(graph.identifier)
            for graph in self._dataset.graphs()
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph)
        )

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads of one graph (an IRI, or the default graph), or of every graph when None."""
        wanted = None
        if isinstance(graph, ox.DefaultGraph):
            wanted = DATASET_DEFAULT_GRAPH_ID
        elif graph is not None:
            wanted = URIRef(graph)
        for s, p, o, g in self._dataset.quads((None, None, None, wanted)):
            name = ox.DefaultGraph() if g in (None, DATASET_DEFAULT_GRAPH_ID) else ox.NamedNode(str(g))
            yield ox.Quad(to_store(s), to_store(p), to_store(o), name)  # type: ignore[arg-type]

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, OxTerm] | None = None,
        *,
        dataset: GraphDataset | None = None,
    ) -> QueryAnswer:
        """Run a query with rdflib; bindings are rdflib's initial bindings, never pasted into the text."""
        initial = {Variable(name): to_rdflib(term) for name, term in (bindings or {}).items()}
        target = self._dataset if dataset is None else self._restricted(dataset)
        with _graphs_not_fetched():
            result = target.query(sparql, initBindings=initial)
        if result.type in {"CONSTRUCT", "DESCRIBE"}:
            assert result.graph is not None
            return (ox.Triple(to_store(s), to_store(p), to_store(o)) for s, p, o in result.graph)  # type: ignore[arg-type]
        if result.type == "ASK":
            answer = json.dumps({"head": {}, "boolean": bool(result.askAnswer)})
        else:
            answer = result.serialize(format="json").decode("utf-8")
        return ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)

    def _restricted(self, dataset: GraphDataset) -> Dataset:
        """A copy holding the stated dataset: the default graphs merged, the named graphs by name."""
        copy = Dataset()
        for name in dataset.default_graphs:
            for triple in self._dataset.graph(URIRef(name)):
                copy.default_graph.add(triple)
        for name in dataset.named_graphs:
            target = copy.graph(URIRef(name))
            for triple in self._dataset.graph(URIRef(name)):
                target.add(triple)
        return copy


@contextmanager
def _graphs_not_fetched() -> Iterator[None]:
    """Within it, rdflib answers a query naming a graph in FROM without fetching it from the web.

    The switch is rdflib's, for the whole process: it is set back as it was on leaving.
    """
    # Imported when first needed, as it is slow to import.
    import rdflib.plugins.sparql  # noqa: PLC0415

    before = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = before
