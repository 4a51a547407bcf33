"""Deterministic serialisation of the graph: six RDF syntaxes, the JSON-LD context, gzip dumps.

The same graph always gives the same bytes: blank nodes are relabelled canonically (RDFC-1.0),
statements are sorted (graph, subject, `rdf:type` first then predicate, object), the prefixes are
always those of `csei_graph.namespaces.PREFIXES`, and gzip output carries no time stamp.

Turtle, N-Triples, RDF/XML and JSON-LD hold the union of all named graphs (each triple once);
N-Quads and TriG keep the named graphs, and so the provenance of every fact. JSON-LD is compacted
with the project's context (`context.jsonld`, published at `https://w3id.org/csei/context.jsonld`), which each
document carries inline so that it parses offline; nodes whose only reference is one other node are
embedded in it, and a cluster carries its memberships (`memberships`, the reverse of
`org:organization`).
"""

import gzip
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyoxigraph as ox

from csei_graph.files import atomic_writer
from csei_graph.namespaces import PREFIXES, prefixed_name
from csei_graph.settings import Settings
from csei_graph.store import GraphStore

CONTEXT_NAME = "context.jsonld"
CONTEXT_FILE = Path(__file__).resolve().parent / CONTEXT_NAME
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ORG_MEMBERSHIP = "http://www.w3.org/ns/org#Membership"
ORG_ORGANIZATION = "http://www.w3.org/ns/org#organization"


@dataclass(frozen=True)
class ExportFormat:
    """An RDF syntax the graph is exported in."""

    name: str
    extension: str
    media_type: str
    label: str
    holds_graphs: bool
    syntax: ox.RdfFormat | None


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", "ttl", "text/turtle", "Turtle", False, ox.RdfFormat.TURTLE),
        ExportFormat("jsonld", "jsonld", "application/ld+json", "JSON-LD", False, None),
        ExportFormat("ntriples", "nt", "application/n-triples", "N-Triples", False, ox.RdfFormat.N_TRIPLES),
        ExportFormat("nquads", "nq", "application/n-quads", "N-Quads", True, ox.RdfFormat.N_QUADS),
        ExportFormat("trig", "trig", "application/trig", "TriG", True, ox.RdfFormat.TRIG),
        ExportFormat("rdfxml", "rdf", "application/rdf+xml", "RDF/XML", False, ox.RdfFormat.RDF_XML),
    )
}
# The representations published beside every page of the site.
DOCUMENT_FORMATS = (FORMATS["turtle"], FORMATS["jsonld"], FORMATS["ntriples"])
DUMP_FORMATS = tuple(FORMATS.values())


def export_format(name: str) -> ExportFormat:
    """The format of that name; ValueError naming the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}: use one of {', '.join(FORMATS)}") from None


@cache
def _context_file() -> dict[str, Any]:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def jsonld_context() -> dict[str, Any]:
    """The project's JSON-LD context document (`{"@context": {...}}`), with every prefix of the outputs."""
    context = dict(_context_file()["@context"])
    context.update(PREFIXES)
    return {"@context": context}


# ------------------------------------------------------------------------------------ canonical form


def _term_key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> str:
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


def _quad_key(quad: ox.Quad) -> tuple[str, str, bool, str, str]:
    predicate = quad.predicate.value
    return (_term_key(quad.graph_name), str(quad.subject), predicate != RDF_TYPE, predicate, str(quad.object))


def canonical_quads(quads: Iterable[ox.Quad], *, union: bool) -> list[ox.Quad]:
    """The statements in canonical order with canonical blank-node labels.

    With union, every statement goes into the default graph (each triple once); otherwise the
    named graphs are kept.
    """
    has_blank_nodes = False
    statements = []
    for quad in quads:
        graph = ox.DefaultGraph() if union else quad.graph_name
        has_blank_nodes = (
            has_blank_nodes or isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
        )
        statements.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    if not has_blank_nodes:
        return sorted(set(statements), key=_quad_key)
    dataset = ox.Dataset(statements)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_quad_key)


# -------------------------------------------------------------------------------------- serialise


def serialise(
    quads: list[ox.Quad], fmt: ExportFormat, out: IO[bytes], settings: Settings | None = None
) -> None:
    """Write canonical statements (from canonical_quads) in a format."""
    if fmt.syntax is None:
        _JsonLdWriter(_compactor()).write(quads, out)
    elif fmt.holds_graphs:
        ox.serialize(quads, out, fmt.syntax, prefixes=PREFIXES)
    else:
        ox.serialize((q.triple for q in quads), out, fmt.syntax, prefixes=PREFIXES)


def to_bytes(quads: Iterable[ox.Quad], fmt: ExportFormat, settings: Settings | None = None) -> bytes:
    """Any set of statements as the deterministic bytes of a format."""
    canonical = canonical_quads(quads, union=not fmt.holds_graphs)
    with tempfile.SpooledTemporaryFile() as buffer:
        serialise(canonical, fmt, buffer, settings)
        buffer.seek(0)
        return buffer.read()


def export(store: GraphStore, format_name: str, out: IO[bytes], settings: Settings | None = None) -> None:
    """Write the whole graph to a binary stream."""
    fmt = export_format(format_name)
    serialise(canonical_quads(store.quads(), union=not fmt.holds_graphs), fmt, out, settings)


def export_to_file(
    store: GraphStore,
    format_name: str,
    path: Path,
    *,
    compress: bool = False,
    settings: Settings | None = None,
) -> Path:
    """Write the whole graph to a file, atomically: a reader sees the old file or the whole new one."""
    fmt = export_format(format_name)
    statements = canonical_quads(store.quads(), union=not fmt.holds_graphs)
    with atomic_writer(path) as raw:
        if compress:
            with gzip_writer(raw) as zipped:
                serialise(statements, fmt, zipped, settings)
        else:
            serialise(statements, fmt, raw, settings)
    return path


def export_to_stdout(
    store: GraphStore, format_name: str, *, compress: bool = False, settings: Settings | None = None
) -> None:
    """Stream the whole graph to standard output."""
    out = sys.stdout.buffer
    if compress:
        with gzip_writer(out) as zipped:
            export(store, format_name, zipped, settings)
    else:
        export(store, format_name, out, settings)
    out.flush()


@contextmanager
def gzip_writer(raw: BinaryIO | IO[bytes]) -> Iterator[gzip.GzipFile]:
    """A gzip stream with no file name and no time stamp in its header, so its bytes are stable."""
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as zipped:
        yield zipped


# ------------------------------------------------------------------------------- resource documents


OUTGOING = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
INCOMING = "SELECT DISTINCT ?o ?s ?p WHERE { ?s ?p ?o }"
GRAPH_CONTENT = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def describe(store: GraphStore, iri: str) -> list[ox.Quad]:
    """The statements of a resource's documents: everything it says (following blank nodes) and
    every statement that points at it."""
    subject = ox.NamedNode(iri)
    found: set[ox.Quad] = set()
    pending: list[ox.NamedNode | ox.BlankNode] = [subject]
    seen = {subject}
    while pending:
        node = pending.pop()
        for row in store.query(OUTGOING, {"s": node}):  # type: ignore[union-attr]
            obj = row["o"]
            found.add(ox.Quad(node, row["p"], obj, ox.DefaultGraph()))
            if isinstance(obj, ox.BlankNode) and obj not in seen:
                seen.add(obj)
                pending.append(obj)
    for row in store.query(INCOMING, {"o": subject}):  # type: ignore[union-attr]
        found.add(ox.Quad(row["s"], row["p"], subject, ox.DefaultGraph()))
    return list(found)


def graph_content(store: GraphStore, graph_iri: str) -> list[ox.Quad]:
    """The statements of one named graph, as default-graph statements."""
    rows = store.query(GRAPH_CONTENT, {"g": ox.NamedNode(graph_iri)})
    return [ox.Quad(r["s"], r["p"], r["o"], ox.DefaultGraph()) for r in rows]  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------- JSON-LD


@cache
def _compactor() -> "_Compactor":
    return _Compactor(jsonld_context())


def _value_order(value: Any) -> tuple[int, str, str]:
    """A cheap total order of compacted values: strings, value objects, references, embedded nodes."""
    if isinstance(value, str):
        return (0, value, "")
    if "@value" in value:
        return (1, value["@value"], value.get("@language") or value.get("@type", ""))
    if set(value) == {"id"}:
        return (2, value["id"], "")
    return (3, json.dumps(value, sort_keys=True, ensure_ascii=False), "")


class _Compactor:
    """The terms and prefixes of a context, and how one statement is written with them."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        # Written at the head of every document: encoded once.
        self.context_json = json.dumps(context["@context"], ensure_ascii=False, indent=1).encode("utf-8")
        definitions = context["@context"]
        self.prefixes = sorted(
            (
                (name, iri)
                for name, iri in definitions.items()
                if isinstance(iri, str) and not iri.startswith("@")
            ),
            key=lambda pair: (-len(pair[1]), pair[0]),
        )
        self.terms: dict[str, tuple[str, str | None]] = {}
        self.reverse_terms: dict[str, str] = {}
        for term, definition in sorted(definitions.items()):
            if not isinstance(definition, dict):
                continue
            if "@reverse" in definition:
                self.reverse_terms[self.expand(definition["@reverse"])] = term
            elif "@id" in definition:
                coercion = definition.get("@type")
                coerced = coercion if coercion in (None, "@id") else self.expand(coercion)
                self.terms.setdefault(self.expand(definition["@id"]), (term, coerced))

    def expand(self, name: str) -> str:
        prefix, colon, rest = name.partition(":")
        for candidate, iri in self.prefixes:
            if colon and candidate == prefix:
                return iri + rest
        return name

    def compact(self, iri: str) -> str:
        return prefixed_name(iri, dict(self.prefixes), readable=True) or iri

    def node_id(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.compact(term.value)

    def entry(self, predicate: str, obj: Any) -> tuple[str, Any]:
        """(key, value) of one statement, using a term of the context where it fits the value."""
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode | ox.BlankNode):
            return "type", self.node_id(obj)
        term, coercion = self.terms.get(predicate, (None, None))
        key = term or self.compact(predicate)
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            if term and coercion == "@id":
                return term, self.node_id(obj)
            return (key if coercion is None else self.compact(predicate)), {"id": self.node_id(obj)}
        if term and coercion is not None and coercion != "@id":
            if coercion == obj.datatype.value and not obj.language:
                return term, obj.value
            key = self.compact(predicate)
        return key, self.literal(obj)

    def literal(self, obj: ox.Literal) -> Any:
        """A literal as a plain string (xsd:string) or a value object."""
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if obj.datatype.value == XSD_STRING:
            return obj.value
        return {"@value": obj.value, "@type": self.compact(obj.datatype.value)}


class _JsonLdWriter:
    """Writes canonical triples as one compacted document, embedding nodes as the module says."""

    def __init__(self, compactor: _Compactor) -> None:
        self.compactor = compactor
        self._embedded: set[Any] = set()
        self._described: dict[Any, list[tuple[str, Any]]] = {}
        self._memberships: dict[Any, list[Any]] = defaultdict(list)

    def write(self, quads: list[ox.Quad], out: IO[bytes]) -> None:
        described: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
        references: Counter[Any] = Counter()
        referrer: dict[Any, Any] = {}
        for quad in quads:
            described[quad.subject].append((quad.predicate.value, quad.object))
            if isinstance(quad.object, ox.BlankNode):
                references[quad.object] += 1
                referrer[quad.object] = quad.subject
        embedded = self._embedded_blank_nodes(described, references, referrer)
        hosts = self._membership_hosts(described, embedded)
        self._embedded = embedded
        self._described = described
        for membership, host in hosts.items():
            self._memberships[host].append(membership)
        top = [s for s in described if s not in embedded and s not in hosts]
        out.write(b'{\n"@context": ')
        out.write(self.compactor.context_json)
        out.write(b',\n"@graph": [')
        for position, subject in enumerate(sorted(top, key=str)):
            out.write(b"\n" if position == 0 else b",\n")
            out.write(json.dumps(self.node(subject, None), ensure_ascii=False).encode("utf-8"))
        out.write(b"\n]\n}\n")

    @staticmethod
    def _embedded_blank_nodes(
        described: dict[Any, list[tuple[str, Any]]], references: Counter[Any], referrer: dict[Any, Any]
    ) -> set[Any]:
        """Blank nodes referenced exactly once, whose chain of referrers ends at a node shown at the top."""
        candidates = {b for b, n in references.items() if n == 1 and b in described}
        embedded = set()
        for blank in candidates:
            chain, node = {blank}, referrer[blank]
            while node in candidates and node not in chain:
                chain.add(node)
                node = referrer[node]
            if node not in chain:
                embedded.add(blank)
        return embedded

    @staticmethod
    def _membership_hosts(described: dict[Any, list[tuple[str, Any]]], embedded: set[Any]) -> dict[Any, Any]:
        hosts = {}
        for subject, entries in described.items():
            organisations = [o for p, o in entries if p == ORG_ORGANIZATION]
            is_membership = any(
                p == RDF_TYPE and getattr(o, "value", "") == ORG_MEMBERSHIP for p, o in entries
            )
            if not is_membership or len(organisations) != 1 or subject in embedded:
                continue
            host = organisations[0]
            if host != subject and host in described and host not in embedded:
                hosts[subject] = host
        return hosts

    def node(self, subject: Any, host: Any) -> dict[str, Any]:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for predicate, obj in self._described[subject]:
            if host is not None and predicate == ORG_ORGANIZATION and obj == host:
                continue
            if obj in self._embedded:
                key, _ = self.compactor.entry(predicate, obj)
                grouped[key if key != "type" else self.compactor.compact(predicate)].append(
                    self.node(obj, None)
                )
                continue
            key, value = self.compactor.entry(predicate, obj)
            grouped[key].append(value)
        node: dict[str, Any] = {}
        if subject not in self._embedded:
            node["id"] = self.compactor.node_id(subject)
        for key in sorted(grouped, key=lambda k: (k != "type", k)):
            values = sorted(grouped[key], key=_value_order)
            node[key] = values[0] if len(values) == 1 else values
        members = self._memberships.get(subject)
        if members:
            node[self.compactor.reverse_terms[ORG_ORGANIZATION]] = [
                self.node(m, subject) for m in sorted(members, key=str)
            ]
        return node
