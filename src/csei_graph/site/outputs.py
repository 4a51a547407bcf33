"""The site's files other than resource pages: listings, fixed pages, search index, metadata, sitemap,
redirect rules."""

import json
from collections.abc import Iterable
from xml.sax.saxutils import escape

from rdflib import Graph

from csei_graph.export import (
    CONTEXT_NAME,
    DOCUMENT_FORMATS,
    DUMP_FORMATS,
    canonical_quads,
    graph_content,
    jsonld_context,
    to_bytes,
)
from csei_graph.namespaces import ONTOLOGY_IRI
from csei_graph.pages import render, shapes
from csei_graph.pages.description import DESCRIPTIONS, description_view
from csei_graph.pages.explore import explore_view
from csei_graph.pages.home import class_counts, home_view, scheme_counts
from csei_graph.pages.listing import Listing, all_listing_pages
from csei_graph.pages.message import message_view
from csei_graph.pages.network import network_view
from csei_graph.pages.ontology import ontology_view
from csei_graph.pages.query import (
    QUERY_FOLDER,
    QueryView,
    editor_page,
    queries_view,
    query_view,
    result_files,
    stored_query_names,
)
from csei_graph.pages.reader import Reader
from csei_graph.pages.search import SEARCH_INDEX, search_entries, search_view
from csei_graph.settings import Settings
from csei_graph.site import catalogue
from csei_graph.site import rules as server_rules
from csei_graph.site.catalogue import DatasetMetadata
from csei_graph.site.resources import serialised
from csei_graph.site.writer import SiteWriter
from csei_graph.stores.base import Store

STATIC_DIR = render.STATIC_DIR
SITEMAP_LIMIT = 50_000
# The catalogue and the VoID description in the document formats, and RDF/XML for harvesters.
CATALOGUE_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")


def page(writer: SiteWriter, view: object) -> None:
    """Write the page of a view."""
    writer.page(view.path, render.render(view, writer.release))  # type: ignore[attr-defined]


def listing_pages(writer: SiteWriter, reader: Reader) -> None:
    """Every page of every listing: each class with its facets, each concept scheme."""
    for count in class_counts(reader):
        _listing_with_pages(writer, reader, Listing("class", count.link.iri), facets=True)
    for count in scheme_counts(reader):
        _listing_with_pages(writer, reader, Listing("scheme", count.link.iri), facets=False)


def _listing_with_pages(writer: SiteWriter, reader: Reader, listing: Listing, *, facets: bool) -> None:
    pages = all_listing_pages(reader, listing)
    for view in pages:
        page(writer, view)
    if not facets or not pages:
        return
    for facet in pages[0].facets:
        for value in facet.values:
            filtered = Listing(listing.kind, listing.iri, facet.name, value.value.iri)
            for view in all_listing_pages(reader, filtered):
                page(writer, view)


def fixed_pages(
    writer: SiteWriter, store: Store, reader: Reader, settings: Settings, shape_graph: Graph | None
) -> None:
    """The home, search, not-found, ontology, shapes, query editor, explore and network pages, and the
    search index."""
    page(writer, home_view(store, settings))
    page(writer, search_view())
    entries = search_entries(reader)
    writer.data(SEARCH_INDEX, json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode())
    page(
        writer,
        message_view(
            "Not found",
            "There is no page at this address. The resource may have another name: search for it, or "
            "browse the lists of the home page.",
        ),
    )
    ontology = ontology_view(store, settings)
    if ontology is not None:
        page(writer, ontology)
        _documents(writer, "ontology", graph_content(store, ONTOLOGY_IRI))  # type: ignore[arg-type]
    shape_graph = shape_graph if shape_graph is not None else shapes.load_shapes()
    page(writer, shapes.shapes_view(store, shape_graph, settings))
    _documents(writer, "shapes", catalogue.to_quads(shape_graph))
    page(writer, editor_page(catalogue.dataset_metadata(settings).sparql_url))
    page(writer, explore_view(store, settings))
    page(writer, network_view(store, settings))


def query_pages(writer: SiteWriter, store: Store, reader: Reader, settings: Settings) -> None:
    """The list of stored queries, and each query's page for its defaults and for each value of its
    concept parameters, with the results as CSV and JSON."""
    page(writer, queries_view(store, settings))
    for name in stored_query_names():
        view = query_view(store, name, settings, reader=reader)
        if view is None:
            continue
        writer.text(f"{QUERY_FOLDER}/{name}.rq", view.sparql)
        _query_pages(writer, view)
        for parameter, codes in json.loads(view.variants_json).items():
            for code in codes:
                variant = query_view(store, name, settings, {parameter: code}, reader=reader)
                if variant is not None and not variant.error:
                    _query_pages(writer, variant)


def _query_pages(writer: SiteWriter, view: QueryView) -> None:
    """A stored query's page for some values, and its result as CSV and JSON beside it."""
    page(writer, view)
    stem = view.path.removesuffix(".html")
    for extension, body in result_files(view).items():
        writer.data(f"{stem}.{extension}", body)


def _documents(writer: SiteWriter, stem: str, quads: list) -> None:
    statements = canonical_quads(quads, union=True)
    for fmt in DOCUMENT_FORMATS:
        writer.data(f"{stem}.{fmt.extension}", serialised(statements, fmt))


def metadata(writer: SiteWriter, store: Store, settings: Settings) -> None:
    """The DCAT-AP catalogue in three syntaxes, the VoID description and the JSON-LD context."""
    for stem, (_, make) in DESCRIPTIONS.items():
        made = make(store, settings)  # type: ignore[operator]
        quads = catalogue.to_quads(made)
        for name in CATALOGUE_FORMATS:
            fmt = next(f for f in DUMP_FORMATS if f.name == name)
            writer.data(f"{stem}.{fmt.extension}", to_bytes(quads, fmt, settings))
        page(writer, description_view(store, stem, settings, made))
    writer.text(CONTEXT_NAME, json.dumps(jsonld_context(), ensure_ascii=False, indent=2) + "\n")


def sitemap(writer: SiteWriter, meta: DatasetMetadata) -> None:
    """sitemap.xml (an index of several when there are more pages than one may list) and robots.txt."""
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


def rules(writer: SiteWriter, settings: Settings, meta: DatasetMetadata) -> None:
    """The redirect and content-negotiation rules for Apache, nginx and w3id.org."""
    writer.text(".htaccess", server_rules.apache(meta), hidden=True)
    writer.text("nginx.conf", server_rules.nginx(meta))
    writer.text("w3id/README.md", server_rules.w3id_readme(settings, meta))
    if server_rules.redirects_elsewhere(settings, meta):
        writer.text("w3id/.htaccess", server_rules.w3id(settings, meta), hidden=True)
