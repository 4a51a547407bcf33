"""The embedded store: the graph in Oxigraph, in memory or in a persistent store folder (`disk`)."""

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from csei_graph import admission
from csei_graph.settings import Settings
from csei_graph.sources import Source, SourceError, parse
from csei_graph.stores import disk
from csei_graph.stores.base import GraphDataset, GraphName
from csei_graph.terms import OxTerm, rdflib_dataset, to_rdflib

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
# Syntaxes the engine's own loader reads with no check beyond those `parse` makes on syntax (the admission
# policy is checked on the whole store once loaded); any other syntax (RDF/XML, JSON-LD) is read through
# `parse` and its extra checks. The graph's
# sources are the team's own: they are loaded whatever their size (see `parse`).
ENGINE_LOADED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
BULK_LOAD_BYTES = 1024 * 1024


class GraphStore:
    """The whole graph, one named graph per source; queries see the union of all graphs."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()
        self._build: disk.OpenBuild | None = None
        # A store another process writes (or built from sources): a change is made on a copy in memory.
        self._copy_on_change = False

    @classmethod
    def read_only(cls, database: Path | str) -> "GraphStore":
        """A persistent store opened read-only, as another process may (the server's workers)."""
        graph_store = cls(ox.Store.read_only(str(database)))
        graph_store._copy_on_change = True
        return graph_store

    @classmethod
    def from_sources(cls, sources: Sequence[Source], settings: Settings | None = None) -> "GraphStore":
        """Load every source into a new store, so that a fault in any one loads nothing.

        With the `store_dir` setting, the store is the persistent one of that folder (see `open`).
        """
        settings = settings or Settings()
        if settings.store_dir is not None:
            return cls.open(settings.store_dir, sources, settings)
        store = ox.Store()
        _load(store, sources, settings, bulk=False)
        return cls(store)

    @classmethod
    def open(
        cls, directory: Path, sources: Sequence[Source], settings: Settings | None = None
    ) -> "GraphStore":
        """The graph of `sources` from the persistent store in `directory`, read-only.

        The store is reopened as it is when it was built from the same bytes (a content hash of every
        source); otherwise it is rebuilt, in bulk, into a new folder that replaces the old one only once
        complete, so it never serves stale data and an interrupted build leaves the previous one usable.
        """
        settings = settings or Settings()
        described = {"sources": [{"path": str(s.path), "graph": s.graph.value} for s in sources]}
        build = disk.open_store(
            Path(directory),
            disk.fingerprint(sources, settings),
            lambda store: _load(store, sources, settings, bulk=True),
            described,
        )
        graph_store = cls(build.store)
        graph_store._build = build
        return graph_store

    @property
    def location(self) -> Path | None:
        """The folder of the persistent store's build in use; None for a store in memory."""
        return self._build.path if self._build else None

    @property
    def rebuilt(self) -> bool:
        """Whether opening this persistent store had to build it from the sources."""
        return bool(self._build and self._build.rebuilt)

    def add_all(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction.

        A persistent store is first copied into memory: the build on disk always holds exactly what
        its sources hold, and other processes reading it never see this change.
        """
        if self._build is not None or self._copy_on_change:
            copy = ox.Store()
            copy.load(self._store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
            self._store, self._build, self._copy_on_change = copy, None, False
        self._store.extend(quads)

    def admission_refusal(self, added: Sequence[ox.Quad], settings: Settings) -> admission.Refusal | None:
        """What the graph's admission policy refuses in the store once `added` joined it, statements
        whose terms were checked already (a contribution's, file by file): only the limits that
        statements reach together are checked again, on what they touch (`admission.added_refusal`)."""
        return admission.added_refusal(self._store, added, settings)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, OxTerm] | None = None,
        *,
        dataset: GraphDataset | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; bindings are substituted as RDF terms, never pasted into the text."""
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()} or None
        if dataset is None:
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)
        return self._store.query(
            sparql,
            default_graph=[ox.NamedNode(name) for name in dataset.default_graphs],
            named_graphs=[ox.NamedNode(name) for name in dataset.named_graphs],
            substitutions=substitutions,
        )

    def triples_matching(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: OxTerm | None,
    ) -> Iterator[ox.Triple]:
        """The triples of every graph that match a pattern (None matches any term), read off the indexes."""
        for quad in self._store.quads_for_pattern(subject, predicate, obj, None):
            yield quad.triple

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, syntax: ox.RdfFormat, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> bytes:
        """The statements written by the engine in its own order: every quad in a dataset syntax, or
        one graph's triples (`graph`) in a triple syntax."""
        return self._store.dump(format=syntax, from_graph=graph)

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads of one graph (an IRI, or the default graph), or of every graph when None."""
        name = ox.NamedNode(graph) if isinstance(graph, str) else graph
        return self._store.quads_for_pattern(None, None, None, name)

    def dataset(self) -> Dataset:
        """The graph as an rdflib Dataset with the same named graphs."""
        return rdflib_dataset(self.quads())

    def union_graph(self) -> Graph:
        """Every triple of every graph, merged into one rdflib Graph."""
        graph = Graph()
        for quad in self.quads():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph


def _load(store: ox.Store, sources: Sequence[Source], settings: Settings, *, bulk: bool) -> None:
    """Load the sources into a new store with the engine's own parser, as strictly as `parse` would.

    On any fault the source is read again through `parse`, which says what is wrong and where; the
    caller drops the store when this raises, so a fault in any source loads nothing.
    """
    long_terms, blank = False, []
    for source in sources:
        if source.format not in ENGINE_LOADED_FORMATS or _size(source.path) == 0:
            quads = parse(source, settings, own=True)  # admitted there, file by file
            store.extend(quads)
            blank += admission.with_blank_nodes(quads)
            continue
        in_graph = None if source.format.supports_datasets else source.graph
        # A bulk load writes new database files at a fixed cost: worth it for large files only.
        load = store.bulk_load if bulk and _size(source.path) >= BULK_LOAD_BYTES else store.load
        # The policy's scans of every statement are spared where no file can need them: the bytes of a
        # file tell whether it may hold a long term, a triple term or a blank node. The engine's load
        # lets other threads run, so the bytes are read meanwhile.
        with ThreadPoolExecutor(max_workers=1) as reader:
            marks = reader.submit(admission.file_may_hold, source.path, source.format, settings)
            try:
                load(path=str(source.path), format=source.format, to_graph=in_graph)
            except (SyntaxError, OSError, ValueError) as error:
                parse(source, settings, own=True)  # raises the error with its file, line and column
                raise SourceError(source.path, str(error)) from None
        may_be_long, may_hold_blank = marks.result()
        long_terms |= may_be_long
        if may_hold_blank:
            read = ox.parse(path=str(source.path), format=source.format, rename_blank_nodes=True)
            blank += admission.with_blank_nodes(read)
    refused = admission.store_refusal(store, settings, long_terms=long_terms, blank=blank)
    if refused is not None:
        _refuse(sources, settings, refused)


def _refuse(sources: Sequence[Source], settings: Settings, refused: admission.Refusal) -> None:
    """Raise the SourceError of what the admission policy refuses in the loaded sources: the file that
    holds it, read again through `parse` for its place, else (a resource described across files) every
    file that describes the resource."""
    for source in sources:
        parse(source, settings, own=True)  # raises the error of a file that holds the fault alone
    focus = ox.NamedNode(refused.focus.strip("<>")) if refused.focus.startswith("<") else None
    holding = [s for s in sources if focus is not None and _describes(s, focus, settings)]
    if not holding:  # blank nodes, in no one file: the graph as a whole is over the limit
        raise SourceError(
            f"the graph ({len(sources)} files)", f"{refused.message}, in all", hint=refused.hint
        )
    where = ", ".join(str(s.path) for s in holding)
    raise SourceError(where, f"{refused.message}, across these files", hint=refused.hint)


def _describes(source: Source, focus: ox.NamedNode, settings: Settings) -> bool:
    unlimited = replace(settings, max_statements_per_resource=sys.maxsize)
    return any(quad.subject == focus for quad in parse(source, unlimited, own=True))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
