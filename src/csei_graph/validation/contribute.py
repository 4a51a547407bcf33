"""A contribution: its files read strictly, within limits, and checked against the graph it would join.

The check is the one `csei validate FILE` and `csei contribute` share: the project's shapes on what
the contribution touches, what it may never say (`refusals`) and where it contradicts stated facts
(`conflicts`). Nothing here writes: the review queue is `csei_graph.contributions`.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH

from csei_graph.export import canonical_quads
from csei_graph.namespaces import BASE, CSEIG, ONTOLOGY_IRI, compact, shorten
from csei_graph.settings import Settings
from csei_graph.sources import (
    FORMATS_BY_SUFFIX,
    Source,
    SourceError,
    admit,
    builtin_sources,
    files_in,
    format_for,
    graph_for,
    parse,
    too_many_triples,
)
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm
from csei_graph.validation import conflicts
from csei_graph.validation.csvimport import read_csv
from csei_graph.validation.locate import locate
from csei_graph.validation.refusals import refusals
from csei_graph.validation.report import Location, Report, Result, sort_key
from csei_graph.validation.validate import around_changes, label_of, validate_store

CSV_SUFFIX = ".csv"
ID_LENGTH = 12


@dataclass(frozen=True)
class Contribution:
    """The triples of the files given (in the contribution's own graph), their hash and the CSV rows."""

    files: tuple[Path, ...]
    quads: tuple[ox.Quad, ...]
    content_hash: str
    locations: dict[str, Location]
    # What the CSV reader refused in cells (a code in no reference list), by row and column.
    problems: tuple[Result, ...] = ()

    @property
    def id(self) -> str:
        """Its short, stable name: the start of its content hash."""
        return contribution_id(self.content_hash)

    @property
    def graph(self) -> ox.NamedNode:
        """The named graph the contribution goes into."""
        return contribution_graph(self.id)


def contribution_id(content_hash: str) -> str:
    """The id of a contribution of that content hash."""
    return content_hash.removeprefix("sha256:")[:ID_LENGTH]


def contribution_graph(identifier: str) -> ox.NamedNode:
    """The named graph of the contribution of that id."""
    return ox.NamedNode(f"{CSEIG}contribution-{identifier}")


def read_contribution(
    paths: Sequence[Path], settings: Settings | None = None, input_format: str | None = None
) -> Contribution:
    """Read RDF and CSV files (folders searched for both) strictly: any fault raises SourceError.

    Each file gets the same checks (a regular file, its size, every literal's and IRI's length), and
    reading stops as soon as the contribution holds more than `max_contribution_triples` triples.
    """
    settings = settings or Settings()
    suffixes = (*FORMATS_BY_SUFFIX, CSV_SUFFIX)
    _refuse_links(paths)
    files = tuple(sorted(set(files_in(paths, suffixes)), key=str))
    _refuse_links(files)
    if not files:
        raise SourceError(
            ", ".join(map(str, paths)) or ".", "no RDF or CSV file to read", hint="name the files"
        )
    budget = settings.max_contribution_triples
    triples: list[ox.Triple | ox.Quad] = []
    read_from: dict[ox.BlankNode, Path] = {}
    locations: dict[str, Location] = {}
    problems: list[Result] = []
    for path in files:
        if path.suffix.lower() == CSV_SUFFIX and input_format is None:
            converted = read_csv(path, settings)
            rows = {resource: where.line for resource, where in converted.locations.items() if where.line}
            admit(path, converted.triples, settings, rows)
            read: list[ox.Triple | ox.Quad] = list(converted.triples)
            locations.update(converted.locations)
            problems += converted.problems
        else:
            source = Source(path, format_for(path, input_format), graph_for(path))
            read = list(parse(source, settings, max_triples=budget - len(triples)))
            if source.format.supports_datasets:
                _refuse_project_graphs(path, read)
        triples += read
        if len(triples) > budget:
            raise too_many_triples(path, budget)
        read_from.update(
            (t, path) for q in read for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)
        )
    if not triples:
        raise SourceError(
            files[0], "the contribution holds no triples", hint="check that the files are not empty"
        )
    _require_distinct_blank_nodes(triples, read_from)
    content_hash = content_hash_of(triples)
    graph = contribution_graph(contribution_id(content_hash))
    # Whatever graphs the files name, the contribution is one graph, whose provenance is csei's to write.
    quads = tuple(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return Contribution(files, quads, content_hash, locations, tuple(problems))


def _refuse_links(paths: Sequence[Path]) -> None:
    """A contribution is files of its own: a symbolic link (given, or in a folder given) is refused
    unread, so that no message ever quotes the file it points to."""
    for path in paths:
        if path.is_symlink():
            raise SourceError(
                path,
                "a symbolic link: a contribution is read from its own files, never through a link",
                hint="give the file itself (copy it here)",
            )


def _refuse_project_graphs(path: Path, quads: Sequence[ox.Triple | ox.Quad]) -> None:
    """A contribution is a graph of its own: statements it puts in a graph of the project are refused."""
    for quad in quads:
        graph = getattr(quad, "graph_name", None)
        if isinstance(graph, ox.NamedNode) and (
            graph.value.startswith(str(CSEIG)) or graph.value == ONTOLOGY_IRI
        ):
            raise SourceError(
                path,
                f"it puts statements in the named graph <{graph.value}>, which the project keeps: a "
                "contribution cannot write into it",
                hint="send the statements without a graph (Turtle, N-Triples): csei puts a contribution "
                "in a graph of its own",
            )


def _require_distinct_blank_nodes(
    triples: Sequence[ox.Triple | ox.Quad], read_from: dict[ox.BlankNode, Path]
) -> None:
    """Refuse blank nodes that their own statements do not tell apart (as RDFC-1.0 first sees them).

    Putting statements in canonical form takes time exponential in the number of such nodes (8 alike,
    linked to each other, take seconds; a list of 1,000 alike, hours), and every export of the graph
    does it; nodes each described differently are put in order at once.
    """
    described: dict[ox.BlankNode, list[str]] = defaultdict(list)
    for triple in triples:
        terms = (triple.subject, triple.predicate, triple.object)
        for node in {t for t in terms if isinstance(t, ox.BlankNode)}:
            described[node].append(" ".join(_as_seen_by(node, t) for t in terms))
    seen: dict[str, ox.BlankNode] = {}
    for node, statements in described.items():
        key = "\n".join(sorted(statements))
        if key in seen:
            example = min(statements)
            raise SourceError(
                read_from.get(node, next(iter(read_from.values()))),
                f"two blank nodes are described by the same statements ({example}), so csei cannot tell "
                "them apart, nor put the contribution in a stable order",
                hint="give them IRIs (the IRI policy of docs/model.md), or state what sets each apart; "
                "a long RDF list of blank nodes is refused for the same reason",
            )
        seen[key] = node


def _as_seen_by(node: ox.BlankNode, term: OxTerm) -> str:
    if term == node:
        return "_:this"
    return (
        "_:other"
        if isinstance(term, ox.BlankNode)
        else shorten(str(term.value))
        if isinstance(term, ox.NamedNode)
        else compact(term)
    )


def content_hash_of(triples: Sequence[ox.Triple | ox.Quad]) -> str:
    """sha256 of the statements in canonical form (RDFC-1.0, N-Quads): the same facts, the same hash,
    whatever the syntax, order, blank-node labels or files they came in."""
    canonical = canonical_quads((ox.Quad(t.subject, t.predicate, t.object) for t in triples), union=True)
    return "sha256:" + hashlib.sha256(canonical.text()).hexdigest()


def check(contribution: Contribution, settings: Settings | None = None, engine: str | None = None) -> Report:
    """Validate a contribution together with the graph in use; only what it touches is reported."""
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    return check_in(store, sources, contribution, settings=settings, engine=engine)


def check_in(
    store: GraphStore,
    sources: Sequence[Source],
    contribution: Contribution,
    *,
    settings: Settings | None = None,
    engine: str | None = None,
    provenance: Sequence[ox.Quad] = (),
) -> Report:
    """Validate a contribution (and the `provenance` describing it) against the graph a store holds,
    loaded from `sources`; the store gains both.

    The report holds the shapes' results on what they touch, the refusals and the conflicts
    (rule `no-redefinition`) with the graph as it was before.
    """
    found = [*contribution.problems, *refusals(store, contribution.quads, contribution.locations.get)]
    found += conflicts.as_results(conflicts.find(store, contribution.quads), contribution.locations.get)
    changes = [*contribution.quads, *provenance]
    store.add_all(changes)
    # Within the limits alone, it may still take the graph over one (a resource's statements, blank
    # nodes alike): refused now, before it is filed, rather than making the graph unloadable once merged.
    refused = store.admission_refusal(changes, settings or Settings())
    if refused is not None:
        raise SourceError(
            contribution.files[0], f"{refused.message}, once merged with the graph", hint=refused.hint
        )
    scope = around_changes(store, changes)
    chosen = engine or (settings or Settings()).validation_engine
    files = [*contribution.files, *(s.path for s in sources)]
    report = validate_store(store, scope, chosen, files=files, known_locations=contribution.locations)
    placed = [replace(r, label=label_of(store, r.focus)) for r in _placed(found, contribution)]
    return _with_results(report, placed)


def _placed(results: list[Result], contribution: Contribution) -> list[Result]:
    """The results with the place their resource is written in the contribution's files, where found."""
    unplaced = {r.focus for r in results if r.location is None}
    rdf_files = [p for p in contribution.files if p.suffix.lower() != CSV_SUFFIX]
    where = locate(unplaced, rdf_files) if unplaced and rdf_files else {}
    return [r if r.location is not None else replace(r, location=where.get(r.focus)) for r in results]


def _with_results(report: Report, found: list[Result]) -> Report:
    """The report with results found outside the shapes added to its SHACL graph and its list."""
    if not found:
        return report
    graph = report.graph
    report_node = next(graph.subjects(RDF.type, SH.ValidationReport))
    for result in found:
        node = BNode()
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, URIRef(result.focus)))
        graph.add((node, SH.resultSeverity, SH.Violation))
        graph.add((node, SH.resultMessage, Literal(result.message, lang="en")))
        graph.add((node, SH.sourceShape, URIRef(f"{BASE}shapes#{result.rule}")))
    graph.set((report_node, SH.conforms, Literal(False)))
    return replace(report, results=sorted(report.results + found, key=sort_key))
