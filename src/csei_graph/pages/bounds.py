"""Which values of a property a page reads when it has more than it shows: one rule, in SPARQL and Python.

A page shows a few hundred values of a property and counts the others. So that the live reader
(SPARQL) and the indexed reader (Python) choose the same ones, and neither reads every value, a value
is ranked by a key both can compute alike: its string value, the empty string for a blank node (a
blank node has no string value in SPARQL). The boundary is the key of the `shown`-th smallest; every
value whose key is at most the boundary is chosen, ties included, so that no engine's tie order counts.
"""

import heapq
from collections.abc import Iterable

import pyoxigraph as ox

from csei_graph.terms import OxTerm


def sort_key(term: OxTerm) -> str:
    """A value's rank in the rule: its string value (IRI or lexical form), "" for a blank node."""
    return "" if isinstance(term, ox.BlankNode) else term.value


def sort_key_sparql(variable: str) -> str:
    """`sort_key` as a SPARQL expression of a variable (SPARQL compares strings by code point, as Python)."""
    return f'IF(isBlank(?{variable}), "", STR(?{variable}))'


def boundary(terms: Iterable[OxTerm], shown: int) -> str | None:
    """The key of the `shown`-th smallest of distinct terms (`shown` at least 1); None when there are no
    more than `shown`."""
    keys = [sort_key(term) for term in terms]
    if len(keys) <= shown:
        return None
    return heapq.nsmallest(shown, keys)[-1]


def is_chosen(term: OxTerm, bound: str | None) -> bool:
    """Whether a term is among those read, given its property's boundary (None: every term is)."""
    return bound is None or sort_key(term) <= bound
