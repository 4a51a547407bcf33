"""The published site: every resource has its page and alternates, no broken link, a valid catalogue."""

import gzip
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef, namespace

from csei_graph.api import open_graph
from csei_graph.export import describe
from csei_graph.namespaces import BASE
from csei_graph.pages import paths
from csei_graph.pages.search import resource_iris
from csei_graph.settings import Settings
from csei_graph.site.build import PublishReport, publish
from csei_graph.site.swap import MARKER
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.validate import validate_catalogue

from .conftest import FIXTURE, MARKUP_CLUSTER, SITE_URL

DCAT_AP = Path(__file__).resolve().parents[2] / "shapes" / "dcat-ap" / "3.0.1"
OXIGRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


class _Links(HTMLParser):
    """Every link target (href, src) of a page and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def _links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_resource_has_its_page_and_alternates(published: PublishReport, site_store: GraphStore) -> None:
    root = published.outdir
    iris = resource_iris(site_store)
    assert published.resources == len(iris) - 1  # the ontology's own page is its documentation
    for iri in iris:
        stem = paths.document_stem(iri, BASE)
        for extension in ("html", "ttl", "jsonld", "nt"):
            assert (root / f"{stem}.{extension}").is_file(), f"{stem}.{extension}"


def _canonical(statements: object) -> ox.Dataset:
    dataset = ox.Dataset(ox.Quad(s.subject, s.predicate, s.object) for s in statements)  # type: ignore[attr-defined]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def test_the_alternates_of_a_resource_hold_its_description(
    published: PublishReport, site_store: GraphStore
) -> None:
    expected = _canonical(describe(site_store, MARKUP_CLUSTER))
    stem = published.outdir / "doc" / "cluster" / "markup-cluster"
    for extension, syntax in OXIGRAPH_FORMATS.items():
        parsed = ox.parse(path=str(stem.with_suffix(f".{extension}")), format=syntax)
        assert _canonical(parsed) == expected, extension
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    for extension in OXIGRAPH_FORMATS:
        assert f'href="markup-cluster.{extension}"' in html


def _broken(root: Path, page: Path, target: str, ids: dict[Path, set[str]]) -> bool:
    """True when a link of a page leads to no file of the site, or to an anchor that page lacks."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    if not parts.path:
        return parts.fragment not in ids[page]
    resolved = (page.parent / unquote(parts.path)).resolve()
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return True
    return bool(parts.fragment) and resolved.suffix == ".html" and parts.fragment not in ids[resolved]


def test_no_internal_link_is_broken(published: PublishReport) -> None:
    root = published.outdir.resolve()
    pages = {page: _links(page) for page in sorted(root.rglob("*.html"))}
    ids = {page: links.ids for page, links in pages.items()}
    broken = [
        (str(page.relative_to(root)), target)
        for page, links in pages.items()
        for target in links.targets
        if _broken(root, page, target, ids)
    ]
    assert broken == []
    assert len(pages) == published.pages


def test_the_catalogue_conforms_to_dcat_ap(published: PublishReport) -> None:
    catalogue = Graph().parse(published.outdir / "catalog.ttl", format="turtle")
    report = validate_catalogue(catalogue)
    assert report.violations == []
    assert report.results, "the DCAT-AP shapes gave no result at all: were they applied?"


def test_the_catalogue_uses_the_eu_controlled_vocabularies(published: PublishReport) -> None:
    if not DCAT_AP.is_dir():
        pytest.fail(f"DCAT-AP shapes not found at {DCAT_AP}")
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"):
        shapes.parse(DCAT_AP / name, format="turtle")
    catalogue = Graph().parse(published.outdir / "catalog.ttl", format="turtle")
    conforms, _, text = validate(catalogue, shacl_graph=shapes, allow_warnings=True)
    assert conforms, text
    distributions = set(catalogue.subjects(namespace.RDF.type, namespace.DCAT.Distribution))
    downloads = {str(catalogue.value(d, namespace.DCAT.downloadURL)) for d in distributions}
    assert downloads == {
        f"{SITE_URL}{p.relative_to(published.outdir)}" for p in (published.outdir / "dumps").iterdir()
    }
    assert set(catalogue.subjects(namespace.RDF.type, namespace.DCAT.DataService))


def test_every_dump_holds_the_graph(published: PublishReport, site_store: GraphStore) -> None:
    dumps = published.outdir / "dumps"
    assert sorted(p.name for p in dumps.iterdir()) == sorted(
        f"csei.{ext}.gz" for ext in ("ttl", "jsonld", "nt", "nq", "trig", "rdf")
    )
    union = _canonical(site_store.quads())
    for name, syntax in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("rdf", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        parsed = ox.parse(gzip.decompress((dumps / f"csei.{name}.gz").read_bytes()), format=syntax)
        assert _canonical(parsed) == union, name
    named = ox.Dataset(site_store.quads())
    named.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    for name, syntax in (("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        parsed = ox.Dataset(
            ox.parse(gzip.decompress((dumps / f"csei.{name}.gz").read_bytes()), format=syntax)
        )
        parsed.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        assert parsed == named, name


def test_sitemap_lists_every_page_at_the_site_address(published: PublishReport) -> None:
    tree = ElementTree.parse(published.outdir / "sitemap.xml")
    locations = {e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {
        f"{SITE_URL}{p.relative_to(published.outdir)}"
        for p in published.outdir.rglob("*.html")
        if p.name != "404.html"
    }
    assert locations == pages


def test_void_and_the_search_index_describe_the_graph(
    published: PublishReport, site_store: GraphStore
) -> None:
    void = Graph().parse(published.outdir / "void.ttl", format="turtle")
    dataset = URIRef("https://w3id.org/csei/dataset")
    assert int(void.value(dataset, namespace.VOID.triples)) == len(site_store.union_graph())
    assert len(set(void.objects(dataset, namespace.VOID.dataDump))) == 6
    index = json.loads((published.outdir / "search-index.json").read_text(encoding="utf-8"))
    assert {e["p"] for e in index} <= {
        str(p.relative_to(published.outdir)) for p in published.outdir.rglob("*.html")
    }


def test_redirect_rules_send_resources_to_their_documents(published: PublishReport) -> None:
    apache = (published.outdir / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteBase /site/" in apache
    assert "RewriteRule ^id/(.+)$ doc/$1.ttl [R=303,L]" in apache
    assert "RewriteRule ^id/(.+)$ doc/$1.html [R=303,L]" in apache
    w3id = (published.outdir / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert f"RewriteRule ^id/(.+)$ {SITE_URL}doc/$1.html [R=303,L]" in w3id
    assert "return 303" in (published.outdir / "nginx.conf").read_text(encoding="utf-8")


def test_markup_in_the_data_is_text_on_every_page(published: PublishReport) -> None:
    for page in published.outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(" not in html, page


def test_publish_replaces_a_site_only_when_finished(tmp_path: Path) -> None:
    # The made-up facts alone: a small site, published three times.
    small_store = open_graph([FIXTURE], builtin=False)
    outdir = tmp_path / "site"
    settings = Settings(release_date="2025-01-01")
    publish(small_store, outdir, settings)
    before = sorted(p.relative_to(outdir) for p in outdir.rglob("*"))
    (outdir / "index.html").write_text("the previous site", encoding="utf-8")

    def interrupt(step: str) -> None:
        if step.startswith("writing the sitemap"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(small_store, outdir, settings, progress=interrupt)
    assert (outdir / "index.html").read_text(encoding="utf-8") == "the previous site"
    assert sorted(p.relative_to(outdir) for p in outdir.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    publish(small_store, outdir, settings)
    assert (outdir / "index.html").read_text(encoding="utf-8") != "the previous site"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_publish_never_replaces_a_folder_it_did_not_write(tmp_path: Path, site_store: GraphStore) -> None:
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        publish(site_store, precious, Settings())
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "keep me"
    assert not (precious / MARKER).exists()
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="is a file"):
        publish(site_store, a_file, Settings())


def test_publish_removes_what_a_killed_publish_left_beside_the_site(tmp_path: Path) -> None:
    small_store = open_graph([FIXTURE], builtin=False)
    dead = int(Path("/proc/sys/kernel/pid_max").read_text(encoding="utf-8")) + 1
    abandoned = tmp_path / f".site.building-{dead}-x1y2"
    (abandoned / "doc").mkdir(parents=True)
    in_progress = tmp_path / f".site.building-{os.getpid()}-a3b4"
    in_progress.mkdir()
    publish(small_store, tmp_path / "site", Settings(release_date="2025-01-01"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [in_progress.name, "site"]
