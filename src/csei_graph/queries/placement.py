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
    found: dict[tuple[str, str], None] = {}
    for name, why in _visit(query.algebra, names, restricted="", nested=False, top=True):
        found[(name, why)] = None
    return list(found)


def _visit(
    node: Any, names: set[str], *, restricted: str, nested: bool, top: bool
) -> Iterator[tuple[str, str]]:
    kind = getattr(node, "name", "") if isinstance(node, dict) else ""
    if not kind:
        if isinstance(node, list | tuple):
            for item in node:
                yield from _visit(item, names, restricted=restricted, nested=nested, top=top)
        return
    if kind == "ToMultiSet":
        restricted = restricted or "a sub-select"
    if kind == "Join":
        # The filters of the outermost group sit above its joins: a filter below one is a nested group's.
        for part in (node["p1"], node["p2"]):
            yield from _visit(part, names, restricted=restricted, nested=nested, top=False)
        return
    if kind in {"BGP", "Graph"}:
        if restricted:
            yield from ((v, f"it is inside {restricted}") for v in _variables(node, names))
        if kind == "Graph":
            yield from _visit(node["p"], names, restricted=restricted, nested=True, top=False)
        return
    if kind == "LeftJoin":
        yield from _visit(node["p1"], names, restricted=restricted, nested=nested, top=top)
        yield from _visit(node["p2"], names, restricted=restricted or "an OPTIONAL", nested=True, top=False)
        if node.get("expr") is not None:
            yield from _expression(node["expr"], names, restricted or "an OPTIONAL", nested=True)
        return
    if kind == "Minus":
        yield from _visit(node["p1"], names, restricted=restricted, nested=nested, top=top)
        yield from _visit(node["p2"], names, restricted=restricted or "a MINUS", nested=True, top=False)
        return
    if kind == "Union":
        for part in (node["p1"], node["p2"]):
            yield from _visit(part, names, restricted=restricted, nested=True, top=False)
        return
    if kind == "Filter":
        yield from _expression(node["expr"], names, restricted, nested=nested or not top)
        yield from _visit(node["p"], names, restricted=restricted, nested=nested, top=top)
        return
    if kind == "Extend":
        expression = node["expr"]
        if _is_parameter(expression, names):
            yield (str(expression), "it is the argument of BIND")
        yield from _expression(expression, names, restricted, nested=nested)
        yield from _visit(node["p"], names, restricted=restricted, nested=nested, top=top)
        return
    stays_top = top and kind in _SPINE
    for value in node.values():
        if isinstance(value, dict | list | tuple):
            yield from _visit(value, names, restricted=restricted, nested=nested, top=stays_top)


def _expression(
    expression: Any, names: set[str], restricted: str, *, nested: bool
) -> Iterator[tuple[str, str]]:
    """Misuses in an expression; an EXISTS group in it is a group like the one the filter is in."""
    for node in walk(expression):
        kind = getattr(node, "name", "") if isinstance(node, dict) else ""
        if kind == "Builtin_BOUND" and _is_parameter(node.get("arg"), names):
            yield (str(node["arg"]), "it is the argument of BOUND")
    exists_groups = [node["graph"] for node in walk(expression) if getattr(node, "name", "") in _EXISTS]
    inside_exists = {id(part) for group in exists_groups for part in walk(group)}
    for node in walk(expression):
        if id(node) in inside_exists or not _is_parameter(node, names):
            continue
        if restricted:
            yield (str(node), f"it is inside {restricted}")
        elif nested:
            yield (str(node), "it is in an expression of a nested group")
    for group in exists_groups:
        yield from _visit(group, names, restricted=restricted, nested=nested, top=not nested)


_EXISTS = frozenset({"Builtin_EXISTS", "Builtin_NOTEXISTS"})


def _variables(node: Any, names: set[str]) -> list[str]:
    return sorted({str(term) for term in walk(node) if _is_parameter(term, names)})


def _is_parameter(node: Any, names: set[str]) -> bool:
    from rdflib.term import Variable  # noqa: PLC0415

    return isinstance(node, Variable) and str(node) in names
