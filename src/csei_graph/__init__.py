"""csei-graph: knowledge graph and linked-data publisher for Clusters of Social and Ecological Innovation."""

# Before the imports: modules below read it while this package is still being imported.
__version__ = "0.1.0"

from csei_graph.api import Problem, Summary, check, open_graph, summary
from csei_graph.contributions import accept, contribute, reject, review
from csei_graph.export import export_to_file
from csei_graph.queries import (
    QueryError,
    QueryResult,
    StoredQuery,
    explain_query,
    format_result,
    list_queries,
    load_query,
    run_query,
)
from csei_graph.releases import diff, release
from csei_graph.site.build import publish
from csei_graph.sources import SourceError
from csei_graph.stores.base import GraphDataset, Store
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.protocol_client import Endpoint, RemoteError
from csei_graph.stores.rdflib_engine import RdflibStore
from csei_graph.stores.remote import RemoteStore
from csei_graph.synth import SynthResult, write_synthetic
from csei_graph.transfer import pull, push
from csei_graph.validation import Report, template, validate_graph
from csei_graph.web.server import serve
from csei_graph.workspace import Workspace, init

__all__ = [
    "Endpoint",
    "GraphDataset",
    "GraphStore",
    "Problem",
    "QueryError",
    "QueryResult",
    "RdflibStore",
    "RemoteError",
    "RemoteStore",
    "Report",
    "SourceError",
    "Store",
    "StoredQuery",
    "Summary",
    "SynthResult",
    "Workspace",
    "accept",
    "check",
    "contribute",
    "diff",
    "explain_query",
    "export_to_file",
    "format_result",
    "init",
    "list_queries",
    "load_query",
    "open_graph",
    "publish",
    "pull",
    "push",
    "reject",
    "release",
    "review",
    "run_query",
    "serve",
    "summary",
    "template",
    "validate_graph",
    "write_synthetic",
]
