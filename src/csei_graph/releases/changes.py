"""What changed between two states of the graph, resource by resource, and which graph (contribution) did it:
as Markdown for people and as RDF (the Changeset vocabulary) for programs."""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from csei_graph.namespaces import BASE, CSEIG, PREFIXES, compact, shorten
from csei_graph.terms import OxTerm

CHANGESET = "http://purl.org/vocab/changeset/schema#"
_RDF = PREFIXES["rdf"]
_LABELS = (f"{PREFIXES['skos']}prefLabel", f"{PREFIXES['rdfs']}label")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


@dataclass(frozen=True)
class Change:
    """A statement added or removed, in the graph that holds (or held) it."""

    added: bool
    quad: ox.Quad


@dataclass(frozen=True)
class Changes:
    """Every statement added or removed between two states, by resource; and what names the resources."""

    by_resource: dict[OxTerm, list[Change]]
    labels: dict[OxTerm, str]

    @property
    def added(self) -> int:
        """How many statements were added."""
        return sum(c.added for changes in self.by_resource.values() for c in changes)

    @property
    def removed(self) -> int:
        """How many statements were removed."""
        return sum(not c.added for changes in self.by_resource.values() for c in changes)


def per_graph_canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The statements with blank nodes labelled by their own graph's content alone, so that a graph
    nothing changed in compares equal whatever changed elsewhere."""
    plain: set[ox.Quad] = set()
    with_blanks: dict[OxTerm, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_blanks[quad.graph_name].append(quad)
        else:
            plain.add(quad)
    for graph, statements in with_blanks.items():
        dataset = ox.Dataset(statements)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain.update(
            ox.Quad(_scoped(q.subject, graph), q.predicate, _scoped(q.object, graph), q.graph_name)
            for q in dataset
        )
    return plain


def _scoped(term: OxTerm, graph: OxTerm) -> OxTerm:
    # Canonical labels restart in every graph: the graph's name keeps two graphs' nodes apart.
    if not isinstance(term, ox.BlankNode):
        return term
    graph_key = hashlib.sha256(str(graph).encode()).hexdigest()[:8]
    return ox.BlankNode(f"g{graph_key}{term.value}")


def compare(before: Iterable[ox.Quad], after: Iterable[ox.Quad]) -> Changes:
    """The changes from one state to the other."""
    old, new = per_graph_canonical(before), per_graph_canonical(after)
    by_resource: dict[OxTerm, list[Change]] = defaultdict(list)
    for quad in old - new:
        by_resource[quad.subject].append(Change(False, quad))
    for quad in new - old:
        by_resource[quad.subject].append(Change(True, quad))
    for changes in by_resource.values():
        changes.sort(
            key=lambda c: (c.quad.predicate.value, not c.added, str(c.quad.object), str(c.quad.graph_name))
        )
    return Changes(dict(sorted(by_resource.items(), key=lambda item: str(item[0]))), _labels(old | new))


def _labels(quads: set[ox.Quad]) -> dict[OxTerm, str]:
    """A name for each resource: its English label where it has one, else its first label."""
    candidates: dict[OxTerm, list[tuple[bool, str]]] = defaultdict(list)
    for quad in quads:
        if quad.predicate.value in _LABELS and isinstance(quad.object, ox.Literal):
            english = (quad.object.language or "").lower().startswith("en")
            candidates[quad.subject].append((not english, quad.object.value))
    return {subject: min(names)[1] for subject, names in candidates.items()}


def author(graph: OxTerm) -> str:
    """Who made a change: the contribution whose graph holds it, else the graph."""
    if isinstance(graph, ox.NamedNode) and graph.value.startswith(f"{CSEIG}contribution-"):
        return f"contribution {graph.value.removeprefix(f'{CSEIG}contribution-')}"
    return shorten(graph.value) if isinstance(graph, ox.NamedNode) else "the provenance csei wrote"


def as_markdown(changes: Changes, title: str, preamble: str = "") -> str:
    """The changes as Markdown: a section per resource, each value escaped (it cannot add markup)."""
    lines = [f"# {_escaped(title)}", ""]
    if preamble:
        lines += [preamble, ""]
    lines.append(
        f"{changes.added} statement(s) added and {changes.removed} removed, "
        f"on {len(changes.by_resource)} resource(s)."
    )
    for resource, resource_changes in changes.by_resource.items():
        name = changes.labels.get(resource)
        heading = f"{_escaped(json.dumps(name, ensure_ascii=False))} " if name else ""
        lines += ["", f"## {heading}{_escaped(_short(resource))}", ""]
        lines += [_line(change, resource_changes, changes.labels) for change in resource_changes]
    return "\n".join(lines) + "\n"


def _line(change: Change, siblings: list[Change], labels: dict[OxTerm, str]) -> str:
    quad = change.quad
    replaced = any(c.added != change.added and c.quad.predicate == quad.predicate for c in siblings)
    verb = (
        ("changed to" if change.added else "changed from")
        if replaced
        else ("added" if change.added else "removed")
    )
    parts = (shorten(quad.predicate.value), _shown(quad.object, labels), f"({author(quad.graph_name)})")
    return f"- {verb} " + " ".join(map(_escaped, parts))


def _shown(term: OxTerm, labels: dict[OxTerm, str]) -> str:
    name = labels.get(term) if not isinstance(term, ox.Literal) else None
    return f"{json.dumps(name, ensure_ascii=False)} ({_short(term)})" if name else _short(term)


def _short(term: OxTerm) -> str:
    return compact(term, readable=True)


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def as_rdf(changes: Changes, name: str, issued: str | None = None) -> list[ox.Quad]:
    """The changes as Changeset RDF: one cs:ChangeSet per resource and graph, statements reified.

    `name` is the release (or the pair of states) they lead to; `issued`, the day of that release.
    """
    cs, rdf = CHANGESET, _RDF
    base = f"{BASE}release/{quote(name, safe='')}/changes#"
    quads: list[ox.Quad] = []

    def add(subject: ox.NamedNode, predicate: str, value: OxTerm) -> None:
        quads.append(ox.Quad(subject, ox.NamedNode(predicate), value))

    for resource, resource_changes in changes.by_resource.items():
        by_graph: dict[OxTerm, list[Change]] = defaultdict(list)
        for change in resource_changes:
            by_graph[change.quad.graph_name].append(change)
        for graph, graph_changes in by_graph.items():
            changeset = ox.NamedNode(base + _key(resource, graph))
            add(changeset, f"{rdf}type", ox.NamedNode(f"{cs}ChangeSet"))
            add(changeset, f"{cs}subjectOfChange", resource)
            if issued is not None:
                add(
                    changeset,
                    f"{cs}createdDate",
                    ox.Literal(issued, datatype=ox.NamedNode(f"{PREFIXES['xsd']}date")),
                )
            add(changeset, f"{cs}changeReason", ox.Literal(f"{name}: {author(graph)}", language="en"))
            if isinstance(graph, ox.NamedNode):
                add(changeset, f"{PREFIXES['prov']}wasDerivedFrom", graph)
            for change in graph_changes:
                statement = ox.NamedNode(base + _key(*change.quad.triple))
                add(changeset, f"{cs}{'addition' if change.added else 'removal'}", statement)
                add(statement, f"{rdf}type", ox.NamedNode(f"{rdf}Statement"))
                add(statement, f"{rdf}subject", change.quad.subject)
                add(statement, f"{rdf}predicate", change.quad.predicate)
                add(statement, f"{rdf}object", change.quad.object)
    return quads


def _key(*terms: OxTerm) -> str:
    return hashlib.sha256(" ".join(map(str, terms)).encode()).hexdigest()[:16]
