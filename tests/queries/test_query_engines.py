"""Whichever engine runs a stored query, the results are the same: embedded store, rdflib, VALUES binding.

The third engine is the embedded store given the query text with its parameters joined in as a
VALUES block, as they are sent to a remote endpoint: it checks, without a server, that this way of
binding means the same as binding beforehand.
"""

from collections.abc import Mapping

import pytest

from csei_graph.queries import QueryResult, StoredQuery, list_queries, run_query
from csei_graph.sparql_syntax import read_query, with_values
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.rdflib_engine import RdflibStore
from csei_graph.terms import OxTerm

QUERIES = list_queries()
# Values other than the defaults, so that each parameter is also tried with a value it filters on.
OTHER_VALUES = {
    "cluster-members": {"cluster": "cseid:cluster/agrobiocluster", "kind": "public-authority"},
    "clusters-by-ecosystem": {"ecosystem": "agri-food"},
    "clusters-by-innovation-type": {"innovation": "social"},
    "clusters-in-country": {"country": "FRA"},
    "clusters": {"type": "csei:PTCE"},
    "incomplete-clusters": {"gap": "no country"},
    "label-awards": {"level": "bronze"},
    "memberships-on-date": {"on": "1995-06-30"},
    "shared-members": {"min_clusters": "1"},
}


class BoundByValues:
    """The embedded store, sent the query text with VALUES as a remote endpoint is."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def query(self, sparql: str, bindings: Mapping[str, OxTerm] | None = None, **_: object) -> object:
        return self.store.query(with_values(read_query(sparql), dict(bindings or {})))


def comparable(result: QueryResult) -> tuple:
    return result.variables, result.rows, result.boolean, frozenset(result.triples)


@pytest.fixture(scope="module")
def rdflib_engines(builtin_scenario, synthetic_scenario) -> dict[str, RdflibStore]:
    return {s.name: RdflibStore.from_store(s.store) for s in (builtin_scenario, synthetic_scenario)}


CASES = [(q, {}) for q in QUERIES] + [(q, OTHER_VALUES[q.name]) for q in QUERIES if q.name in OTHER_VALUES]


@pytest.mark.parametrize(
    ("query", "params"), CASES, ids=[f"{q.name}{'-other-values' if p else ''}" for q, p in CASES]
)
def test_engines_agree(query: StoredQuery, params: dict[str, str], scenario, rdflib_engines) -> None:
    embedded = run_query(query, params, store=scenario.store)
    assert comparable(run_query(query, params, store=rdflib_engines[scenario.name])) == comparable(embedded)
    assert comparable(run_query(query, params, store=BoundByValues(scenario.store))) == comparable(embedded)


def test_other_values_name_real_parameters() -> None:
    by_name = {q.name: q for q in QUERIES}
    for name, values in OTHER_VALUES.items():
        assert set(values) <= {p.name for p in by_name[name].parameters}, name
