"""Stored-query pages: the list of stored queries, and each query with its text and its result.

Templates `queries.html` and `query.html`. The stored queries are the `.rq` files of `queries/`; a
query that cannot be loaded still has its page, which says why.
"""

from dataclasses import dataclass
from typing import ClassVar

import pyoxigraph as ox

from csei_graph import queries
from csei_graph.pages import paths
from csei_graph.pages.model import Alternate, Count, Link, Value
from csei_graph.pages.reader import Reader
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm


@dataclass(frozen=True)
class QueryView:
    """A stored query: what it asks, its text and its result on the graph."""

    template: ClassVar[str] = "query.html"

    path: str
    name: str
    title: str
    description: str
    sparql: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value | None, ...], ...]
    error: str
    alternates: tuple[Alternate, ...]


@dataclass(frozen=True)
class QueriesView:
    """The list of stored queries."""

    template: ClassVar[str] = "queries.html"

    path: str
    title: str
    queries: tuple[Count, ...]
    descriptions: tuple[str, ...]


QUERY_FOLDER = "query"
QUERY_ROW_LIMIT = 1000


def query_path(name: str) -> str:
    """The site path of a stored query's page."""
    return f"{QUERY_FOLDER}/{name}{paths.PAGE_EXTENSION}"


def stored_query_names() -> list[str]:
    """Names of the stored queries (the `.rq` files of `queries/`), whether or not each one loads."""
    folder = queries.queries_dir()
    found = folder.glob(f"*{queries.QUERY_SUFFIX}") if folder.is_dir() else []
    return sorted(p.stem for p in found if paths.SAFE_SEGMENT.fullmatch(p.stem))


def _load_query(name: str) -> tuple[queries.StoredQuery | None, str]:
    """The stored query, or None and why it cannot be loaded (shown on its page, not hidden)."""
    try:
        return queries.load_query(name), ""
    except queries.QueryError as error:
        return None, str(error)


def queries_view(store: Store, settings: Settings | None = None) -> QueriesView:
    """The list of stored queries with their descriptions."""
    entries = []
    descriptions = []
    for name in stored_query_names():
        stored, error = _load_query(name)
        title = stored.title if stored and stored.title else name
        entries.append(Count(Link(name, title, query_path(name)), len(stored.parameters) if stored else 0))
        descriptions.append(stored.description if stored else f"This query cannot be loaded: {error}")
    return QueriesView(
        path=f"{QUERY_FOLDER}/index.html",
        title="Stored queries",
        queries=tuple(entries),
        descriptions=tuple(descriptions),
    )


def query_view(store: Store, name: str, settings: Settings | None = None) -> QueryView | None:
    """A stored query with its result on the store (parameters at their defaults), or None if unknown."""
    if name not in stored_query_names():
        return None
    stored, error = _load_query(name)
    reader = Reader(store, settings)
    columns: tuple[str, ...] = ()
    rows: list[tuple[Value | None, ...]] = []
    if stored is not None:
        try:
            result = queries.run_query(stored, store=store, settings=reader.settings)
        except (queries.QueryError, ValueError, RuntimeError, OSError) as failure:
            error = str(failure)
        else:
            columns, rows = _result_table(reader, result)
    text = (
        stored.text
        if stored
        else (queries.queries_dir() / f"{name}{queries.QUERY_SUFFIX}").read_text("utf-8")
    )
    stem = f"{QUERY_FOLDER}/{name}"
    return QueryView(
        path=stem + paths.PAGE_EXTENSION,
        name=name,
        title=stored.title if stored and stored.title else name,
        description=stored.description if stored else "",
        sparql=text,
        columns=columns,
        rows=tuple(rows[:QUERY_ROW_LIMIT]),
        error=error,
        alternates=(Alternate("SPARQL query", "application/sparql-query", f"{stem}.rq"),),
    )


def _result_table(
    reader: Reader, result: queries.QueryResult
) -> tuple[tuple[str, ...], list[tuple[Value | None, ...]]]:
    def cell(term: OxTerm | None) -> Value | None:
        if term is None:
            return None
        if isinstance(term, ox.Literal):
            return reader.literal_value(term)
        link = reader.link(term)
        return Value(link.label, link=link)

    if result.boolean is not None:
        return ("answer",), [(Value("yes" if result.boolean else "no"),)]
    if result.triples:
        return ("subject", "predicate", "object"), [
            (cell(t.subject), cell(t.predicate), cell(t.object)) for t in result.triples[:QUERY_ROW_LIMIT]
        ]
    return result.variables, [tuple(cell(term) for term in row) for row in result.rows[:QUERY_ROW_LIMIT]]
