"""What the graph may hold, one policy for every way in: no triple terms, no blank nodes alike, and limits on
sizes and nesting.

Every way statements enter the graph (the team's sources, contributions, CSV rows, the persistent store's
build, a remote store read back) asks this module, so every output (exports, pages, dumps, canonical
blank-node labels) only ever meets statements of bounded size and depth. A refusal names the limit, the
resource it was found on and the setting that raises it; the caller adds the file and line.
"""

import mmap
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from csei_graph.namespaces import shorten
from csei_graph.settings import Settings, env_var

RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
# The settings of the policy: what a graph holds depends on them (a persistent store's build too).
LIMITS = (
    "max_literal_chars",
    "max_iri_chars",
    "max_blank_node_depth",
    "max_list_items",
    "max_statements_per_resource",
    "max_alike_blank_nodes",
    "max_alike_blank_nodes_total",
    "max_alike_neighbours",
)
Statement = ox.Triple | ox.Quad
Node = ox.NamedNode | ox.BlankNode | ox.Triple


@dataclass(frozen=True)
class Refusal:
    """Why statements are refused: the message, the resource it is about, and how to raise the limit."""

    message: str
    focus: str
    setting: str
    fix: str

    @property
    def hint(self) -> str:
        """How to get past it: change the data, or raise the setting."""
        return f"{self.fix}, or raise {env_var(self.setting)} ({self.setting} in csei.toml)"


def short(term: object) -> str:
    """A term as N-Triples, cut to 100 characters."""
    text = str(term)
    return text if len(text) <= 100 else f"{text[:80]}…"


def term_refusal(statement: Statement, settings: Settings) -> Refusal | None:
    """The first term of one statement the policy refuses: too long an IRI or literal (inside a triple
    term too), or a triple term (RDF 1.2), which no exporter, page or JSON-LD context of csei handles."""
    focus = short(statement.subject)
    terms: list[object] = [statement.subject, statement.predicate, statement.object]
    terms.append(getattr(statement, "graph_name", None))
    while terms:
        term = terms.pop()
        if isinstance(term, ox.Triple):
            terms += [term.subject, term.predicate, term.object]
        elif isinstance(term, ox.Literal) and len(term.value) > settings.max_literal_chars:
            return Refusal(
                f"a literal of {len(term.value):,} characters on {focus} exceeds the limit of "
                f"{settings.max_literal_chars:,} (max_literal_chars)",
                focus,
                "max_literal_chars",
                "shorten it",
            )
        elif isinstance(term, ox.NamedNode) and len(term.value) > settings.max_iri_chars:
            return Refusal(
                f"an IRI of {len(term.value):,} characters ({short(term)}) on {focus} exceeds the limit "
                f"of {settings.max_iri_chars:,} (max_iri_chars)",
                focus,
                "max_iri_chars",
                "use a shorter IRI",
            )
    for term in (statement.subject, statement.object):
        if isinstance(term, ox.Triple):
            return Refusal(
                f"a triple term <<( {short(term)} )>> on {focus}: csei-graph does not hold RDF 1.2 triple "
                "terms (statements about statements)",
                focus,
                "",
                "",
            )
    return None


def first_refusal(statements: Iterable[Statement], settings: Settings) -> Refusal | None:
    """The first thing the policy refuses in some statements: a term (`term_refusal`), too many statements
    on one resource, blank nodes nested too deep, too long a list, or blank nodes alike."""
    per_subject: Counter[Node] = Counter()
    to_blank: list[tuple[Node, ox.NamedNode, ox.BlankNode]] = []
    with_blank: list[tuple[Node, ox.NamedNode, object]] = []
    for statement in statements:
        refused = term_refusal(statement, settings)
        if refused is not None:
            return refused
        per_subject[statement.subject] += 1
        if isinstance(statement.object, ox.BlankNode):
            to_blank.append((statement.subject, statement.predicate, statement.object))
        if isinstance(statement.object, ox.BlankNode) or isinstance(statement.subject, ox.BlankNode):
            with_blank.append((statement.subject, statement.predicate, statement.object))
    if per_subject:
        subject, count = per_subject.most_common(1)[0]
        if count > settings.max_statements_per_resource:
            return too_many_statements(short(subject), count, settings)
    return nesting_refusal(to_blank, settings) or alike_refusal(with_blank, settings)


def alike_refusal(
    statements: Iterable[tuple[Node, ox.NamedNode, object]], settings: Settings
) -> Refusal | None:
    """Blank nodes described by the same statements (as RDFC-1.0 first sees them: each with itself as
    `_:this` and any other blank node as `_:other`) in numbers or shapes over the limits, or None;
    `statements` are those holding a blank node, as (subject, predicate, object).

    Such nodes are what makes canonical blank-node labels (every export, the content hash of a
    contribution) slow, while nodes each described differently are labelled at once. Measured: a list or
    chain of nodes alike costs time growing as the cube of its length (50, 0.05 s; 300, 10 s; 1,000,
    260 s); nodes alike each linked to more than two others alike, exponential time (5 linked to each
    other, 12 ms; 8, 6 s; 30 each linked to 4 others, 5 s). So at most `max_alike_blank_nodes` nodes may
    share one description, at most `max_alike_blank_nodes_total` share theirs with another, and none of
    those is linked to more than `max_alike_neighbours` of them.
    """
    # Each statement as a node sees it: (0, predicate, object) where the node is the subject, (1,
    # predicate, subject) where it is the object; another blank node is "_:other". Plain tuples of
    # strings: this runs on every statement holding a blank node of the graph.
    described: dict[ox.BlankNode, list[tuple[int, str, str]]] = {}
    linked: dict[ox.BlankNode, set[ox.BlankNode]] = {}
    for subject, named, obj in statements:
        predicate = named.value
        subject_blank, object_blank = isinstance(subject, ox.BlankNode), isinstance(obj, ox.BlankNode)
        if subject_blank:
            seen = "_:this" if obj == subject else "_:other" if object_blank else str(obj)
            described.setdefault(subject, []).append((0, predicate, seen))  # type: ignore[arg-type]
        if object_blank and obj != subject:
            seen = "_:other" if subject_blank else str(subject)
            described.setdefault(obj, []).append((1, predicate, seen))  # type: ignore[arg-type]
            if subject_blank:
                linked.setdefault(subject, set()).add(obj)  # type: ignore[arg-type]
                linked.setdefault(obj, set()).add(subject)  # type: ignore[arg-type]
    keys = {node: tuple(sorted(lines)) for node, lines in described.items()}
    sizes = Counter(keys.values())
    alike = {node for node, key in keys.items() if sizes[key] > 1}
    if not alike:
        return None
    key, largest = sizes.most_common(1)[0]
    example = _statement_text(min(key))
    if largest > settings.max_alike_blank_nodes:
        return _alike(
            f"{largest:,} blank nodes are described by the same statements ({example}), more than the "
            f"{settings.max_alike_blank_nodes:,} alike the graph may hold",
            example,
            "max_alike_blank_nodes",
        )
    if len(alike) > settings.max_alike_blank_nodes_total:
        return _alike(
            f"{len(alike):,} blank nodes share their statements with another (such as {example}), more "
            f"than the {settings.max_alike_blank_nodes_total:,} the graph may hold",
            example,
            "max_alike_blank_nodes_total",
        )
    for node in alike:
        neighbours = len(linked.get(node, set()) & alike)
        if neighbours > settings.max_alike_neighbours:
            example = _statement_text(min(keys[node]))
            return _alike(
                f"a blank node described as others are ({example}) is linked to {neighbours:,} blank nodes "
                f"described alike, more than the {settings.max_alike_neighbours:,} the graph allows",
                example,
                "max_alike_neighbours",
            )
    return None


def _alike(message: str, example: str, setting: str) -> Refusal:
    return Refusal(
        f"{message} ({setting}): csei cannot tell them apart, and putting them in canonical form takes "
        "time that grows far faster than their number",
        example,
        setting,
        ALIKE_FIX,
    )


ALIKE_FIX = "give them IRIs (the IRI policy of docs/model.md), or state what sets each apart"


def _statement_text(seen: tuple[int, str, str]) -> str:
    """A statement as a blank node sees it, as people read it: `_:this skos:note "x"`."""
    role, predicate, other = seen
    other = shorten(other[1:-1]) if other.startswith("<") and other.endswith(">") else other
    if role == 0:
        return f"_:this {shorten(predicate)} {other}"
    return f"{other} {shorten(predicate)} _:this"


def too_many_statements(focus: str, count: int, settings: Settings) -> Refusal:
    """The refusal of a resource with more statements than `max_statements_per_resource`."""
    return Refusal(
        f"{count:,} statements on {focus} exceed the limit of {settings.max_statements_per_resource:,} "
        "statements per resource (max_statements_per_resource)",
        focus,
        "max_statements_per_resource",
        "split the resource into several",
    )


def nesting_refusal(
    to_blank: Iterable[tuple[Node, ox.NamedNode, ox.BlankNode]], settings: Settings
) -> Refusal | None:
    """Blank nodes nested deeper than `max_blank_node_depth`, or a list longer than `max_list_items`,
    given every statement whose object is a blank node (subject, predicate, object).

    A list's cells (linked by rdf:rest) count as one level of nesting, and as the list's length; what a
    cell holds (rdf:first) nests one level deeper. Computed without recursion, in time linear in the
    statements, so that a 100,000-deep file costs no more than its size.
    """
    children: dict[ox.BlankNode, list[tuple[ox.BlankNode, bool]]] = {}
    parent: dict[ox.BlankNode, Node] = {}
    for subject, predicate, node in to_blank:
        parent.setdefault(node, subject)
        if isinstance(subject, ox.BlankNode):
            children.setdefault(subject, []).append((node, predicate == RDF_REST))
    depth, length = _measure(children)
    deepest = max(depth, key=depth.__getitem__, default=None)
    if deepest is not None and depth[deepest] > settings.max_blank_node_depth:
        focus = _root(deepest, parent)
        return Refusal(
            f"blank nodes nested {depth[deepest]:,} deep under {focus} exceed the limit of "
            f"{settings.max_blank_node_depth:,} levels (max_blank_node_depth)",
            focus,
            "max_blank_node_depth",
            "give the nested nodes IRIs and describe them at the top level",
        )
    longest = max(length, key=length.__getitem__, default=None)
    if longest is not None and length[longest] > settings.max_list_items:
        focus = _root(longest, parent)
        return Refusal(
            f"a list of {length[longest]:,} items on {focus} exceeds the limit of "
            f"{settings.max_list_items:,} items (max_list_items)",
            focus,
            "max_list_items",
            "split the list, or state its items with a repeated property",
        )
    return None


def _measure(
    children: dict[ox.BlankNode, list[tuple[ox.BlankNode, bool]]],
) -> tuple[dict[ox.BlankNode, int], dict[ox.BlankNode, int]]:
    """For each blank node with children: the levels of blank nodes from it down (itself included), and
    the cells of the list from it on (its rdf:rest chain). Edges back into a node being walked (a cycle)
    are not followed."""
    depth: dict[ox.BlankNode, int] = {}
    length: dict[ox.BlankNode, int] = {}
    on_path: set[ox.BlankNode] = set()
    for start in children:
        if start in depth:
            continue
        stack: list[tuple[ox.BlankNode, int]] = [(start, 0)]
        on_path.add(start)
        while stack:
            node, index = stack[-1]
            below = children.get(node, [])
            if index < len(below):
                stack[-1] = (node, index + 1)
                child = below[index][0]
                if child not in depth and child not in on_path:
                    on_path.add(child)
                    stack.append((child, 0))
                continue
            stack.pop()
            on_path.discard(node)
            levels, cells = 1, 1
            for child, is_rest in below:
                levels = max(levels, depth.get(child, 1) + (0 if is_rest else 1))
                if is_rest:
                    cells = max(cells, length.get(child, 1) + 1)
            depth[node], length[node] = levels, cells
    return depth, length


def _root(node: ox.BlankNode, parent: dict[ox.BlankNode, Node]) -> str:
    """The resource a blank node hangs from: its topmost ancestor that is not a blank node, if any."""
    seen = {node}
    current: Node = node
    while isinstance(current, ox.BlankNode) and current in parent:
        up = parent[current]
        if up in seen:
            break
        seen.add(up)  # type: ignore[arg-type]
        current = up
    return short(current)


# The checks of `first_refusal` on a whole store, run by the engine: the statements never become Python
# objects, except those pointing at blank nodes.
_LONG_TERMS = """
SELECT ?s ?p ?o WHERE {
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
  FILTER(isTRIPLE(?o) || isTRIPLE(?s)
    || (isIRI(?s) && STRLEN(STR(?s)) > %(iri)d) || STRLEN(STR(?p)) > %(iri)d
    || (isIRI(?o) && STRLEN(STR(?o)) > %(iri)d) || (isLiteral(?o) && STRLEN(STR(?o)) > %(literal)d))
} LIMIT 1
"""
_BUSIEST = """
SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(*) > %(most)d) LIMIT 1
"""
_WITH_BLANK = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"


def store_refusal(
    store: ox.Store,
    settings: Settings,
    *,
    long_terms: bool = True,
    blank: Sequence[tuple[Node, ox.NamedNode, object]] | None = None,
) -> Refusal | None:
    """The first thing the policy refuses in a store (every graph of it), or None.

    A caller that knows more may spare the scans of every statement (seconds for a million):
    `long_terms=False` when no source can hold a term over a limit or a triple term (`file_may_hold`),
    and `blank`, the statements holding blank nodes, when it has read them from the sources.
    """
    # The limits are whole numbers of the settings, written into the text: a variable bound by the
    # engine cannot stand in HAVING, and these are no one's input.
    limits = {
        "iri": int(settings.max_iri_chars),
        "literal": int(settings.max_literal_chars),
        "most": int(settings.max_statements_per_resource),
    }
    for row in store.query(_LONG_TERMS % limits) if long_terms else ():  # type: ignore[union-attr]
        refused = term_refusal(ox.Triple(row["s"], row["p"], row["o"]), settings)  # type: ignore[arg-type]
        if refused is not None:
            return refused
    if len(store) > settings.max_statements_per_resource:
        for row in store.query(_BUSIEST % limits, use_default_graph_as_union=True):  # type: ignore[union-attr]
            return too_many_statements(short(row["s"]), int(row["n"].value), settings)  # type: ignore[union-attr]
    if blank is None:
        # A solution iterates over its values in the order of the variables: much quicker than by name.
        rows = store.query(_WITH_BLANK, use_default_graph_as_union=True)
        blank = [tuple(row) for row in rows]  # type: ignore[union-attr, misc]
    to_blank = [row for row in blank if isinstance(row[2], ox.BlankNode)]
    return nesting_refusal(to_blank, settings) or alike_refusal(blank, settings)  # type: ignore[arg-type]


def added_refusal(store: ox.Store, added: Sequence[ox.Quad], settings: Settings) -> Refusal | None:
    """What the policy refuses in a store it admitted once `added` joined it, statements whose terms
    were checked already (a contribution's, file by file): the limits that statements reach together,
    checked on what they touch only (seconds spared at a million statements).

    The resources they describe are counted again. Blank nodes alike or nested can only change where
    they bring blank nodes (theirs are always new ones): the store's are then read again, all of them.
    """
    most = {"most": int(settings.max_statements_per_resource)}
    for subject in dict.fromkeys(quad.subject for quad in added):
        bound = {ox.Variable("s"): subject}
        for row in store.query(_BUSIEST % most, use_default_graph_as_union=True, substitutions=bound):  # type: ignore[union-attr]
            return too_many_statements(short(row["s"]), int(row["n"].value), settings)  # type: ignore[union-attr]
    if not with_blank_nodes(added):
        return None
    return store_refusal(store, settings, long_terms=False)


def with_blank_nodes(statements: Iterable[Statement]) -> list[tuple[Node, ox.NamedNode, object]]:
    """The statements holding a blank node, as (subject, predicate, object)."""
    return [
        (s.subject, s.predicate, s.object)
        for s in statements
        if isinstance(s.subject, ox.BlankNode) or isinstance(s.object, ox.BlankNode)
    ]


_TURTLE_FAMILY = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def file_may_hold(path: Path, syntax: ox.RdfFormat, settings: Settings) -> tuple[bool, bool]:
    """Whether a file in a Turtle-family syntax may hold (a term over a length limit or a triple term,
    a blank node), read from its bytes without parsing them.

    A term over a limit takes more bytes than the limit, on one line unless it is a long
    (triple-quoted) string; a line that long holds a whole aligned window of half the limit with no
    line break. A triple term is written `<<`; a blank node `_:`, or in Turtle `[` or `(` outside
    strings, IRIs and comments.
    """
    limit = min(settings.max_iri_chars, settings.max_literal_chars)
    window = max((limit + 2) // 2, 1)
    if not path.stat().st_size:
        return False, False
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        # Each search of a mark of several bytes reads the whole file: once each.
        found = {mark for mark in (b"_:", b"<<", b'"""', b"'''") if data.find(mark) >= 0}
        blank = _may_hold_blank(data, syntax, found)
        if found & {b"<<", b'"""', b"'''"}:
            return True, blank
        starts = range(0, len(data) - window + 1, window)
        return any(data.find(b"\n", start, start + window) < 0 for start in starts), blank


# What a line may hold around a `[` or `(` that is no blank node: a string on one line, an IRI, a comment.
_NOT_SYNTAX = re.compile(rb'"[^"\n]*"|\'[^\'\n]*\'|<[^>\n]*>|#.*')
# Lines with a `[` or `(` read one by one before the file is taken as holding blank nodes: the full
# parse that follows costs less than reading more lines in Python.
MOST_LINES_READ = 10_000


def _may_hold_blank(data: mmap.mmap, syntax: ox.RdfFormat, found: set[bytes]) -> bool:
    if b"_:" in found:
        return True
    if syntax not in _TURTLE_FAMILY:
        return False
    marked = data.find(b"[") >= 0 or data.find(b"(") >= 0
    # Where a string spans lines, or `<<` opens a triple term, no line read alone tells.
    if not marked or found & {b'"""', b"'''", b"<<"}:
        return marked
    lines_read = 0
    for mark in (b"[", b"("):
        at = data.find(mark)
        while at >= 0:
            start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
            end = len(data) if end < 0 else end
            line = data[start:end]
            lines_read += 1
            # An escape may hide a quote from the pattern: such a line is taken as it looks.
            if lines_read > MOST_LINES_READ or b"\\" in line or _holds_syntax(line, mark):
                return True
            at = data.find(mark, end)
    return False


def _holds_syntax(line: bytes, mark: bytes) -> bool:
    return mark in _NOT_SYNTAX.sub(b" ", line)
