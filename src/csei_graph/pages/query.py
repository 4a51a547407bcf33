"""Stored-query pages: the list of stored queries, and each query as a tool: a form for its
parameters, its result as a sortable table of names with links, charts, downloads and a permalink.

Templates `queries.html` and `query.html`. The stored queries are the `.rq` files of `queries/`; a
query that cannot be loaded still has its page, which says why.
"""

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlencode

import pyoxigraph as ox

from csei_graph import queries
from csei_graph.pages import paths
from csei_graph.pages.charts import Chart, chart_for
from csei_graph.pages.message import MessageView, message_view
from csei_graph.pages.model import Alternate, Count, Link, Value
from csei_graph.pages.queryform import Field, chosen_values, concept_options, form_fields, result_stem
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import script_json
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
    fields: tuple[Field, ...] = ()
    charts: tuple[Chart, ...] = ()
    form_path: str = ""
    permalink: str = ""
    downloads: tuple[tuple[str, str], ...] = ()
    editor: str = ""
    variants_json: str = "{}"
    values_json: str = "{}"
    network: str = ""
    truncated: bool = False


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


NETWORK_QUERY = "cluster-network"
EDITOR_PAGE = "query-editor.html"


def query_view(
    store: Store,
    name: str,
    settings: Settings | None = None,
    values: Mapping[str, str] | None = None,
    *,
    reader: Reader | None = None,
) -> QueryView | None:
    """A stored query with its result on the store for the values given (else the defaults), or None
    if unknown; labels are read through `reader` when given (a publish's, which keeps them)."""
    if name not in stored_query_names():
        return None
    stored, error = _load_query(name)
    reader = reader or Reader(store, settings)
    columns: tuple[str, ...] = ()
    rows: list[tuple[Value | None, ...]] = []
    chosen = chosen_values(stored, values or {}) if stored else {}
    truncated = False
    if stored is not None:
        try:
            result = queries.run_query(stored, chosen, store=store, settings=reader.settings)
        except (queries.QueryError, ValueError, RuntimeError, OSError) as failure:
            error = str(failure)
        else:
            columns, rows = _result_table(reader, result)
            truncated = len(result.rows or result.triples) > QUERY_ROW_LIMIT
    text = (
        stored.text
        if stored
        else (queries.queries_dir() / f"{name}{queries.QUERY_SUFFIX}").read_text("utf-8")
    )
    stem, search = result_stem(QUERY_FOLDER, stored, chosen) if stored else (f"{QUERY_FOLDER}/{name}", "")
    suffix = f"?{search}" if search else ""
    shown = tuple(rows[:QUERY_ROW_LIMIT])
    editor_search = urlencode({"stored": name, **chosen})
    return QueryView(
        path=stem + paths.PAGE_EXTENSION,
        name=name,
        title=stored.title if stored and stored.title else name,
        description=stored.description if stored else "",
        sparql=text,
        columns=columns,
        rows=shown,
        error=error,
        alternates=(Alternate("SPARQL query", "application/sparql-query", f"{QUERY_FOLDER}/{name}.rq"),),
        fields=form_fields(reader, stored, chosen) if stored else (),
        charts=chart_for(columns, shown) if not error else (),
        form_path=f"{QUERY_FOLDER}/{name}{paths.PAGE_EXTENSION}",
        permalink=stem + paths.PAGE_EXTENSION + suffix,
        downloads=tuple((label, f"{stem}.{extension}{suffix}") for label, extension in DOWNLOADS),
        editor=f"{EDITOR_PAGE}?{editor_search}",
        variants_json=script_json(query_variants(reader, stored) if stored else {}),
        values_json=script_json(chosen),
        network="network.html" if name == NETWORK_QUERY else "",
        truncated=truncated,
    )


DOWNLOADS = (("CSV (spreadsheets)", "csv"), ("JSON", "json"))


def query_variants(reader: Reader, stored: queries.StoredQuery) -> dict[str, list[str]]:
    """The values of each concept parameter the static site writes a page for (the others at their
    defaults): the concepts of its scheme the graph uses."""
    return {
        p.name: [code for code, _ in concept_options(reader, p) if code != p.default]
        for p in stored.parameters
        if p.type == "concept"
    }


def result_files(view: QueryView) -> dict[str, bytes]:
    """The table of a query's page as CSV (a name and an IRI column for each column of resources) and
    as JSON (rows of {column: {label, iri}})."""
    linked = [any(row[i] is not None and row[i].link for row in view.rows) for i in range(len(view.columns))]  # type: ignore[union-attr]
    header: list[str] = []
    for column, has_links in zip(view.columns, linked, strict=True):
        header += [column, f"{column} IRI"] if has_links else [column]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    records = []
    for row in view.rows:
        line: list[str] = []
        record: dict[str, dict[str, str] | None] = {}
        for column, has_links, cell in zip(view.columns, linked, row, strict=True):
            label = "" if cell is None else cell.text
            iri = cell.link.iri if cell is not None and cell.link else ""
            line += [label, iri] if has_links else [label]
            record[column] = (
                None if cell is None else ({"label": label, "iri": iri} if iri else {"label": label})
            )
        writer.writerow(line)
        records.append(record)
    document = {
        "query": view.name,
        "columns": list(view.columns),
        "rows": records,
        "truncated": view.truncated,
    }
    return {
        "csv": ("\ufeff" + text.getvalue()).encode("utf-8"),
        "json": (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
    }


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


def editor_page(sparql_url: str) -> MessageView:
    """What the static site shows at the query editor's address: where the live editor is."""
    return message_view(
        "Query editor",
        "This is a static copy of the site: the SPARQL query editor, which runs queries, is served by "
        f"csei serve at /query-editor, and the graph answers SPARQL at {sparql_url}. The stored "
        "queries' pages show their results for each value of their pick lists.",
        path=EDITOR_PAGE,
        status=200,
    )
