"""Query results compared by value, as two engines should agree on them, not by how each writes them.

Stores write the same answer differently: numbers in lexical forms of their own (`1` or `1.0E0`),
booleans as `true` or `1` (Virtuoso gives `BIND(EXISTS ...)` as an integer), blank nodes with labels
of their own. `comparable` keeps what a reader of the result sees: IRIs, text with its language,
numbers and booleans by value, blank nodes as blank, the rows in their order.
"""

from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from csei_graph.queries.model import QueryResult
from csei_graph.terms import OxTerm

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = frozenset(
    XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "decimal", "double", "float",
        "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
        "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
TermKey = tuple[str, ...]


def term_key(term: OxTerm | None) -> TermKey:
    """A term as every engine should give it."""
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    datatype = term.datatype.value
    if datatype in NUMERIC or datatype == XSD + "boolean":
        return ("number", _number(term.value))
    return ("literal", term.value, term.language or "")


def comparable(result: QueryResult) -> tuple[object, ...]:
    """What two engines must agree on: the columns and rows (in order), the boolean, the triples."""
    rows = tuple(tuple(term_key(term) for term in row) for row in result.rows)
    triples = Counter(
        tuple(term_key(term) for term in (t.subject, t.predicate, t.object)) for t in result.triples
    )
    return (result.form, result.variables, rows, result.boolean, frozenset(triples.items()))


def _number(lexical: str) -> str:
    text = lexical.strip().lower()
    if text in {"true", "false"}:
        return "1" if text == "true" else "0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value.normalize())
