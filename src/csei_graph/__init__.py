"""csei-graph: knowledge graph and linked-data publisher for Clusters of Social and Ecological Innovation.

The public names below are imported on first use (PEP 562), so that `import csei_graph` and the
command line load neither the server, nor the SHACL engines, nor anything a caller does not use.
"""

import importlib
from typing import Any

__version__ = "0.1.0"

# Each public name and the module that defines it.
_PUBLIC: dict[str, str] = {
    "Endpoint": "csei_graph.stores.protocol_client",
    "GraphDataset": "csei_graph.stores.base",
    "GraphStore": "csei_graph.stores.embedded",
    "Problem": "csei_graph.api",
    "QueryError": "csei_graph.queries",
    "QueryResult": "csei_graph.queries",
    "RdflibStore": "csei_graph.stores.rdflib_engine",
    "RemoteError": "csei_graph.stores.protocol_client",
    "RemoteStore": "csei_graph.stores.remote",
    "Report": "csei_graph.validation",
    "SourceError": "csei_graph.sources",
    "Store": "csei_graph.stores.base",
    "StoredQuery": "csei_graph.queries",
    "Summary": "csei_graph.api",
    "SynthResult": "csei_graph.synth",
    "Workspace": "csei_graph.workspace",
    "accept": "csei_graph.contributions",
    "check": "csei_graph.api",
    "contribute": "csei_graph.contributions",
    "diff": "csei_graph.releases",
    "explain_query": "csei_graph.queries",
    "export_to_file": "csei_graph.export",
    "format_result": "csei_graph.queries",
    "init": "csei_graph.workspace",
    "list_queries": "csei_graph.queries",
    "load_query": "csei_graph.queries",
    "open_graph": "csei_graph.api",
    "publish": "csei_graph.site.build",
    "pull": "csei_graph.transfer",
    "push": "csei_graph.transfer",
    "reject": "csei_graph.contributions",
    "release": "csei_graph.releases",
    "review": "csei_graph.contributions",
    "run_query": "csei_graph.queries",
    "serve": "csei_graph.web.server",
    "summary": "csei_graph.api",
    "template": "csei_graph.validation",
    "validate_graph": "csei_graph.validation",
    "write_synthetic": "csei_graph.synth",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'csei_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
