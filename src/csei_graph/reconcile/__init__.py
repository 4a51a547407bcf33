"""Reconciliation: matching names (of members, clusters, programmes, concepts) to the graph's IRIs.

The index (`build_index`) reads every entity of the offered types from a store once; `reconcile`
scores candidates for a query; `protocol`, `suggest`, `extend` and `preview` make the documents of the
Reconciliation Service API 0.2, which `csei serve` answers at /reconcile; `members` fills in the IRIs
of a CSV member list, for `csei reconcile`.
"""

from csei_graph.reconcile.index import Entity, Index, build_index
from csei_graph.reconcile.matcher import Candidate, Condition, Query, QueryError, reconcile

__all__ = ["Candidate", "Condition", "Entity", "Index", "Query", "QueryError", "build_index", "reconcile"]
