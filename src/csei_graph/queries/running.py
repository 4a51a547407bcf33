"""Running a stored query on any store, and the result in one shape whichever engine gave it."""

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from csei_graph.queries.catalogue import load_query
from csei_graph.queries.model import QueryError, QueryResult, StoredQuery
from csei_graph.queries.parameters import bind_parameters
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores.base import Store
from csei_graph.stores.embedded import GraphStore


def run_query(
    query: str | Path | StoredQuery,
    params: Mapping[str, str] | None = None,
    *,
    store: Store | None = None,
    settings: Settings | None = None,
) -> QueryResult:
    """Run a stored query (by name, path or StoredQuery) on a store, by default the built-in graph."""
    stored = query if isinstance(query, StoredQuery) else load_query(query)
    if store is None:
        store = GraphStore.from_sources(builtin_sources(settings), settings)
    bindings = bind_parameters(stored, params or {}, store)
    try:
        result = to_result(stored.form, store.query(stored.text, bindings))
    except RuntimeError as error:
        raise QueryError(
            stored.path,
            f"the query failed: {error}",
            hint="the embedded engine runs standard SPARQL 1.1: check the functions the query calls",
        ) from None
    return _without_columns(result, {parameter.name for parameter in stored.parameters})


def to_result(form: str, answer: object) -> QueryResult:
    """The QueryResult of an engine's answer (pyoxigraph results, or an iterable of triples)."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(form, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(variable.value for variable in answer.variables)
        # A solution iterates over its values in the order of the variables: much quicker than by name.
        return QueryResult(form, names, tuple(tuple(row) for row in answer))
    if isinstance(answer, Iterable):
        # A graph is a set: a triple stated in several graphs comes once.
        return QueryResult(form, triples=tuple(dict.fromkeys(answer)))
    raise TypeError(f"not a query answer: {answer!r}")


def _without_columns(result: QueryResult, names: set[str]) -> QueryResult:
    """The result less the columns of the parameters: each holds the value that was given."""
    keep = [i for i, name in enumerate(result.variables) if name not in names]
    if len(keep) == len(result.variables):
        return result
    return QueryResult(
        result.form,
        tuple(result.variables[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in result.rows),
    )
