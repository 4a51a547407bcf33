"""What the public SPARQL endpoint runs: queries only, never an update, never SERVICE, on a stated dataset.

`check_public_query` decides, before anything runs, from what parsers read, never from keywords:

- An update is refused because no query parser reads it as a query: the embedded engine's parser
  refuses it, and rdflib's update parser then says it is an update (403, read-only).
- SERVICE is refused from rdflib's algebra (anywhere in the query: sub-selects, EXISTS...). rdflib's
  parser is slow (measured: about 16 ms for a new one-line query; 0.07 ms for a text already read,
  as parsed texts are kept, `sparql_syntax.read_query`), so on the embedded store the algebra is read
  only for a text that could hold a SERVICE clause or a dataset clause: one in which, once its \\u
  escapes are expanded (SPARQL does so before parsing), the letters "service" or "from" appear at
  all. Any other text cannot hold either, and the engine's own parser gives its form, on an empty
  store (measured: 0.15 ms per lookup query, with another test running on the two cores; most of it
  the engine's parse and plan, which the worker then makes again: a worker that learnt the form
  from the result it gives would save it). A remote store may take extensions (Virtuoso's DEFINE,
  for one): every text sent to it is read by rdflib's parser first.
- The dataset is the one the request states (`default-graph-uri`, `named-graph-uri`), else the
  one the query states (FROM, FROM NAMED), else the whole graph: every graph merged into the
  default graph, as the stores' interface defines it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from csei_graph.settings import Settings
from csei_graph.sparql_syntax import SparqlSyntaxError, check_nesting, is_update, read_query
from csei_graph.stores.base import GraphDataset

# Lower-case letters that any SERVICE or dataset clause holds: a text without them has neither.
_WORDS_THAT_NEED_THE_ALGEBRA = ("service", "from")
_EMPTY = ox.Store()
READ_ONLY = (
    "Updates are refused: this endpoint is read-only and runs no updates. The graph changes "
    "through its source files (see csei validate and csei contribute)."
)
NOT_A_QUERY = (
    "not a SPARQL query this endpoint runs "
    "(a SELECT, CONSTRUCT, ASK or DESCRIBE query in standard SPARQL 1.1)"
)
NO_SERVICE = (
    "SERVICE is refused: this endpoint never sends queries to other hosts. Query each endpoint "
    "yourself, or load the data you need into a copy of the graph (csei query works on local files)."
)


class Refused(Exception):
    """A request the endpoint will not run: the HTTP status and why, in words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class PublicQuery:
    """A query the endpoint may run: its text, its form, its dataset (None: the whole graph)."""

    text: str
    form: str
    dataset: GraphDataset | None


def check_public_query(
    text: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    engine_checks_syntax: bool = True,
    max_nesting: int | None = None,
) -> PublicQuery:
    """The query a request may run; Refused (403 for updates and SERVICE, 400 for the rest) otherwise.

    `engine_checks_syntax` says that the store's engine is the embedded one, which accepts nothing but
    standard SPARQL 1.1 queries (so that texts that cannot hold SERVICE or FROM skip rdflib's parser).
    A text nested deeper than `max_nesting` (the `sparql_max_nesting` setting) is refused (400) before
    any parser sees it.
    """
    try:
        check_nesting(text, Settings().sparql_max_nesting if max_nesting is None else max_nesting)
    except SparqlSyntaxError as error:
        raise Refused(400, f"{error.message} (line {error.line}, column {error.column})") from None
    requested = (
        GraphDataset(tuple(default_graphs), tuple(named_graphs)) if default_graphs or named_graphs else None
    )
    if engine_checks_syntax and not _may_need_algebra(text):
        return PublicQuery(text, _engine_form(text), requested)
    try:
        parsed = read_query(text)
    except SparqlSyntaxError as error:
        raise _refusal_for(text, error) from None
    if parsed.uses_service():
        raise Refused(403, NO_SERVICE)
    dataset = requested
    if dataset is None and parsed.dataset is not None:
        dataset = GraphDataset(parsed.dataset.default_graphs, parsed.dataset.named_graphs)
    return PublicQuery(text, parsed.form, dataset)


def _may_need_algebra(text: str) -> bool:
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes  # noqa: PLC0415

    try:
        lowered = expandUnicodeEscapes(text).lower()
    except ValueError:
        return True
    return any(word in lowered for word in _WORDS_THAT_NEED_THE_ALGEBRA)


def _engine_form(text: str) -> str:
    """The form of a query the embedded engine parses (on an empty store: nothing is read)."""
    try:
        answer = _EMPTY.query(text)
    except SyntaxError as error:
        if is_update(text):
            raise Refused(403, READ_ONLY) from None
        raise Refused(400, f"{NOT_A_QUERY}: SPARQL syntax error: {error.msg or error}") from None
    except RuntimeError:
        # Parsed, but failed on the empty store (an unknown function, say): the store will say why.
        return read_query(text).form
    if isinstance(answer, ox.QueryBoolean):
        return "ASK"
    if isinstance(answer, ox.QuerySolutions):
        return "SELECT"
    return "CONSTRUCT"


def _refusal_for(text: str, error: SparqlSyntaxError) -> Refused:
    if is_update(text):
        return Refused(403, READ_ONLY)
    return Refused(400, f"{NOT_A_QUERY}: {error.message}")
