"""csei-graph: knowledge graph and linked-data publisher for Clusters of Social and Ecological Innovation."""

from csei_graph.api import Problem, Summary, check, open_graph, summary
from csei_graph.sources import SourceError
from csei_graph.store import GraphStore

__all__ = [
    "GraphStore",
    "Problem",
    "SourceError",
    "Summary",
    "check",
    "open_graph",
    "summary",
]
__version__ = "0.1.0"
