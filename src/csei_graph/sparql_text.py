"""Reads SPARQL text without running it: query form, variables, the outermost WHERE group; binds by VALUES."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})

# Strings and IRIs first, so that a brace, a '#' or a keyword inside them is never read as syntax.
_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$][A-Za-z0-9_\u00b7-\uffff]+)
    | (?P<pname>(?:[A-Za-z][\w.-]*)?:[^\s{}()<>,;"'#]*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical unit of SPARQL text and where it starts."""

    kind: str
    text: str
    start: int
    depth: int


def tokens(sparql: str) -> Iterator[Token]:
    """The tokens of SPARQL text with their brace depth; spaces and comments left out."""
    depth = 0
    for match in _TOKENS.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind == "close":
            depth -= 1
        if kind not in {"space", "comment"}:
            yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def query_form(sparql: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE; ValueError for an update or text that is no query."""
    for token in tokens(sparql):
        word = token.text.upper()
        if token.kind == "word" and token.depth == 0 and word not in {"PREFIX", "BASE"}:
            if word in QUERY_FORMS:
                return word
            break
    raise ValueError("not a SPARQL query: it must be a SELECT, CONSTRUCT, ASK or DESCRIBE query")


def variables(sparql: str) -> set[str]:
    """Names of the variables the text mentions, without their ? or $."""
    return {token.text[1:] for token in tokens(sparql) if token.kind == "variable"}


def where_group_start(sparql: str) -> int:
    """Offset just after the opening brace of the query's outermost WHERE group.

    The WHERE keyword is optional in SPARQL: without it, the group is the first one of the query,
    or the second for CONSTRUCT, whose first group is its template.
    """
    form = query_form(sparql)
    outermost_groups = 0
    after_where = False
    for token in tokens(sparql):
        if token.depth != 0:
            continue
        if token.kind == "open":
            outermost_groups += 1
            if after_where or outermost_groups == (2 if form == "CONSTRUCT" else 1):
                return token.start + 1
        after_where = token.kind == "word" and token.text.upper() == "WHERE"
    raise ValueError("the query has no WHERE group { ... }")


def parameter_misuses(sparql: str, names: set[str]) -> list[tuple[str, int, str]]:
    """Places where a parameter would not mean the same bound beforehand and joined in as VALUES.

    Each is (name, offset, why). A parameter may stand in the triple patterns of any group, and in
    the expressions of the outermost WHERE group and of the EXISTS groups of its filters; not in an
    OPTIONAL, a MINUS or a sub-select, nor in an expression of a nested group, which sees it unbound
    when evaluated on its own. `BOUND(?p)` and `BIND(?p AS ?x)` are refused too: the embedded
    engine reads a bound parameter as unbound there.
    """
    found: list[tuple[str, int, str]] = []
    groups: list[str] = []
    parentheses = 0
    previous: list[Token] = []
    for token in tokens(sparql):
        word = token.text.upper() if token.kind == "word" else ""
        if token.kind == "open":
            groups.append(_group_kind(previous, not groups))
        elif token.kind == "close" and groups:
            groups.pop()
        elif word == "SELECT" and groups:
            groups[-1] = "sub-select"
        elif token.text == "(":
            parentheses += 1
        elif token.text == ")":
            parentheses -= 1
        elif token.kind == "variable" and token.text[1:] in names:
            why = _misuse(groups, parentheses, previous)
            if why:
                found.append((token.text[1:], token.start, why))
        previous = [*previous[-2:], token]
    return found


_RESTRICTED_GROUPS = {"OPTIONAL": "an OPTIONAL", "MINUS": "a MINUS", "sub-select": "a sub-select"}


def _group_kind(previous: list[Token], outermost: bool) -> str:
    before = previous[-1].text.upper() if previous else ""
    if outermost:
        return "where"
    if before in {"OPTIONAL", "MINUS", "EXISTS"}:
        return before
    return "nested"


def _misuse(groups: list[str], parentheses: int, previous: list[Token]) -> str:
    restricted = [_RESTRICTED_GROUPS[g] for g in groups if g in _RESTRICTED_GROUPS]
    if restricted:
        return f"it is inside {restricted[0]}"
    if len(previous) >= 2 and previous[-1].text == "(" and previous[-2].text.upper() in {"BOUND", "BIND"}:
        return f"it is the argument of {previous[-2].text.upper()}"
    if any(g == "nested" for g in groups) and parentheses > 0:
        return "it is in an expression of a nested group"
    return ""


def bind_as_values(sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with the bindings joined in as a VALUES block at the top of its WHERE group.

    The SPARQL 1.1 Protocol has no way to send bindings beside a query. The terms are written by
    pyoxigraph's N-Triples writer, which escapes every quote and backslash of a literal and only
    accepts valid IRIs, so no value can close its term and add syntax; a value that mentions a
    variable of the query in the outermost group gives the same results as binding it beforehand.
    """
    if not bindings:
        return sparql
    names = sorted(bindings)
    row = " ".join(str(bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }} "
    position = where_group_start(sparql)
    return sparql[:position] + block + sparql[position:]
