"""The linked-data side of the server: resource IRIs, their documents and the site's pages.

The IRI policy of docs/model.md, live: a resource IRI (`/id/{kind}/{slug}`) answers `303 See Other`
to its document in the representation the client asks for (`/doc/{kind}/{slug}.html`, `.ttl`,
`.jsonld`, `.nt`, `.rdf`); a document path without extension (`/doc/...`, `/graph/...`,
`/ontology`, `/catalog`, `/void`) negotiates and says where the chosen file is (`Content-Location`).
Pages are those of the page layer (`csei_graph.pages`), so `csei serve` and `csei publish` show the
same thing. Every answer carries an entity tag and, for the embedded store, the time the sources
last changed, and a conditional request that still matches gets `304 Not Modified`.
"""

import gzip
import json
import posixpath
import re
from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from csei_graph import export
from csei_graph.namespaces import BASE
from csei_graph.pages import paths
from csei_graph.pages.message import message_view
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import render
from csei_graph.pages.router import view_for_path
from csei_graph.pages.search import SEARCH_INDEX
from csei_graph.web import conneg, rendering
from csei_graph.web.conneg import Representation
from csei_graph.web.rendering import Document, Rendered
from csei_graph.web.service import RenderFailed, Service

CACHE_CONTROL = "public, max-age=300"
# IRIs the catalogue mints for what it describes (the dataset, its distributions, the SPARQL service):
# their description is the catalogue's.
DESCRIBED_IN_CATALOGUE = re.compile(r"(dataset|dataset/dump/[a-z]+|service/sparql)")
# The ontology's version IRIs (`ontology/0.1.0`): the ontology's documents.
ONTOLOGY_VERSION = re.compile(r"ontology/[0-9]+(\.[0-9]+)*")


def service_of(request: Request) -> Service:
    """The service the app was made for."""
    service: Service = request.app.state.service
    return service


# ------------------------------------------------------------------------------------- handlers


async def resource(request: Request) -> Response:
    """`/id/...`: 303 to the document about the resource, in the representation asked for."""
    service = service_of(request)
    iri = BASE + request.url.path.lstrip("/")
    stem = paths.document_stem(iri, BASE)
    offered = await run_in_threadpool(_offered, service, stem) if stem else ()
    if not offered or stem is None:
        return await not_found(request, f"There is no resource <{iri}> in the graph.")
    chosen = _negotiate(request, offered, stem)
    if isinstance(chosen, Response):
        return chosen
    location = f"/{stem}.{chosen.extension}"
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})


async def document(request: Request) -> Response:
    """A page or document of the site: by its file name, or negotiated when it has no extension."""
    service = service_of(request)
    path = request.url.path.lstrip("/") or paths.HOME_PAGE
    described_elsewhere = _description_of(path)
    if described_elsewhere is not None:
        return RedirectResponse(described_elsewhere, 303, {"Vary": "Accept"})
    split = paths.split_document_path(path)
    if split is not None and split[1] in ("html", *rendering.RDF_BY_EXTENSION):
        return await _file(request, service, path, *split)
    has_extension = "." in posixpath.basename(path)
    offered = () if has_extension else await run_in_threadpool(_offered, service, path)
    if not offered:
        return await not_found(request, f"There is no page at /{path}.")
    chosen = _negotiate(request, offered, path)
    if isinstance(chosen, Response):
        return chosen
    file_name = f"{path}.{chosen.extension}"
    rendered = await _rendered(service, file_name, path, chosen)
    if rendered is None:
        return await not_found(request, f"There is no page at /{path}.")
    return send(request, service, rendered, location=f"/{file_name}")


async def _file(request: Request, service: Service, path: str, stem: str, extension: str) -> Response:
    """A page or document asked for by its file name."""
    representation = conneg.HTML if extension == "html" else rendering.RDF_BY_EXTENSION[extension]
    rendered = await _rendered(service, path, stem, representation)
    if rendered is None:
        return await not_found(request, f"There is no page at /{path}.")
    return send(request, service, rendered)


def _description_of(path: str) -> str | None:
    """Where an IRI the site describes elsewhere is described: the catalogue or the ontology."""
    if DESCRIBED_IN_CATALOGUE.fullmatch(path):
        return "/catalog"
    if ONTOLOGY_VERSION.fullmatch(path):
        return "/ontology"
    return None


def _negotiate(request: Request, offered: Sequence[Representation], stem: str) -> Representation | Response:
    """The representation `?format=` or the Accept header picks, or the response that says there is none."""
    try:
        return conneg.choose(request.headers.get("accept"), request.query_params.get("format"), offered)
    except conneg.UnknownFormat as error:
        return PlainTextResponse(str(error), status_code=400)
    except conneg.NotAcceptable as error:
        return not_acceptable(error, stem)


async def not_found(request: Request, message: str) -> Response:
    """404 with a page that helps: where to look instead (HTML), or the message alone."""
    try:
        wants_html = conneg.negotiate(request.headers.get("accept"), (conneg.HTML, _TEXT)) is conneg.HTML
    except conneg.NotAcceptable:
        wants_html = False
    if not wants_html:
        return PlainTextResponse(message + " Search the graph at /search.html or query it at /sparql.", 404)
    path = request.url.path.lstrip("/")
    page_path = path if paths.is_safe_path(path) else "404.html"
    view = message_view(
        "Not found",
        message + " It may have been given another name: search for it, or browse from the home page.",
        path=page_path,
    )
    html = await run_in_threadpool(render, view)
    return Response(html, status_code=404, media_type=conneg.HTML.content_type)


async def remote_failed(request: Request, error: Exception) -> Response:
    """502 when the remote store behind the server fails: its answer, not a fault of this server."""
    return PlainTextResponse(f"The remote store did not answer as it should: {error}", status_code=502)


async def render_failed(request: Request, error: Exception) -> Response:
    """The page could not be made in time (503, try again later) or at all: what happened."""
    status = error.status if isinstance(error, RenderFailed) else 500
    headers = {"Retry-After": "60"} if status == 503 else {}
    return PlainTextResponse(str(error), status_code=status, headers=headers)


def not_acceptable(error: conneg.NotAcceptable, stem: str) -> Response:
    """406 naming each representation there is, with its own URL."""
    lines = [
        "406 Not Acceptable: this resource is not available in any media type your Accept header names.",
        "It is available as:",
        *(f"  {r.media_type}: /{stem}.{r.extension}  (or ?format={r.name})" for r in error.offered),
    ]
    link = conneg.link_header((f"/{stem}.{r.extension}", r) for r in error.offered)
    return PlainTextResponse(
        "\n".join(lines) + "\n", status_code=406, headers={"Link": link, "Vary": "Accept"}
    )


_TEXT = Representation("text", "text/plain", "txt")


# ------------------------------------------------------------------------------------- rendering


def _offered(service: Service, stem: str) -> tuple[Representation, ...]:
    """The representations of a document stem: a page and RDF for an IRI of the graph, a page alone
    for the site's other pages (listings, queries...), RDF alone for the catalogue and VoID."""
    if stem in rendering.ROOT_DOCUMENTS:
        return (conneg.HTML, *conneg.RDF_REPRESENTATIONS)
    iri = paths.iri_for_stem(stem, BASE)
    if iri is None:
        has_page = view_for_path(service.store, f"{stem}.html", service.settings) is not None  # type: ignore[arg-type]
        return (conneg.HTML,) if has_page else ()
    if not Reader(service.store, service.settings).is_in_graph(iri):  # type: ignore[arg-type]
        return ()
    return (conneg.HTML, *conneg.RDF_REPRESENTATIONS)


async def _rendered(
    service: Service, path: str, stem: str, representation: Representation
) -> Rendered | None:
    document = Document("document", path, stem, representation.name, service.release)
    return await service.rendered((path, representation.name), document)


def send(request: Request, service: Service, rendered: Rendered, *, location: str | None = None) -> Response:
    """The representation with its caching headers, or 304 when the client's copy is still good.

    A negotiated answer (one with a Content-Location) varies with the Accept header; a body of some
    size is sent gzipped (`Content-Encoding: gzip`, its own entity tag) to a client that accepts it.
    """
    body, etag = rendered.body, rendered.etag
    headers = {"Cache-Control": CACHE_CONTROL, **dict(rendered.headers)}
    varies = ["Accept"] if location else []
    if rendered.compressible:
        varies.append("Accept-Encoding")
        if conneg.accepts_gzip(request.headers.get("accept-encoding")):
            body, etag = rendered.gzipped(), rendered.etag[:-1] + '-gzip"'
            headers["Content-Encoding"] = "gzip"
    headers["ETag"] = etag
    if service.last_modified is not None:
        headers["Last-Modified"] = conneg.http_date(service.last_modified)
    if location:
        headers["Content-Location"] = location
    if varies:
        headers["Vary"] = ", ".join(varies)
    if conneg.is_not_modified(request.headers, etag, service.last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=rendered.representation.content_type, headers=headers)


# ------------------------------------------------------------------------------------- site files

JSONLD_CONTEXT = Representation("jsonld", "application/ld+json", "jsonld")


async def context(request: Request) -> Response:
    """/context.jsonld: the project's JSON-LD context, which every JSON-LD document carries inline."""
    service = service_of(request)

    def render() -> Rendered:
        body = json.dumps(export.jsonld_context(), indent=2, ensure_ascii=False) + "\n"
        return Rendered.of(body.encode("utf-8"), JSONLD_CONTEXT)

    rendered = await service.rendered_here(("context.jsonld", "file"), render)
    return send(request, service, rendered)  # type: ignore[arg-type]


async def search_index(request: Request) -> Response:
    """/search-index.json: what the search page searches, the same file as the static site's."""
    service = service_of(request)
    rendered = await service.rendered((SEARCH_INDEX, "file"), Document("search-index", SEARCH_INDEX))
    return send(request, service, rendered)  # type: ignore[arg-type]


async def dump(request: Request) -> Response:
    """/dumps/csei.{ext}.gz: the whole graph in one syntax, gzipped, made once and kept; /dumps/csei.{ext}:
    the same bytes sent as the syntax itself with `Content-Encoding: gzip` (unzipped for a client that
    does not take gzip)."""
    service = service_of(request)
    path = request.url.path.lstrip("/")
    fmt = next((f for f in export.DUMP_FORMATS if path in _dump_names(f)), None)
    if fmt is None:
        names = ", ".join(f"/{paths.dump_path(f.extension)}" for f in export.DUMP_FORMATS)
        return PlainTextResponse(f"There is no dump at /{path}. Dumps: {names}.", status_code=404)

    key = (paths.dump_path(fmt.extension), "file")
    document = Document("dump", paths.dump_path(fmt.extension), representation=fmt.name)
    rendered: Rendered = await service.rendered(key, document)  # type: ignore[assignment]
    if path == paths.dump_path(fmt.extension):
        return send(request, service, rendered)
    media_type = conneg.Representation(fmt.name, fmt.media_type, fmt.extension).content_type
    zipped = conneg.accepts_gzip(request.headers.get("accept-encoding"))
    etag = rendered.etag[:-1] + ('-gzip"' if zipped else '-identity"')
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if conneg.is_not_modified(request.headers, etag, service.last_modified):
        return Response(status_code=304, headers=headers)
    if zipped:
        return Response(rendered.body, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    body = await run_in_threadpool(gzip.decompress, rendered.body)
    return Response(body, media_type=media_type, headers=headers)


def _dump_names(fmt: export.ExportFormat) -> tuple[str, str]:
    zipped = paths.dump_path(fmt.extension)
    return zipped, zipped.removesuffix(".gz")
