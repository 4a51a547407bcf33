"""Statements in canonical form: the engine's N-Triples or N-Quads lines, blank nodes labelled, sorted.

The engine writes every statement as one line; a line never spans two statements (a line break in a
literal is escaped). Sorting the lines as bytes gives an order that depends on the graph alone,
not on the order its sources were read in, and costs far less than sorting terms in Python: the
statements never become Python objects. Blank nodes get their labels from RDFC-1.0, which reads only
the statements that hold blank nodes, so only those are parsed and relabelled.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

BLANK_MARK = b"_:"


@runtime_checkable
class Dumpable(Protocol):
    """A store whose engine writes its statements itself (the embedded store)."""

    def dump(self, syntax: ox.RdfFormat, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> bytes:
        """Every quad (dataset syntax), or one graph's triples (triple syntax), as the engine writes them."""
        ...

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs."""
        ...


@dataclass(frozen=True, eq=True)
class Statements:
    """Statements in canonical order, each once: N-Triples lines for the union of the graphs, N-Quads
    lines otherwise (sorted as bytes: subject, predicate, object, then graph)."""

    lines: list[bytes]
    union: bool

    @property
    def syntax(self) -> ox.RdfFormat:
        """The syntax of the lines."""
        return ox.RdfFormat.N_TRIPLES if self.union else ox.RdfFormat.N_QUADS

    def text(self) -> bytes:
        """The lines as one document of their syntax."""
        return b"".join((b"\n".join(self.lines), b"\n")) if self.lines else b""

    def parsed(self) -> Iterable[ox.Quad]:
        """The statements as terms, in their order (read by the engine's parser)."""
        # The engine wrote these lines itself: they need no second check of their IRIs.
        return ox.parse(self.text(), format=self.syntax, lenient=True) if self.lines else iter(())


def canonical_blank_nodes(statements: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The statements with their blank nodes relabelled by RDFC-1.0 (`_:c14n0`, `_:c14n1`, ...).

    The one place blank nodes get their labels: the same statements always get the same labels,
    whatever labels they came with. Statements without blank nodes come back unchanged.
    """
    dataset = ox.Dataset(statements)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def from_store(store: Dumpable, *, union: bool) -> Statements:
    """The canonical statements of a store: the union of its graphs, or its quads with their graphs."""
    if not union:
        # A store holds each quad once: nothing to remove.
        return _canonical(_lines([store.dump(ox.RdfFormat.N_QUADS)]), union=False, unique=True)
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [ox.NamedNode(name) for name in store.graph_names()]
    documents = (store.dump(ox.RdfFormat.N_TRIPLES, graph) for graph in graphs)
    return _canonical(_lines(documents), union=True, unique=False)


def from_quads(quads: Iterable[ox.Quad], *, union: bool) -> Statements:
    """The canonical statements of any quads (with union, each triple once in the default graph)."""
    if union:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        text = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
    else:
        text = ox.serialize(quads, None, ox.RdfFormat.N_QUADS)
    return _canonical(_lines([text or b""]), union=union, unique=False)


def _lines(documents: Iterable[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The lines of some documents: those without a blank node, and those that may hold one."""
    plain: list[bytes] = []
    marked: list[bytes] = []
    for written in documents:
        document = _take_marked_lines(written, marked) if BLANK_MARK in written else written
        if document:
            lines = document.split(b"\n")
            lines.pop()  # every document ends with a line break: nothing follows the last
            plain += lines
    return plain, marked


def _take_marked_lines(document: bytes, marked: list[bytes]) -> bytes:
    """The document without its lines holding `_:`, which are added to `marked`.

    Found by searching the text, not by looking at each line: such lines are few. `_:` may also
    stand in a literal or an IRI; such a line is parsed with the others and comes back unchanged.
    """
    kept: list[bytes] = []
    start = 0
    found = document.find(BLANK_MARK)
    while found >= 0:
        line_start = document.rfind(b"\n", 0, found) + 1
        line_end = document.index(b"\n", found) + 1
        kept.append(document[start:line_start])
        marked.append(document[line_start : line_end - 1])
        start = line_end
        found = document.find(BLANK_MARK, start)
    kept.append(document[start:])
    return b"".join(kept)


def _canonical(lines: tuple[list[bytes], list[bytes]], *, union: bool, unique: bool) -> Statements:
    """Relabel the blank nodes of the marked lines, sort, and keep each statement once (unless the
    lines are known to be `unique`)."""
    plain, marked = lines
    syntax = ox.RdfFormat.N_TRIPLES if union else ox.RdfFormat.N_QUADS
    if marked:
        relabelled = canonical_blank_nodes(ox.parse(b"\n".join(marked), format=syntax))
        plain += ox.serialize(relabelled, None, syntax)[:-1].split(b"\n")  # type: ignore[index]
    plain.sort()
    if not unique:
        # A triple in several graphs, or given twice, is written once.
        plain = list(dict.fromkeys(plain))
    return Statements(plain, union)
