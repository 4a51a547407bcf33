"""What a worker does with a job: a query's results within the row cap, or a page or document rendered."""

import csv
import io
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from csei_graph import export, queries
from csei_graph.queries import QueryResult, format_result
from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.stores.base import GraphDataset, Store
from csei_graph.stores.protocol_client import RemoteError
from csei_graph.web.rendering import Document, Rendered, render

SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
# Bytes a result row may take on average before the rows are counted one by one instead.
ROW_BYTES = 1024
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")


@dataclass(frozen=True)
class Job:
    """A query to run (its text and dataset, or a stored query's name and parameter values), the format,
    the row cap."""

    result_format: str
    max_rows: int
    sparql: str = ""
    dataset: GraphDataset | None = None
    stored: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    # Set for a page, document or dump to render instead of a query (the other fields then unused).
    document: Document | None = None

    @classmethod
    def rendering(cls, document: Document) -> "Job":
        """The job of rendering a document."""
        return cls("", 0, document=document)


@dataclass(frozen=True)
class Answer:
    """What a query gave: an HTTP status, and the body (results, or a message saying what went wrong)."""

    status: int
    body: bytes
    rows: int = 0
    rendered: Rendered | None = None
    # The worker that answered ends now (it lowered its priority for a slow job): the pool replaces it.
    retired: bool = False

    @classmethod
    def refusal(cls, status: int, message: str) -> "Answer":
        """An answer that carries a message instead of results."""
        return cls(status, message.encode("utf-8"))

    @property
    def message(self) -> str:
        """The body as text (for refusals)."""
        return self.body.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------------ answering a job


def answer(store: Store, job: Job, settings: Settings) -> Answer:
    """Run a job on a store and write its result, reading at most `max_rows` rows or triples; or
    render the job's document.

    A stored query runs as `csei query` runs it (`queries.run_query`: typed parameters, and no
    column for them), so both give the same results; the row cap then applies to its result.
    """
    if job.document is not None:
        rendered = render(store, settings, job.document)
        return Answer(200, b"", rendered=rendered) if rendered else Answer.refusal(404, "no such document")
    try:
        if job.stored:
            result = queries.run_query(job.stored, job.params, store=store, settings=settings)
            collected = result if _size(result) <= job.max_rows else None
        else:
            evaluated = store.query(job.sparql, dataset=job.dataset)
            if isinstance(evaluated, ox.QuerySolutions | ox.QueryBoolean) and job.result_format in RESULTS:
                return _written_by_engine(store, job, evaluated)
            collected = _collect(evaluated, job.max_rows)
        if collected is None:
            return Answer.refusal(422, rows_over_limit(job.max_rows))
        return Answer(200, _serialise(collected, job.result_format, settings), _size(collected))
    except (SyntaxError, ValueError, RuntimeError, RemoteError, OSError, SourceError) as error:
        return _failure(error)


# What each kind of failure means for the client: its status, and the words before the error's own.
_FAILURES: tuple[tuple[type[Exception], int, str], ...] = (
    (SyntaxError, 400, "SPARQL syntax error: "),
    (ValueError, 400, ""),
    (RuntimeError, 400, "the query cannot be evaluated: "),
    (RemoteError, 502, "the remote store failed: "),
    (OSError, 500, "the store could not be read: "),
    (SourceError, 500, "the store could not be read: "),
)


def _failure(error: Exception) -> Answer:
    """The answer for a query the store refused or could not run."""
    if isinstance(error, queries.QueryError):
        hint = f" ({error.hint})" if error.hint else ""
        return Answer.refusal(400, f"{error.message}{hint}")
    status, prefix = next(((s, p) for kind, s, p in _FAILURES if isinstance(error, kind)), (500, ""))
    detail = error.msg if isinstance(error, SyntaxError) and error.msg else str(error)
    return Answer.refusal(status, prefix + detail)


def _written_by_engine(store: Store, job: Job, evaluated: ox.QuerySolutions | ox.QueryBoolean) -> Answer:
    """Results written by the engine's own writer: rows never become Python objects.

    The rows are counted in what the engine wrote. The writing stops once it is larger than
    `ROW_BYTES` a row allowed; the rows are then counted as they come, and written again if there
    are not too many (rows that large are rare: long literals).
    """
    syntax = RESULTS[job.result_format]
    if isinstance(evaluated, ox.QueryBoolean):
        return Answer(200, evaluated.serialize(format=syntax), 1)
    written = _Bounded(job.max_rows * ROW_BYTES)
    try:
        evaluated.serialize(written, syntax)
    except _OverBound:
        if _count(store.query(job.sparql, dataset=job.dataset), job.max_rows + 1) > job.max_rows:  # type: ignore[arg-type]
            return Answer.refusal(422, rows_over_limit(job.max_rows))
        body = store.query(job.sparql, dataset=job.dataset).serialize(format=syntax)  # type: ignore[union-attr]
        return Answer(200, body, _rows_in(body, syntax))
    body = written.getvalue()
    rows = _rows_in(body, syntax)
    if rows > job.max_rows:
        return Answer.refusal(422, rows_over_limit(job.max_rows))
    return Answer(200, body, rows)


class _OverBound(Exception):
    """More bytes were written than the bound allows."""


class _Bounded(io.RawIOBase):
    """A byte buffer that refuses to grow past a bound (so a huge result is not written whole)."""

    def __init__(self, bound: int) -> None:
        super().__init__()
        self._bound = bound
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._size += len(data)
        if self._size > self._bound:
            raise _OverBound
        self._parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def _count(solutions: ox.QuerySolutions, most: int) -> int:
    """Rows of the solutions, counted up to `most` (the evaluation stops there)."""
    return sum(1 for _ in itertools.islice(solutions, most))


def _rows_in(body: bytes, syntax: ox.QueryResultsFormat) -> int:
    """Rows in results the engine wrote."""
    if syntax == ox.QueryResultsFormat.JSON:
        return len(json.loads(body)["results"]["bindings"])
    if syntax == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1  # a header line, then one line a row (line breaks are escaped)
    if syntax == ox.QueryResultsFormat.CSV:  # a value may hold a line break: the CSV reader knows
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    return sum(1 for _ in ox.parse_query_results(body, syntax))  # type: ignore[union-attr]


def _collect(result: object, max_rows: int) -> QueryResult | None:
    """The result, or None as soon as it has more than max_rows rows (evaluation then stops)."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = tuple(variable.value for variable in result.variables)
        rows = []
        for solution in result:
            if len(rows) == max_rows:
                return None
            rows.append(tuple(solution[name] for name in names))
        return QueryResult("SELECT", names, tuple(rows))
    triples: list[ox.Triple] = []
    for triple in result:  # type: ignore[attr-defined]
        if len(triples) == max_rows:
            return None
        triples.append(triple)
    return QueryResult("CONSTRUCT", triples=tuple(triples))


def _size(result: QueryResult) -> int:
    return len(result.rows) + len(result.triples) + (result.boolean is not None)


def _serialise(result: QueryResult, result_format: str, settings: Settings) -> bytes:
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        if result_format not in GRAPH_FORMATS:
            raise ValueError(
                f"a {result.form} query gives a graph: ask for one of {', '.join(GRAPH_FORMATS)}"
            )
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in result.triples]
        return export.to_bytes(quads, export.export_format(result_format), settings)
    if result_format not in SOLUTION_FORMATS:
        raise ValueError(f"a {result.form} query gives results: ask for one of {', '.join(SOLUTION_FORMATS)}")
    # Made safe for spreadsheets (or not, per the settings) by the server, with the engine's own results.
    return format_result(result, result_format, safe_csv=False).encode("utf-8")


def rows_over_limit(max_rows: int) -> str:
    """Why a query over the row cap was refused, and what to do instead."""
    return (
        f"the query gives more than {max_rows:,} rows, the most this endpoint returns: add "
        f"LIMIT {max_rows} (and OFFSET to page through the rest), or ask for a COUNT"
    )


def over_time_limit(seconds: float) -> str:
    """Why a query over the time limit was stopped, and what to do instead."""
    return (
        f"the query was stopped after {seconds:g} s, the time limit of this endpoint: make it more "
        "selective (fewer unbound patterns, a LIMIT without ORDER BY) or run it on your own copy of the "
        "graph with `csei query`"
    )
