"""A contribution as a maintainer reviews it: per resource, with names, what it adds, what the graph
already states, and what it would change (the conflicts, with both values and their graphs)."""

import json
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from csei_graph.contributions import provenance, queue
from csei_graph.contributions.queue import PENDING, REJECTED, Entry
from csei_graph.namespaces import shorten
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm
from csei_graph.validation import conflicts
from csei_graph.validation.conflicts import Conflict
from csei_graph.validation.validate import label_of
from csei_graph.workspace import Workspace

ADDS, STATED, CHANGES = "+", "=", "!"
_GRAPHS_STATING = "SELECT DISTINCT ?graph $s $p $o WHERE { GRAPH ?graph { $s $p $o } } ORDER BY STR(?graph)"


@dataclass(frozen=True)
class Line:
    """One statement of the contribution about a resource: added, already stated, or changing a fact."""

    mark: str
    predicate: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Resource:
    """What the contribution says about one resource, and whether the graph knew it before."""

    iri: str
    label: str | None
    new: bool
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Review:
    """A contribution, its state and what it would do to the graph, resource by resource."""

    entry: Entry
    state: str
    resources: tuple[Resource, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def added(self) -> int:
        """How many statements it adds."""
        return sum(1 for r in self.resources for line in r.lines if line.mark != STATED)


def review(workspace: Workspace, identifier: str, settings: Settings) -> Review:
    """The review of one contribution against the graph in use now."""
    entry = queue.entry(workspace, identifier)
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    statements = entry.statements
    pending = entry.state == PENDING
    found = conflicts.find(store, statements) if pending else []
    existing = {s for s in {q.subject for q in statements} if pending and _in(store, s, None, None)}
    stated = {q for q in statements if pending and _in(store, q.subject, q.predicate, q.object)}
    store.add_all(statements)
    by_subject: dict[OxTerm, list[Line]] = defaultdict(list)
    conflicting = {(c.subject, c.predicate, c.value): c for c in found}
    for quad in sorted(statements, key=str):
        key = (quad.subject, quad.predicate, quad.object)
        if key in conflicting:
            line = Line(
                CHANGES,
                shorten(quad.predicate.value),
                _shown(store, quad.object),
                _before(store, conflicting[key]),
            )
        elif quad in stated:
            graphs = [g for g in _graphs(store, quad) if g != entry.graph.value]
            line = Line(
                STATED,
                shorten(quad.predicate.value),
                _shown(store, quad.object),
                f"already in {', '.join(map(shorten, graphs))}",
            )
        else:
            line = Line(ADDS, shorten(quad.predicate.value), _shown(store, quad.object))
        by_subject[quad.subject].append(line)
    resources = tuple(
        Resource(
            subject.value if isinstance(subject, ox.NamedNode) else f"_:{subject.value}",
            label_of(store, subject.value) if isinstance(subject, ox.NamedNode) else None,
            subject not in existing,
            tuple(lines),
        )
        for subject, lines in sorted(by_subject.items(), key=lambda item: (item[0] in existing, str(item[0])))
    )
    return Review(entry, entry.state, resources, tuple(found))


def _in(store: GraphStore, subject: OxTerm, predicate: ox.NamedNode | None, value: OxTerm | None) -> bool:
    return next(iter(store.triples_matching(subject, predicate, value)), None) is not None  # type: ignore[arg-type]


def _graphs(store: GraphStore, quad: ox.Quad) -> list[str]:
    rows = store.query(_GRAPHS_STATING, {"s": quad.subject, "p": quad.predicate, "o": quad.object})
    return [row["graph"].value for row in rows]  # type: ignore[index,union-attr]


def _shown(store: GraphStore, term: OxTerm) -> str:
    """A value as a reader wants it: a resource by its name and short IRI, text quoted and escaped."""
    if isinstance(term, ox.Literal):
        text = json.dumps(term.value, ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        return text if datatype.endswith("#string") else f"{text}^^{shorten(datatype)}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    label = label_of(store, term.value)
    return (
        f"{json.dumps(label, ensure_ascii=False)} ({shorten(term.value)})" if label else shorten(term.value)
    )


def _before(store: GraphStore, conflict: Conflict) -> str:
    stated = "; ".join(
        f"{_shown(store, value)} in {', '.join(map(shorten, graphs))}" for value, graphs in conflict.stated
    )
    return f"{conflict.kind}: the graph states {stated}"


def as_text(found: Review) -> str:
    """The review as a reader sees it in a terminal (every value escaped, nothing it could run)."""
    entry = found.entry
    lines = [
        f"contribution {entry.id}: {found.state}",
        f"  sent by {json.dumps(entry.submitter, ensure_ascii=False)} at {entry.submitted} "
        f"in {', '.join(json.dumps(name, ensure_ascii=False) for name in entry.files)}",
        f"  content {entry.content_hash}; {found.added} statement(s) on {len(found.resources)} resource(s)",
    ]
    if found.state == REJECTED:
        lines.append(f"  rejected: {rejection_text(entry)}")
    if found.conflicts:
        lines.append(
            f"  {len(found.conflicts)} conflict(s) with stated facts (!): only `csei accept {entry.id} "
            "--despite-conflicts` merges it"
        )
    for resource in found.resources:
        name = f"{json.dumps(resource.label, ensure_ascii=False)} " if resource.label else ""
        shown = resource.iri if resource.iri.startswith("_:") else shorten(resource.iri)
        lines += ["", f"{name}{shown}  ({'new' if resource.new else 'already in the graph'})"]
        for line in resource.lines:
            lines.append(f"  {line.mark} {line.predicate} {line.value}")
            if line.note:
                lines.append(f"      {line.note}")
    return "\n".join(lines) + "\n"


def rejection_text(entry: Entry) -> str:
    """Who rejected a contribution, when and why, from the record csei wrote."""

    def first(predicate: ox.NamedNode) -> str:
        return next((q.object.value for q in entry.rejection if q.predicate == predicate), "")

    reason, when, who = (
        first(p) for p in (provenance.COMMENT, provenance.INVALIDATED_AT, provenance.PREF_LABEL)
    )
    return f"by {json.dumps(who, ensure_ascii=False)} at {when}: {json.dumps(reason, ensure_ascii=False)}"


def as_list(pending: list[Entry]) -> str:
    """One line per contribution: id, when, who, files."""
    if not pending:
        return "no contribution is waiting for review\n"
    return "".join(
        f"{e.id}  {e.state:<8}  {e.submitted}  {json.dumps(e.submitter, ensure_ascii=False)}  "
        f"{', '.join(json.dumps(name, ensure_ascii=False) for name in e.files)}\n"
        for e in pending
    )
