"""What an incremental publish keeps to know what changed, and which resources' pages to write again.

The site keeps a manifest (`.csei-manifest.json.gz`, written with the site, swapped in with it): for
every IRI a hash of every statement it is the subject or object of (blank nodes followed, by their
content) and a hash of its label; the instance count of each class; a hash of how each named graph is
shown as a source; and a hash of what every page reads alike (the labels of properties and datatypes,
inverse properties, the code and templates of the pages). A resource's page and documents depend only
on these, so after a change the pages to write again are those of the IRIs whose statements changed,
of the neighbours of an IRI whose label changed, of the resources stated in a graph whose description
changed, and of the classes whose instance count changed; everything else is the same bytes as before.
"""

import gzip
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from csei_graph import export
from csei_graph.pages import paths
from csei_graph.pages.index import GraphIndex, IndexedReader
from csei_graph.pages.render import TEMPLATES_DIR
from csei_graph.pages.resource import graph_description
from csei_graph.site.catalogue import VERSION
from csei_graph.site.resources import document_paths

MANIFEST = ".csei-manifest.json.gz"
LAYOUT = 1
_MASK = (1 << 64) - 1
_CODE = (Path(__file__).resolve().parent, TEMPLATES_DIR.parent, Path(export.__file__))


@dataclass(frozen=True)
class SiteState:
    """What the pages of a published site were made from (see the module's description)."""

    shared: str
    terms: dict[str, str]
    classes: dict[str, int]
    graphs: dict[str, str]
    pages: list[str]

    def to_bytes(self) -> bytes:
        """The manifest's bytes: sorted JSON, gzipped without name or time."""
        document = {
            "layout": LAYOUT,
            "shared": self.shared,
            "classes": self.classes,
            "graphs": self.graphs,
            "pages": self.pages,
            "terms": self.terms,
        }
        text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)


def read_state(site: Path) -> SiteState | None:
    """The manifest of a published site, or None when it has none that this version can use."""
    try:
        document = json.loads(gzip.decompress((site / MANIFEST).read_bytes()))
        if document.get("layout") != LAYOUT:
            return None
        return SiteState(
            document["shared"], document["terms"], document["classes"], document["graphs"], document["pages"]
        )
    except (OSError, ValueError, KeyError, EOFError):
        return None


def site_state(index: GraphIndex, reader: IndexedReader, pages: list[str], release: str = "") -> SiteState:
    """The manifest of the site about to be written from an index; `release` is what every page's
    footer says, so a new one rewrites every page."""
    touched = _touches(index)
    datatypes = _datatypes(index)
    terms = {
        iri: f"{touch & _MASK:016x}{_digest(index.labels.get(iri_key, ''))[:8]}"
        for iri, touch in touched.items()
        for iri_key in (f"<{iri}>",)
    }
    graphs = {graph: _digest(repr(graph_description(reader, graph))) for graph in sorted(index.graphs)}
    inverses = index.inverse_properties()
    labelled = sorted({*index.predicates, *inverses.values(), *datatypes})
    shared = {
        "code": _code_digest(),
        "release": release,
        "version": VERSION,
        # The hashes of statements are the engine's: another version may hash them otherwise.
        "engine": ox.__version__,
        "inverses": inverses,
        "labels": [reader.label(ox.NamedNode(iri)) for iri in labelled],
        "labelled": labelled,
    }
    return SiteState(
        _digest(json.dumps(shared, sort_keys=True)), terms, index.instance_counts(), graphs, pages
    )


def changed_resources(old: SiteState, new: SiteState, index: GraphIndex) -> set[str] | None:
    """The resources whose page and documents may differ from the old site's; None: all of them."""
    if old.shared != new.shared:
        return None
    changed = {t for t in old.terms.keys() | new.terms.keys() if old.terms.get(t) != new.terms.get(t)}
    affected = set(changed)
    for iri in changed:
        if old.terms.get(iri, "")[16:] != new.terms.get(iri, "")[16:]:
            affected |= _neighbours(index, ox.NamedNode(iri))
    graphs = {g for g in old.graphs.keys() | new.graphs.keys() if old.graphs.get(g) != new.graphs.get(g)}
    if graphs:
        affected |= _stated_in(index, graphs)
    affected |= {
        c for c in old.classes.keys() | new.classes.keys() if old.classes.get(c) != new.classes.get(c)
    }
    pages = set(new.pages)
    return (affected & pages) | (pages - set(old.pages))


def link_unchanged(previous: Path, building: Path, iris: Iterable[str], base: str) -> int:
    """Hard-link the page and documents of each resource from the previous site; how many files."""
    names_by_folder: dict[str, list[str]] = defaultdict(list)
    for iri in iris:
        stem = paths.document_stem(iri, base)
        if stem is not None:
            folder, _, name = stem.rpartition("/")
            names_by_folder[folder].append(name)
    linked = 0
    for folder, names in names_by_folder.items():
        (building / folder).mkdir(parents=True, exist_ok=True)
        linked += _link_folder(previous / folder, building / folder, names)
    return linked


def _link_folder(previous: Path, building: Path, stems: list[str]) -> int:
    """Hard-link the files of these stems from one folder of the previous site to the same folder of the
    new one. Names are looked up in open folders: a million links then cost a million short calls."""
    try:
        source = os.open(previous, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return 0
    try:
        target = os.open(building, os.O_RDONLY | os.O_DIRECTORY)
        try:
            present = {entry.name for entry in os.scandir(source)}
            names = [name for stem in stems for name in document_paths(stem) if name in present]
            for name in names:
                os.link(name, name, src_dir_fd=source, dst_dir_fd=target)
        finally:
            os.close(target)
    finally:
        os.close(source)
    return len(names)


def _touches(index: GraphIndex) -> dict[str, int]:
    """For each IRI, the sum of the hashes of the statements it is the subject or object of, blank
    nodes named by their content."""
    touched: dict[str, int] = defaultdict(int)
    for node, touch in index.touches.items():
        touched[node.value] += touch
    blank: dict[ox.BlankNode, str] = {}
    for quad in index.blank_quads:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        shown = _blank_digest(index, subject, blank, set()) if isinstance(subject, ox.BlankNode) else subject
        value = _blank_digest(index, obj, blank, set()) if isinstance(obj, ox.BlankNode) else obj
        line = f"{shown} {quad.predicate} {value} {graph}".encode()
        statement = int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "big")
        for node in (subject, obj):
            if isinstance(node, ox.NamedNode):
                touched[node.value] += statement
    return touched


def _datatypes(index: GraphIndex) -> set[str]:
    """The datatypes of the literals of the graph."""
    return {
        obj.datatype.value
        for facts in index.outgoing.values()
        for _, obj, _ in facts
        if isinstance(obj, ox.Literal)
    }


def _blank_digest(index: GraphIndex, node: ox.BlankNode, known: dict[ox.BlankNode, str], path: set) -> str:
    """A blank node named by what it says (its statements, nested blank nodes by their own content)."""
    if node in known:
        return known[node]
    if node in path:
        return "_:cycle"
    path.add(node)
    lines = sorted(
        f"{p} {_blank_digest(index, o, known, path) if isinstance(o, ox.BlankNode) else o} {g or ''}"
        for p, o, g in index.outgoing.get(node, ())
    )
    path.discard(node)
    known[node] = "_:" + _digest("\n".join(lines))
    return known[node]


def _neighbours(index: GraphIndex, node: ox.NamedNode) -> set[str]:
    """The resources whose pages show a node's label: those it points at, those pointing at it."""
    found = {o.value for _, o, _ in index.outgoing.get(node, ()) if isinstance(o, ox.NamedNode)}
    for subject, _ in index.incoming.get(node, ()):
        found |= _roots(index, subject)
    return found


def _roots(index: GraphIndex, node: ox.NamedNode | ox.BlankNode) -> set[str]:
    """The IRIs whose pages show a node: itself, or for a blank node those that lead to it."""
    found: set[str] = set()
    pending, seen = [node], {node}
    while pending:
        current = pending.pop()
        if isinstance(current, ox.NamedNode):
            found.add(current.value)
            continue
        for subject, _ in index.incoming.get(current, ()):
            if subject not in seen:
                seen.add(subject)
                pending.append(subject)
    return found


def _stated_in(index: GraphIndex, graphs: set[str]) -> set[str]:
    """The resources whose pages cite one of these graphs as a source."""
    found: set[str] = set()
    for subject, facts in index.outgoing.items():
        if any(graph in graphs for _, _, graph in facts):
            found |= _roots(index, subject)
    return found


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _code_digest() -> str:
    """A hash of the code, templates and static files the pages are made with."""
    digest = hashlib.sha256()
    for root in _CODE:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
