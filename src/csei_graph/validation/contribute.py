"""Contributions: read strictly, checked against the built-in graph, and merged into data/ with provenance."""

import getpass
import hashlib
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from csei_graph.export import export_format, to_bytes
from csei_graph.files import write_atomically
from csei_graph.namespaces import BASE, CSEI, CSEID, CSEIG, ONTOLOGY_IRI, PREFIXES
from csei_graph.settings import Settings
from csei_graph.sources import Source, SourceError, builtin_sources, discover, graph_for, parse, resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm
from csei_graph.validation.csvimport import read_csv, slugify
from csei_graph.validation.report import Location, Report, Result, sort_key
from csei_graph.validation.validate import around_changes, validate_store

CONTRIBUTED = ox.NamedNode(f"{CSEID}concept/provenance-kind/contributed")
# What a contribution may not describe: the vocabulary the maintainers keep in the repository.
PROTECTED = (
    (ONTOLOGY_IRI, "a term of the CSEI ontology"),
    (f"{CSEID}concept/", "a concept or concept scheme of the project"),
    (str(CSEIG), "a named graph (its provenance is written by csei contribute)"),
    ("http://publications.europa.eu/resource/authority/", "an entry of an EU authority table"),
    ("http://data.europa.eu/nuts/", "a region of the NUTS classification"),
    (f"{BASE}shapes", "a shape"),
)
_PREF_LABEL = ox.NamedNode(f"{PREFIXES['skos']}prefLabel")
_COUNTRY = ox.NamedNode(f"{CSEI}country")
_EXISTING = """
    SELECT ?value ?graph $node $property WHERE { GRAPH ?graph { $node $property ?value } }
    ORDER BY STR(?graph) STR(?value)
"""
_ALREADY_MERGED = f"ASK {{ ?graph <{CSEI}contentHash> $hash }}"


@dataclass(frozen=True)
class Contribution:
    """The triples of the files given, their content hash, and the rows CSV resources come from."""

    files: tuple[Path, ...]
    quads: tuple[ox.Quad, ...]
    content_hash: str
    locations: dict[str, Location]
    # What the CSV reader refused in cells (a code in no reference list), by row and column.
    problems: tuple[Result, ...] = ()

    @property
    def slug(self) -> str:
        """The name of the contribution's graph and file: its first file's name and the hash."""
        stem = slugify(self.files[0].stem) or "contribution"
        return f"{stem}-{self.content_hash.removeprefix('sha256:')[:8]}"

    @property
    def graph(self) -> ox.NamedNode:
        """The named graph the contribution goes into."""
        return ox.NamedNode(f"{CSEIG}contribution-{self.slug}")


@dataclass(frozen=True)
class Outcome:
    """What `contribute` did: the report, and the file written (None when nothing was)."""

    report: Report
    written: Path | None = None
    already: Path | None = None


def read_contribution(
    paths: Sequence[Path], settings: Settings | None = None, input_format: str | None = None
) -> Contribution:
    """Read RDF and CSV files (folders searched) strictly: any fault raises SourceError, nothing is kept."""
    settings = settings or Settings()
    csv_files = [p for p in paths if p.suffix.lower() == ".csv" and input_format is None]
    rdf_sources = discover([p for p in paths if p not in csv_files], input_format)
    files = tuple(sorted({*csv_files, *(s.path for s in rdf_sources)}, key=str))
    if not files:
        raise SourceError(
            ", ".join(map(str, paths)) or ".", "no RDF or CSV file to read", hint="name the files"
        )
    triples: list[ox.Triple | ox.Quad] = []
    locations: dict[str, Location] = {}
    problems: list[Result] = []
    for path in csv_files:
        converted = read_csv(path, settings)
        triples += converted.triples
        locations.update(converted.locations)
        problems += converted.problems
    for source in rdf_sources:
        triples += parse(source, settings)
    if not triples:
        raise SourceError(
            files[0], "the contribution holds no triples", hint="check that the files are not empty"
        )
    contribution = Contribution(files, (), _content_hash(files), locations, tuple(problems))
    # Whatever graphs the files name, the contribution is one graph, whose provenance is ours to write.
    quads = tuple(ox.Quad(t.subject, t.predicate, t.object, contribution.graph) for t in triples)
    return replace(contribution, quads=quads)


def _content_hash(files: Sequence[Path]) -> str:
    """sha256 of the file's bytes; of several files, of their sorted hashes one per line."""
    digests = sorted(hashlib.sha256(path.read_bytes()).hexdigest() for path in files)
    if len(digests) == 1:
        return f"sha256:{digests[0]}"
    return "sha256:" + hashlib.sha256("\n".join(digests).encode()).hexdigest()


def check(contribution: Contribution, settings: Settings | None = None, engine: str | None = None) -> Report:
    """Validate a contribution together with the built-in graph; only what it touches is reported."""
    store, builtin = _builtin_store(settings)
    return check_in(store, builtin, contribution, settings=settings, engine=engine)


def check_in(
    store: GraphStore,
    sources: Sequence[Source],
    contribution: Contribution,
    *,
    settings: Settings | None = None,
    engine: str | None = None,
) -> Report:
    """Validate a contribution against the graph a store holds (loaded from `sources`), which gains it."""
    refusals = [*contribution.problems, *_protected(contribution), *_redefinitions(store, contribution)]
    return _validated(
        store, contribution, contribution.quads, list(sources), refusals, settings=settings, engine=engine
    )


def _builtin_store(settings: Settings | None) -> tuple[GraphStore, list[Source]]:
    sources = builtin_sources(settings)
    return GraphStore.from_sources(sources, settings), sources


def _validated(
    store: GraphStore,
    contribution: Contribution,
    changes: Sequence[ox.Quad],
    builtin: list[Source],
    refusals: list[Result],
    *,
    settings: Settings | None,
    engine: str | None,
) -> Report:
    store.add_all(changes)
    scope = around_changes(store, changes)
    chosen = engine or (settings or Settings()).validation_engine
    files = [*contribution.files, *(s.path for s in builtin)]
    report = validate_store(store, scope, chosen, files=files, known_locations=contribution.locations)
    return _with_refusals(report, refusals)


def _protected(contribution: Contribution) -> list[Result]:
    described = sorted({q.subject.value for q in contribution.quads if isinstance(q.subject, ox.NamedNode)})
    results = []
    for subject in described:
        for prefix, what in PROTECTED:
            if subject.startswith(prefix):
                results.append(
                    Result(
                        severity="Violation",
                        focus=subject,
                        message=f"<{subject}> is {what}, which the maintainers keep in the repository: "
                        "a contribution can refer to it but not describe it. Remove the statements "
                        "about it, or ask the maintainers for the change.",
                        rule="protected-vocabulary",
                        location=contribution.locations.get(subject),
                    )
                )
                break
    return results


def _redefinitions(store: GraphStore, contribution: Contribution) -> list[Result]:
    """A contribution may add facts about an existing resource, but not rename it or move it."""
    results = []
    for quad in sorted(set(contribution.quads), key=str):
        if quad.predicate not in (_PREF_LABEL, _COUNTRY) or not isinstance(quad.subject, ox.NamedNode):
            continue
        existing: dict[str, list[str]] = {}
        for row in store.query(_EXISTING, {"node": quad.subject, "property": quad.predicate}):
            value = row["value"]  # type: ignore[index]
            same_slot = quad.predicate == _COUNTRY or (
                isinstance(value, ox.Literal) and value.language == getattr(quad.object, "language", None)
            )
            if same_slot and value != quad.object:
                existing.setdefault(_term(value), []).append(f"<{row['graph'].value}>")  # type: ignore[index,union-attr]
        if existing:
            results.append(_redefinition(quad, existing, contribution))
    return results


def _redefinition(quad: ox.Quad, existing: dict[str, list[str]], contribution: Contribution) -> Result:
    renaming = quad.predicate == _PREF_LABEL
    what = "named" if renaming else "in the country"
    before = "; ".join(
        f"{value} (graph{'s' if len(graphs) > 1 else ''} {', '.join(graphs)})"
        for value, graphs in existing.items()
    )
    kept = " or ".join(existing)
    return Result(
        severity="Violation",
        focus=quad.subject.value,
        message=(
            f"<{quad.subject.value}> is already {what} {before}; the contribution has it {what} "
            f"{_term(quad.object)}. A contribution may add facts about an existing resource but not "
            f"{'rename' if renaming else 'move'} it: keep {kept}"
            + (" and give the other name as skos:altLabel" if renaming else "")
            + ", or ask the maintainers to correct it."
        ),
        path="skos:prefLabel" if renaming else "csei:country",
        value=_term(quad.object),
        rule="no-redefinition",
        location=contribution.locations.get(quad.subject.value),
    )


def _term(term: OxTerm) -> str:
    if isinstance(term, ox.Literal):
        return f'"{term.value}"@{term.language}' if term.language else f'"{term.value}"'
    return f"<{term.value}>" if isinstance(term, ox.NamedNode) else str(term)


def _with_refusals(report: Report, refusals: list[Result]) -> Report:
    if not refusals:
        return report
    graph = report.graph
    report_node = next(graph.subjects(RDF.type, SH.ValidationReport))
    for refusal in refusals:
        node = BNode()
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, URIRef(refusal.focus)))
        graph.add((node, SH.resultSeverity, SH.Violation))
        graph.add((node, SH.resultMessage, Literal(refusal.message, lang="en")))
        graph.add((node, SH.sourceShape, URIRef(f"{BASE}shapes#{refusal.rule}")))
    graph.set((report_node, SH.conforms, Literal(False)))
    return replace(report, results=sorted(report.results + refusals, key=sort_key))


def contribute(
    paths: Sequence[Path],
    *,
    by: str | None = None,
    settings: Settings | None = None,
    engine: str | None = None,
    input_format: str | None = None,
    strict: bool = False,
    now: datetime | None = None,
) -> Outcome:
    """Merge a contribution into data/ as a file of its own, with provenance, only if it conforms.

    Under `strict`, warnings refuse it too. Sending the same files again changes nothing.
    """
    settings = settings or Settings()
    contribution = read_contribution(paths, settings, input_format)
    data_dir = settings.data_dir or resource_dir("data")
    store, builtin = _builtin_store(settings)
    already = _already_merged(store, contribution, data_dir)
    if already is not None:
        return Outcome(_empty_report(engine or settings.validation_engine), already=already)
    refusals = [*contribution.problems, *_protected(contribution), *_redefinitions(store, contribution)]
    provenance = _provenance(contribution, by or _contributor(), now or datetime.now(UTC))
    changes = [*contribution.quads, *provenance]
    report = _validated(store, contribution, changes, builtin, refusals, settings=settings, engine=engine)
    if not report.passes(strict):
        return Outcome(report)
    target = data_dir / f"contribution-{contribution.slug}.trig"
    write_atomically(
        target,
        _trig(contribution, changes, settings),
        check=lambda written: parse(Source(written, ox.RdfFormat.TRIG, graph_for(target)), settings),
    )
    return Outcome(report, written=target)


def _already_merged(store: GraphStore, contribution: Contribution, data_dir: Path) -> Path | None:
    found = store.query(_ALREADY_MERGED, {"hash": ox.Literal(contribution.content_hash)})
    if not bool(found):
        return None
    named = data_dir / f"contribution-{contribution.slug}.trig"
    return named if named.exists() else data_dir


def _empty_report(engine: str) -> Report:
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    return Report([], graph, engine)


def _contributor() -> str:
    """The contributor's name: git's user.name, else the operating-system user."""
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


def _agent(by: str) -> tuple[ox.NamedNode, str]:
    """The contributor's IRI and name; an e-mail address in `by` is never published."""
    name = re.sub(r"\s*<[^>]*>\s*", " ", by).strip() or by.strip()
    if re.fullmatch(r"https?://\S+", name):
        return ox.NamedNode(name), name
    name = name.split("@")[0] if "@" in name and " " not in name else name
    slug = slugify(name) or "contributor-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return ox.NamedNode(f"{CSEID}contributor/{slug}"), name


def _provenance(contribution: Contribution, by: str, now: datetime) -> list[ox.Quad]:
    graph = contribution.graph
    agent, agent_name = _agent(by)
    source = ox.NamedNode(f"{CSEID}source/contribution-{contribution.slug}")
    names = ", ".join(p.name for p in contribution.files)
    rdf_type, label = ox.NamedNode(str(RDF.type)), _PREF_LABEL
    prov, dct, rdfs = PREFIXES["prov"], PREFIXES["dct"], PREFIXES["rdfs"]
    triples = [
        (graph, rdf_type, ox.NamedNode(f"{prov}Entity")),
        (graph, ox.NamedNode(f"{rdfs}label"), ox.Literal(f"Facts contributed in {names}", language="en")),
        (graph, ox.NamedNode(f"{prov}wasAttributedTo"), agent),
        (graph, ox.NamedNode(f"{prov}generatedAtTime"), _timestamp(now)),
        (graph, ox.NamedNode(f"{prov}wasDerivedFrom"), source),
        (graph, ox.NamedNode(f"{CSEI}contentHash"), ox.Literal(contribution.content_hash)),
        (graph, ox.NamedNode(f"{CSEI}provenanceKind"), CONTRIBUTED),
        (source, rdf_type, ox.NamedNode(f"{dct}BibliographicResource")),
        (source, rdf_type, ox.NamedNode(f"{prov}Entity")),
        (source, label, ox.Literal(f"Contributed file {names}", language="en")),
        (agent, rdf_type, ox.NamedNode(f"{prov}Agent")),
        (agent, label, ox.Literal(agent_name, language="en")),
    ]
    triples += [(source, ox.NamedNode(f"{dct}identifier"), ox.Literal(p.name)) for p in contribution.files]
    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples]


def _timestamp(now: datetime) -> ox.Literal:
    text = now.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ox.Literal(text, datatype=ox.NamedNode(f"{PREFIXES['xsd']}dateTime"))


def _trig(contribution: Contribution, quads: Sequence[ox.Quad], settings: Settings) -> bytes:
    """The contribution as TriG in the project's canonical form: the same quads give the same bytes."""
    header = (
        f"# Contributed with `csei contribute` from {', '.join(p.name for p in contribution.files)}\n"
        f"# ({contribution.content_hash}); the default graph describes the named graph.\n"
    )
    return header.encode() + to_bytes(quads, export_format("trig"), settings)
