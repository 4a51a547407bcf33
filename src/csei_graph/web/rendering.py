"""Renders what the server sends of the graph: pages, RDF documents, dumps, the search index.

A render runs where the server's render workers run it (web/workers.py), on their copy of the graph:
`render(store, settings, document)` takes nothing else, and gives bytes ready to send.
"""

import gzip
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from csei_graph import export
from csei_graph.namespaces import BASE, ONTOLOGY_IRI
from csei_graph.pages import paths, shapes
from csei_graph.pages.render import render as render_view
from csei_graph.pages.router import view_for_path
from csei_graph.pages.search import search_index
from csei_graph.settings import Settings
from csei_graph.site import catalogue
from csei_graph.stores.base import Store
from csei_graph.web import conneg
from csei_graph.web.conneg import Representation, etag_for

# Bodies smaller than this are sent as they are: compressing them saves less than it costs.
COMPRESS_MIN_BYTES = 1024
GZIP_LEVEL = 4
RDF_BY_EXTENSION = {r.extension: r for r in conneg.RDF_REPRESENTATIONS}
REPRESENTATION_BY_NAME = {r.name: r for r in conneg.DOCUMENT_REPRESENTATIONS}
JSON = Representation("json", "application/json", "json")
GZIP = Representation("gzip", "application/gzip", "gz")
# Description documents that live at the site's root: their IRI, and how their statements are made.
ROOT_DOCUMENTS: dict[str, Callable[[Store, Settings], list[ox.Quad]]] = {
    "catalog": lambda store, settings: catalogue.to_quads(catalogue.dcat_catalogue(store, settings)),  # type: ignore[arg-type]
    "void": lambda store, settings: catalogue.to_quads(catalogue.void_description(store, settings)),  # type: ignore[arg-type]
    "shapes": lambda store, settings: catalogue.to_quads(shapes.load_shapes()),
}


@dataclass(frozen=True)
class Rendered:
    """A representation ready to send: its bytes, media type, entity tag and the headers it adds.

    Its gzip form is made the first time a client that accepts gzip asks for it, then kept with it.
    """

    body: bytes
    representation: Representation
    etag: str
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @property
    def compressible(self) -> bool:
        """Whether the body is worth sending gzipped."""
        return len(self.body) >= COMPRESS_MIN_BYTES and self.representation.extension != "gz"

    def gzipped(self) -> bytes:
        """The body in gzip form (stable bytes: no name, no time stamp)."""
        if not self._gzipped:
            self._gzipped.append(gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0))
        return self._gzipped[0]

    @classmethod
    def of(
        cls, body: bytes, representation: Representation, headers: tuple[tuple[str, str], ...] = ()
    ) -> "Rendered":
        """A representation of these bytes, tagged with their hash."""
        return cls(body, representation, etag_for(body), headers)


@dataclass(frozen=True)
class Document:
    """What to render: a page or RDF document (`kind` "document": its file path, its stem and the name
    of its representation), a dump ("dump": `representation` names the syntax), or the search index."""

    kind: str
    path: str = ""
    stem: str = ""
    representation: str = ""
    release: str = ""
    # The server's settings as they are now (its address is known only once it listens).
    settings: Settings | None = None


def render(store: Store, settings: Settings, document: Document) -> Rendered | None:
    """The document's bytes; None when there is no such document."""
    settings = document.settings or settings
    if document.kind == "dump":
        return _dump(store, settings, document.representation)
    if document.kind == "search-index":
        entries = search_index(store, settings)  # type: ignore[arg-type]
        return Rendered.of(json.dumps(entries, ensure_ascii=False).encode("utf-8"), JSON)
    representation = REPRESENTATION_BY_NAME[document.representation]
    if representation is conneg.HTML:
        return _page(store, settings, document)
    return _rdf_document(store, settings, document.stem, representation)


def statements(store: Store, stem: str, iri: str) -> list[ox.Quad]:
    """What the RDF documents of a stem hold: a named graph's content, or what is said of and to
    a resource."""
    if stem == "ontology":
        return export.graph_content(store, ONTOLOGY_IRI)  # type: ignore[arg-type]
    if stem.startswith("graph/"):
        return export.graph_content(store, iri)  # type: ignore[arg-type]
    return export.describe(store, iri)  # type: ignore[arg-type]


def _page(store: Store, settings: Settings, document: Document) -> Rendered | None:
    view = view_for_path(store, f"{document.stem}.html", settings)  # type: ignore[arg-type]
    if view is None:
        return None
    body = render_view(view, document.release).encode("utf-8")
    alternates = [(f"/{document.stem}.{r.extension}", r) for r in conneg.RDF_REPRESENTATIONS]
    has_data = paths.iri_for_stem(document.stem, BASE) is not None
    headers = (("Link", conneg.link_header(alternates)),) if has_data else ()
    return Rendered.of(body, conneg.HTML, headers)


def _rdf_document(
    store: Store, settings: Settings, stem: str, representation: Representation
) -> Rendered | None:
    if stem in ROOT_DOCUMENTS:
        quads = ROOT_DOCUMENTS[stem](store, settings)
    else:
        iri = paths.iri_for_stem(stem, BASE)
        quads = statements(store, stem, iri) if iri else []
    if not quads:
        return None
    fmt = export.export_format(representation.name)
    body = export.to_bytes(quads, fmt, settings)
    others: Sequence[Representation] = [r for r in conneg.DOCUMENT_REPRESENTATIONS if r is not representation]
    alternates = [(f"/{stem}.{r.extension}", r) for r in others]
    return Rendered.of(body, representation, (("Link", conneg.link_header(alternates)),))


def _dump(store: Store, settings: Settings, format_name: str) -> Rendered:
    """The whole graph in one syntax, gzipped."""
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
        with export.gzip_writer(buffer) as zipped:
            export.export(store, format_name, zipped, settings)  # type: ignore[arg-type]
        buffer.seek(0)
        return Rendered.of(buffer.read(), GZIP)
