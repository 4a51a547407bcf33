"""`csei publish`: writes the whole static linked-data site into a folder, swapped in when complete.

The site is built in a fresh folder beside OUTDIR and takes OUTDIR's place only once every file is
written, so an interrupted publish leaves the previous site as it was. An existing OUTDIR is replaced
only when it is empty or holds a site an earlier `csei publish` wrote (it has a `.csei-site` file).
"""

import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import Graph

from csei_graph import releases
from csei_graph.export import (
    CONTEXT_NAME,
    DOCUMENT_FORMATS,
    DUMP_FORMATS,
    ExportFormat,
    canonical_statements,
    describe,
    graph_content,
    gzip_writer,
    jsonld_context,
    serialise,
    to_bytes,
)
from csei_graph.leftovers import remove_abandoned
from csei_graph.namespaces import BASE, ONTOLOGY_IRI
from csei_graph.settings import Settings
from csei_graph.site import catalogue, paths, rules, views
from csei_graph.site.catalogue import DatasetMetadata
from csei_graph.stores.base import Store
from csei_graph.workspace import Workspace

MARKER = ".csei-site"
SITEMAP_LIMIT = 50_000
CATALOGUE_FORMATS = ("turtle", "jsonld", "rdfxml")


@dataclass(frozen=True)
class PublishReport:
    """What `publish` wrote."""

    outdir: Path
    pages: int
    resources: int
    files: int
    seconds: float


class SiteWriter:
    """Writes files under the site's root, refusing any path that would leave it."""

    def __init__(self, root: Path, release: str = "") -> None:
        self.root = root
        self.release = release
        self.files = 0
        self.pages: list[str] = []

    def target(self, site_path: str, *, hidden: bool = False) -> Path:
        """The file for a site path; hidden allows a leading dot (`.htaccess`), never `..`."""
        checked = site_path.replace("/.", "/") if hidden else site_path
        checked = checked.removeprefix(".") if hidden else checked
        if not paths.is_safe_path(checked) or ".." in site_path:
            raise ValueError(f"refusing to write outside the site: {site_path!r}")
        target = self.root / site_path
        target.parent.mkdir(parents=True, exist_ok=True)
        self.files += 1
        return target

    def text(self, site_path: str, content: str, *, hidden: bool = False) -> None:
        self.target(site_path, hidden=hidden).write_text(content, encoding="utf-8")

    def data(self, site_path: str, content: bytes) -> None:
        self.target(site_path).write_bytes(content)

    def page(self, view: views.View) -> None:
        self.text(view.path, views.render(view, self.release))
        self.pages.append(view.path)


def publish(
    store: Store,
    outdir: Path,
    settings: Settings | None = None,
    *,
    shapes: Graph | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishReport:
    """Build the site for the graph in `outdir` (replacing an earlier site there) and report on it."""
    settings = settings or Settings()
    started = time.monotonic()
    outdir = _checked_outdir(outdir)
    meta = catalogue.dataset_metadata(settings)
    # Folders of an earlier publish that was killed: named after its process, which is gone.
    remove_abandoned(
        outdir.parent, re.compile(rf"\.{re.escape(outdir.name)}\.(?:building|previous)-(\d+)-.*")
    )
    building = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-{os.getpid()}-", dir=outdir.parent))
    try:
        writer = SiteWriter(building, releases.identity(settings))
        say = progress or (lambda _: None)
        say("pages of resources")
        resources = _resource_pages(writer, store, settings)
        say("listings")
        _listing_pages(writer, store, settings)
        say("home, search, ontology, shapes and queries")
        _fixed_pages(writer, store, settings, shapes)
        say("dumps, catalogue and VoID")
        _dumps(writer, store, settings)
        _metadata(writer, store, settings)
        _release_files(writer, settings)
        say("sitemap and redirect rules")
        _sitemap(writer, meta)
        _rules(writer, settings, meta)
        shutil.copytree(views.STATIC_DIR, building / "static")
        stamp = {"generator": f"csei-graph {catalogue.VERSION}", "pages": len(writer.pages)}
        writer.text(MARKER, json.dumps(stamp), hidden=True)
        _swap_in(building, outdir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return PublishReport(outdir, len(writer.pages), resources, writer.files, time.monotonic() - started)


def _release_files(writer: SiteWriter, settings: Settings) -> None:
    """The workspace's releases, as the catalogue announces them: releases/VERSION/ and their files."""
    if settings.workspace is None:
        return
    for frozen in releases.releases(Workspace(settings.workspace)):
        for name in releases.published_files():
            writer.data(
                f"{catalogue.RELEASES_FOLDER}/{frozen.version}/{name}", (frozen.folder / name).read_bytes()
            )


def _checked_outdir(outdir: Path) -> Path:
    outdir = outdir.expanduser().absolute()
    if outdir.exists() and not outdir.is_dir():
        raise ValueError(f"{outdir} is a file, not a folder: give a folder to publish the site in")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MARKER).is_file():
        raise ValueError(
            f"{outdir} is not empty and holds no site published by csei publish (no {MARKER} file): "
            "give a new or empty folder, so nothing else is replaced"
        )
    if not outdir.parent.is_dir():
        raise ValueError(f"{outdir.parent} does not exist: create it first")
    return outdir


def _swap_in(building: Path, outdir: Path) -> None:
    """Put the new site in place of the old one; the old one is removed only after the swap."""
    building.chmod(0o755)
    if not outdir.exists():
        building.rename(outdir)
        return
    if _exchange(building, outdir):
        shutil.rmtree(building, ignore_errors=True)  # it holds the previous site now
        return
    # Without an atomic exchange, there is an instant between the two renames with no site at all.
    retired = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.previous-{os.getpid()}-", dir=outdir.parent))
    retired.rmdir()
    outdir.rename(retired)
    try:
        building.rename(outdir)
    except BaseException:
        retired.rename(outdir)
        raise
    shutil.rmtree(retired, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE), so that both paths exist
    at every instant; False where the system or the file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _write_documents(writer: SiteWriter, stem: str, quads: list, settings: Settings) -> None:
    for fmt in DOCUMENT_FORMATS:
        writer.data(f"{stem}.{fmt.extension}", to_bytes(quads, fmt, settings))


def _resource_pages(writer: SiteWriter, store: Store, settings: Settings) -> int:
    count = 0
    for iri in views.resource_iris(store, settings):
        stem = paths.document_stem(iri, BASE)
        if stem is None or iri == ONTOLOGY_IRI:
            continue
        view = views.resource_view(store, iri, settings)
        if view is None:
            continue
        writer.page(view)
        _write_documents(writer, stem, describe(store, iri), settings)
        count += 1
    return count


def _listing_pages(writer: SiteWriter, store: Store, settings: Settings) -> None:
    home = views.home_view(store, settings)
    for count in home.classes:
        _listing_with_pages(writer, store, views.Listing("class", count.link.iri), settings, facets=True)
    for count in home.schemes:
        _listing_with_pages(writer, store, views.Listing("scheme", count.link.iri), settings, facets=False)


def _listing_with_pages(
    writer: SiteWriter, store: Store, listing: views.Listing, settings: Settings, *, facets: bool
) -> None:
    pages = views.listing_pages(store, listing, settings)
    for page in pages:
        writer.page(page)
    if not facets or not pages:
        return
    for facet in pages[0].facets:
        for value in facet.values:
            filtered = views.Listing(listing.kind, listing.iri, facet.name, value.value.iri)
            for page in views.listing_pages(store, filtered, settings):
                writer.page(page)


def _fixed_pages(writer: SiteWriter, store: Store, settings: Settings, shapes: Graph | None) -> None:
    writer.page(views.home_view(store, settings))
    writer.page(views.search_view())
    writer.data(
        views.SEARCH_INDEX,
        json.dumps(views.search_index(store, settings), ensure_ascii=False, separators=(",", ":")).encode(),
    )
    writer.page(
        views.message_view(
            "Not found",
            "There is no page at this address. The resource may have another name: search for it, or "
            "browse the lists of the home page.",
        )
    )
    ontology = views.ontology_view(store, settings)
    if ontology is not None:
        writer.page(ontology)
        _write_documents(writer, "ontology", graph_content(store, ONTOLOGY_IRI), settings)
    shape_graph = shapes if shapes is not None else views.load_shapes()
    writer.page(views.shapes_view(store, shape_graph, settings))
    _write_documents(writer, "shapes", catalogue.to_quads(shape_graph), settings)
    writer.page(views.queries_view(store, settings))
    for name in views.stored_query_names():
        query_view = views.query_view(store, name, settings)
        if query_view is not None:
            writer.page(query_view)
            writer.text(f"{views.QUERY_FOLDER}/{name}.rq", query_view.sparql)


def _dumps(writer: SiteWriter, store: Store, settings: Settings) -> None:
    union = None
    named = None
    for fmt in DUMP_FORMATS:
        if fmt.holds_graphs:
            named = named or canonical_statements(store, union=False)
            statements = named
        else:
            union = union or canonical_statements(store, union=True)
            statements = union
        _dump(writer, fmt, statements, settings)


def _dump(writer: SiteWriter, fmt: ExportFormat, statements: list, settings: Settings) -> None:
    with writer.target(paths.dump_path(fmt.extension)).open("wb") as raw, gzip_writer(raw) as zipped:
        serialise(statements, fmt, zipped, settings)


def _metadata(writer: SiteWriter, store: Store, settings: Settings) -> None:
    catalogue_quads = catalogue.to_quads(catalogue.dcat_catalogue(store, settings))
    for name in CATALOGUE_FORMATS:
        fmt = next(f for f in DUMP_FORMATS if f.name == name)
        writer.data(f"catalog.{fmt.extension}", to_bytes(catalogue_quads, fmt, settings))
    void_quads = catalogue.to_quads(catalogue.void_description(store, settings))
    writer.data(catalogue.VOID_FILE, to_bytes(void_quads, DOCUMENT_FORMATS[0], settings))
    writer.text(CONTEXT_NAME, json.dumps(jsonld_context(), ensure_ascii=False, indent=2) + "\n")


def _sitemap(writer: SiteWriter, meta: DatasetMetadata) -> None:
    pages = sorted(p for p in writer.pages if p != "404.html")
    chunks = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        writer.text("sitemap.xml", _urlset(meta.site_url, chunks[0]))
    else:
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        for name, chunk in zip(names, chunks, strict=True):
            writer.text(name, _urlset(meta.site_url, chunk))
        entries = "".join(f"<sitemap><loc>{escape(meta.site_url + n)}</loc></sitemap>\n" for n in names)
        writer.text(
            "sitemap.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n',
        )
    writer.text("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {meta.site_url}sitemap.xml\n")


def _urlset(site_url: str, pages: Iterable[str]) -> str:
    entries = "".join(f"<url><loc>{escape(site_url + page)}</loc></url>\n" for page in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )


def _rules(writer: SiteWriter, settings: Settings, meta: DatasetMetadata) -> None:
    writer.text(".htaccess", rules.apache(meta), hidden=True)
    writer.text("nginx.conf", rules.nginx(meta))
    writer.text("w3id/README.md", rules.w3id_readme(settings, meta))
    if rules.redirects_elsewhere(settings, meta):
        writer.text("w3id/.htaccess", rules.w3id(settings, meta), hidden=True)
