"""The graph in an rdflib Dataset, queried by rdflib's SPARQL engine: the engine results are compared with."""

import json
from collections.abc import Iterator, Mapping

import pyoxigraph as ox
from rdflib import Dataset, Variable

from csei_graph.store import GraphStore
from csei_graph.terms import OxTerm, to_rdflib, to_store


class RdflibStore:
    """A copy of a graph queried by rdflib, answering like GraphStore (the default graph is the union)."""

    def __init__(self, dataset: Dataset) -> None:
        dataset.default_union = True
        self._dataset = dataset

    @classmethod
    def from_store(cls, store: GraphStore) -> "RdflibStore":
        """A copy of every graph of the store."""
        return cls(store.dataset())

    def __len__(self) -> int:
        return sum(1 for _ in self._dataset.quads())

    def query(
        self, sparql: str, bindings: Mapping[str, OxTerm] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a query with rdflib; bindings are rdflib's initial bindings, never pasted into the text."""
        # Imported when first needed, as it is slow to import; and rdflib would otherwise fetch from
        # the web any graph a query names in FROM.
        import rdflib.plugins.sparql  # noqa: PLC0415

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        initial = {Variable(name): to_rdflib(term) for name, term in (bindings or {}).items()}
        result = self._dataset.query(sparql, initBindings=initial)
        if result.type in {"CONSTRUCT", "DESCRIBE"}:
            assert result.graph is not None
            return (ox.Triple(to_store(s), to_store(p), to_store(o)) for s, p, o in result.graph)
        if result.type == "ASK":
            answer = json.dumps({"head": {}, "boolean": bool(result.askAnswer)})
        else:
            answer = result.serialize(format="json").decode("utf-8")
        return ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
