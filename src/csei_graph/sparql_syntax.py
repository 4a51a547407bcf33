"""What a SPARQL text is, as rdflib's SPARQL parser reads it: form, dataset, WHERE group, algebra.

Nothing here reads SPARQL by hand: the form, the dataset clauses and the variables come from
rdflib's parse and algebra; the offsets at which a query's dataset and bindings can be stated come
from rdflib's grammar rules, composed into the same query rule with pyparsing's `Located`. A text is
parsed once (`read_query` keeps the last texts read).
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox
from pyparsing import CaselessKeyword, Located, OneOrMore, ParseBaseException, ParserElement, ZeroOrMore
from pyparsing import Optional as Maybe

from csei_graph.terms import OxTerm

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
_FORM_OF_ALGEBRA = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "AskQuery": "ASK",
    "DescribeQuery": "DESCRIBE",
}
PARSED_TEXTS_KEPT = 2048


class SparqlSyntaxError(ValueError):
    """Text that is no SPARQL query (or no update): the parser's message and where it stopped."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class StatedDataset:
    """The dataset clauses of a query: FROM graphs and FROM NAMED graphs (IRIs)."""

    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A query as the parser read it, and where its dataset and its bindings can be stated."""

    text: str
    form: str
    dataset: StatedDataset | None
    algebra: Any
    # Offset just before the WHERE clause (where FROM clauses go), and just inside its group's
    # opening brace (where a VALUES block binds variables for the whole group); None when the
    # query has no WHERE group that can take them (DESCRIBE <iri>, CONSTRUCT WHERE { triples }).
    where_offset: int | None
    group_offset: int | None

    def variables(self) -> set[str]:
        """The names of every variable the query mentions."""
        return {str(node) for node in walk(self.algebra) if _is_variable(node)}

    def uses_service(self) -> bool:
        """Whether the query has a SERVICE clause anywhere (in a sub-select or EXISTS too)."""
        return any(_name(node) == "ServiceGraphPattern" for node in walk(self.algebra))


# What a query's nesting is counted on: its brackets, outside strings, IRIs and comments (SPARQL's own
# tokens: an IRI holds no space, so `?a < ?b` is a comparison; long strings may hold quotes).
_NESTING_TOKEN = re.compile(
    r"#[^\n\r]*"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|[{}()\[\]]"
)
_OPENING = frozenset("{([")


def check_nesting(text: str, limit: int) -> None:
    """SparqlSyntaxError, with the line and column, for a query whose brackets ({, ( and [) nest more
    than `limit` levels deep.

    Checked before any parser reads the text: every SPARQL parser at hand recurses once (or more) per
    level (rdflib's runs out of Python stack below 50 levels; the embedded engine's ends the whole
    process, a segmentation fault, at a few thousand), so none can be asked how deep a text goes. The
    scan reads the text once, in SPARQL's own tokens, with no recursion: its depth is the parsers'.
    """
    try:
        from rdflib.plugins.sparql.parser import expandUnicodeEscapes  # noqa: PLC0415

        expanded = expandUnicodeEscapes(text)  # SPARQL expands \u escapes first: \u007B is a brace
    except ValueError:
        expanded = text
    depth = 0
    for token in _NESTING_TOKEN.finditer(expanded):
        bracket = token.group()
        if bracket in _OPENING:
            depth += 1
            if depth > limit:
                line = expanded.count("\n", 0, token.start()) + 1
                column = token.start() - (expanded.rfind("\n", 0, token.start()) + 1) + 1
                raise SparqlSyntaxError(
                    f"the query nests its brackets more than {limit:,} levels deep, the limit "
                    "sparql_max_nesting; flatten it, or raise CSEI_SPARQL_MAX_NESTING",
                    line,
                    column,
                )
        elif bracket in "})]" and len(bracket) == 1:
            depth = max(depth - 1, 0)


@lru_cache(maxsize=PARSED_TEXTS_KEPT)
def read_query(text: str) -> ParsedQuery:
    """The query a text holds; SparqlSyntaxError for text that is no query (an update too)."""
    from rdflib.plugins.sparql import parser  # noqa: PLC0415  (slow to import; needed only here)
    from rdflib.plugins.sparql.algebra import translateQuery  # noqa: PLC0415

    expanded = parser.expandUnicodeEscapes(text)
    try:
        tree = parser.parseQuery(expanded)
        where, group = _offsets(expanded)
        algebra = translateQuery(tree).algebra
    except ParseBaseException as error:
        raise SparqlSyntaxError(f"SPARQL syntax error: {error.msg}", error.lineno, error.col) from None
    except Exception as error:  # rdflib raises plain exceptions for what parses but has no meaning
        raise SparqlSyntaxError(f"SPARQL error: {error}") from None
    return ParsedQuery(
        text=expanded,
        form=_FORM_OF_ALGEBRA[algebra.name],
        dataset=_dataset_clauses(tree[1]),
        algebra=algebra,
        where_offset=where,
        group_offset=group,
    )


def is_update(text: str) -> bool:
    """Whether the text is a SPARQL 1.1 Update request (INSERT, DELETE, LOAD, CLEAR...)."""
    from rdflib.plugins.sparql import parser  # noqa: PLC0415

    try:
        parsed = parser.parseUpdate(text)
    except Exception:  # pyparsing's errors, or rdflib's for a text that parses but means nothing
        return False
    # An empty text (or prefixes alone) is an update with no operation: nothing to refuse as one.
    return "request" in parsed


def with_dataset(query: ParsedQuery, dataset: StatedDataset) -> str:
    """The query text with FROM and FROM NAMED clauses stating this dataset (the query has none)."""
    if query.dataset is not None:
        raise ValueError("the query states its own dataset (FROM or FROM NAMED)")
    if query.where_offset is None:
        raise ValueError("the query has no WHERE clause to state a dataset for")
    clauses = [f"FROM {ox.NamedNode(name)}" for name in dataset.default_graphs]
    clauses += [f"FROM NAMED {ox.NamedNode(name)}" for name in dataset.named_graphs]
    position = query.where_offset
    return query.text[:position] + "\n" + "\n".join(clauses) + "\n" + query.text[position:]


def with_values(query: ParsedQuery, bindings: Mapping[str, OxTerm], text: str | None = None) -> str:
    """The query text with the bindings joined in as a VALUES block at the top of its WHERE group.

    The SPARQL 1.1 Protocol has no way to send bindings beside a query. The terms are written by
    pyoxigraph's N-Triples writer, which escapes every quote and backslash of a literal and only
    accepts valid IRIs, so no value can close its term and add syntax. A blank node is refused: the
    grammar has no blank nodes in VALUES, and a store would read one as a new node anyway. `text`
    is the query text with clauses added before the WHERE group (`with_dataset`), if any.
    """
    text = query.text if text is None else text
    if not bindings:
        return text
    if query.group_offset is None:
        raise ValueError(f"a {query.form} query without a WHERE group cannot take bound values")
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode):
            raise ValueError(f"?{name} is bound to a blank node, which cannot be sent to a store")
    names = sorted(bindings)
    row = " ".join(str(bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }} "
    position = query.group_offset + len(text) - len(query.text)
    return text[:position] + block + text[position:]


def walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib algebra (or parse) tree, depth first, the node itself first."""
    yield node
    if isinstance(node, dict):  # CompValue and the expression nodes are dictionaries
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list | tuple | set | frozenset):
        for item in node:
            yield from walk(item)


def _name(node: Any) -> str:
    return getattr(node, "name", "") if isinstance(node, dict) else ""


def _is_variable(node: Any) -> bool:
    from rdflib.term import Variable  # noqa: PLC0415

    return isinstance(node, Variable)


def _dataset_clauses(parsed: Any) -> StatedDataset | None:
    # rdflib's parse values answer a missing key with its name: ask whether the key is there.
    clauses = parsed["datasetClause"] if "datasetClause" in parsed else []  # noqa: SIM401
    if not clauses:
        return None
    default = tuple(str(clause["default"]) for clause in clauses if "default" in clause)
    named = tuple(str(clause["named"]) for clause in clauses if "named" in clause)
    return StatedDataset(default, named)


def _offsets(text: str) -> tuple[int | None, int | None]:
    """Where the WHERE clause starts and just after its group's opening brace, read by the grammar."""
    where = _located_query().parse_string(text, parse_all=True).get("where_clause")
    if where is None:
        return None, None
    clause_start = where[0]
    group = where[1].get("group")
    return clause_start, (group[0] + 1 if group is not None else None)


@cache
def _located_query() -> ParserElement:
    """rdflib's query rule, with the WHERE clause and its group located."""
    from pyparsing import rest_of_line  # noqa: PLC0415
    from rdflib.plugins.sparql import parser as p  # noqa: PLC0415

    group = Located(p.GroupGraphPattern)("group")
    where = Located(Maybe(CaselessKeyword("WHERE")) + group)("where_clause")
    datasets = ZeroOrMore(p.DatasetClause)
    tail = p.SolutionModifier + p.ValuesClause
    select = p.SelectClause + datasets + where + tail
    construct = CaselessKeyword("CONSTRUCT") + (
        p.ConstructTemplate + datasets + where + tail
        | datasets + CaselessKeyword("WHERE") + "{" + Maybe(p.TriplesTemplate) + "}" + tail
    )
    ask = CaselessKeyword("ASK") + datasets + where + tail
    describe = CaselessKeyword("DESCRIBE") + (OneOrMore(p.VarOrIri) | "*") + datasets + Maybe(where) + tail
    query = p.Prologue + (select | construct | describe | ask)
    query.ignore("#" + rest_of_line)
    return query
