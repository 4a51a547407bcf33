"""Where a parameter may stand so that binding it means the same on every engine, read off the algebra.

A parameter is bound beforehand on the embedded store (substitution) and on rdflib (initial
bindings), and joined in as a VALUES block at the top of the WHERE group on a remote store. These
agree when the parameter stands in triple patterns of any group, and in the expressions (FILTER,
BIND) of the outermost group and of the EXISTS groups of its filters. They do not in an OPTIONAL,
a MINUS or a sub-select, nor in an expression of a nested group (a UNION branch), which is
evaluated on its own and sees the parameter unbound; nor in `BOUND(?p)` or `BIND(?p AS ?x)`, where
the embedded engine reads a bound parameter as unbound.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from csei_graph.sparql_syntax import ParsedQuery, walk

# Algebra nodes whose parts are still the outermost group (solution modifiers and the group's own
# FILTER and BIND), and nodes whose parts are a group of another kind, with what to call it.
_SPINE = frozenset(
    {
        "SelectQuery",
        "ConstructQuery",
        "AskQuery",
        "DescribeQuery",
        "Project",
        "Distinct",
        "Reduced",
        "Slice",
        "OrderBy",
        "Group",
        "AggregateJoin",
        "Filter",
        "Extend",
    }
)


def misuses(query: ParsedQuery, names: set[str]) -> list[tuple[str, str]]:
    """Each parameter placed where it would not mean the same on every engine, with why."""
    found = _visit(query.algebra, _Place(frozenset(names), restricted="", nested=False, top=True))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class _Place:
    """Where in the query a node stands: the parameters, the kind of group it is in, if any."""

    names: frozenset[str]
    restricted: str  # "an OPTIONAL", "a MINUS", "a sub-select", or "" in a group that is none of these
    nested: bool  # in a group of its own (a UNION branch, GRAPH, OPTIONAL...), evaluated on its own
    top: bool  # on the spine of the outermost group, where its own FILTER and BIND stand

    def inner(self, restricted: str = "", *, nested: bool = True) -> "_Place":
        return replace(self, restricted=self.restricted or restricted, nested=nested, top=False)


def _visit(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    kind = getattr(node, "name", "") if isinstance(node, dict) else ""
    if not kind:
        for item in node if isinstance(node, list | tuple) else ():
            yield from _visit(item, place)
        return
    handler = _HANDLERS.get(kind)
    if handler is not None:
        yield from handler(node, place)
        return
    place = place.inner("a sub-select", nested=place.nested) if kind == "ToMultiSet" else place
    below = replace(place, top=place.top and kind in _SPINE)
    for value in node.values():
        if isinstance(value, dict | list | tuple):
            yield from _visit(value, below)


def _join(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    # The filters of the outermost group sit above its joins: a filter below one is a nested group's.
    for part in (node["p1"], node["p2"]):
        yield from _visit(part, replace(place, top=False))


def _triples(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    if place.restricted:
        yield from ((name, f"it is inside {place.restricted}") for name in _variables(node, place.names))
    if node.name == "Graph":
        yield from _visit(node["p"], place.inner())


def _optional(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    yield from _visit(node["p1"], place)
    yield from _visit(node["p2"], place.inner("an OPTIONAL"))
    if node.get("expr") is not None:
        yield from _expression(node["expr"], place.inner("an OPTIONAL"))


def _minus(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    yield from _visit(node["p1"], place)
    yield from _visit(node["p2"], place.inner("a MINUS"))


def _union(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    for part in (node["p1"], node["p2"]):
        yield from _visit(part, place.inner())


def _filter(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    yield from _expression(node["expr"], replace(place, nested=place.nested or not place.top))
    yield from _visit(node["p"], place)


def _bind(node: Any, place: _Place) -> Iterator[tuple[str, str]]:
    expression = node["expr"]
    if _is_parameter(expression, place.names):
        yield (str(expression), "it is the argument of BIND")
    yield from _expression(expression, place)
    yield from _visit(node["p"], place)


_HANDLERS = {
    "Join": _join,
    "BGP": _triples,
    "Graph": _triples,
    "LeftJoin": _optional,
    "Minus": _minus,
    "Union": _union,
    "Filter": _filter,
    "Extend": _bind,
}


def _expression(expression: Any, place: _Place) -> Iterator[tuple[str, str]]:
    """Misuses in an expression; an EXISTS group in it is a group like the one the filter is in."""
    names = place.names
    for node in walk(expression):
        kind = getattr(node, "name", "") if isinstance(node, dict) else ""
        if kind == "Builtin_BOUND" and _is_parameter(node.get("arg"), names):
            yield (str(node["arg"]), "it is the argument of BOUND")
    exists_groups = [node["graph"] for node in walk(expression) if getattr(node, "name", "") in _EXISTS]
    inside_exists = {id(part) for group in exists_groups for part in walk(group)}
    for node in walk(expression):
        if id(node) in inside_exists or not _is_parameter(node, names):
            continue
        if place.restricted:
            yield (str(node), f"it is inside {place.restricted}")
        elif place.nested:
            yield (str(node), "it is in an expression of a nested group")
    for group in exists_groups:
        yield from _visit(group, replace(place, top=not place.nested))


_EXISTS = frozenset({"Builtin_EXISTS", "Builtin_NOTEXISTS"})


def _variables(node: Any, names: frozenset[str]) -> list[str]:
    return sorted({str(term) for term in walk(node) if _is_parameter(term, names)})


def _is_parameter(node: Any, names: frozenset[str]) -> bool:
    from rdflib.term import Variable  # noqa: PLC0415

    return isinstance(node, Variable) and str(node) in names
