"""Stored SPARQL queries: the catalogue and its header format, typed parameters, running, result formats.

One module per job: `model` (what a query and a result are), `catalogue` (the files and their
headers), `parameters` (typed values), `placement` (where a parameter may stand), `running`,
`results` (formats), `policy` (what the public endpoint runs).
"""

from csei_graph.queries.catalogue import (
    QUERY_SUFFIX,
    catalogue_text,
    check_syntax,
    default_label,
    explain_query,
    list_queries,
    load_query,
    queries_dir,
)
from csei_graph.queries.model import Parameter, QueryError, QueryResult, StoredQuery
from csei_graph.queries.parameters import bind_parameters
from csei_graph.queries.results import GRAPH_FORMATS, RESULT_FORMATS, format_result
from csei_graph.queries.running import run_query, to_result

__all__ = [
    "GRAPH_FORMATS",
    "QUERY_SUFFIX",
    "RESULT_FORMATS",
    "Parameter",
    "QueryError",
    "QueryResult",
    "StoredQuery",
    "bind_parameters",
    "catalogue_text",
    "check_syntax",
    "default_label",
    "explain_query",
    "format_result",
    "list_queries",
    "load_query",
    "queries_dir",
    "run_query",
    "to_result",
]
