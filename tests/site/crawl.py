"""The every-IRI crawl: each IRI the graph mints under the base, dereferenced in every format the
site advertises, and every link of every page followed, against any running server of the site."""

import html.parser
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

from csei_graph.export import CONTEXT_NAME
from csei_graph.namespaces import BASE
from csei_graph.settings import Settings
from csei_graph.site import catalogue
from csei_graph.stores.base import Store

# What a client may ask an IRI for, and the media type the answer must have.
DOCUMENT_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
RDFXML = "application/rdf+xml"


def minted_iris(store: Store, settings: Settings | None = None) -> set[str]:
    """Every IRI under the base that the graph, its catalogue or its VoID description names, without
    its fragment (a client asks for the document of a hash IRI)."""
    found: set[str] = set()
    quads = [*store.quads(), *catalogue.to_quads(catalogue.dcat_catalogue(store, settings))]  # type: ignore[attr-defined]
    quads += catalogue.to_quads(catalogue.void_description(store, settings))  # type: ignore[arg-type]
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                found.add(term.value.partition("#")[0])
    return found


def formats_of(iri: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The media types an IRI is advertised in: the context is JSON-LD alone, the home page HTML, a
    dump a file of its own ("*/*"), every other IRI a document in each format."""
    if iri == BASE + CONTEXT_NAME:
        return ("application/ld+json",)
    if iri == BASE:
        return ("text/html",)
    if iri.startswith(BASE + "dumps/"):
        return ("*/*",)
    return DOCUMENT_TYPES + extra


@dataclass
class Crawl:
    """What a crawl found wrong, each as `what: why`, and what it visited."""

    failures: list[str] = field(default_factory=list)
    visited: int = 0


def _get(client: httpx.Client, url: str, accept: str) -> tuple[httpx.Response, str]:
    """GET following the redirects of the site itself (at most 5), and the last URL."""
    for _ in range(6):
        response = client.get(url, headers={"Accept": accept})
        if response.status_code not in (301, 302, 303, 307, 308):
            return response, url
        url = urllib.parse.urljoin(url, response.headers["location"])
    return response, url


def dereference(client: httpx.Client, root: str, iris: Iterable[str], extra: tuple[str, ...] = ()) -> Crawl:
    """Each IRI, at root + its path under the base, asked for in each of its formats."""
    crawl = Crawl()
    for iri in sorted(iris):
        for media_type in formats_of(iri, extra):
            crawl.visited += 1
            response, url = _get(client, root + iri[len(BASE) :], media_type)
            got = response.headers.get("content-type", "").split(";")[0].strip()
            if response.status_code != 200 or media_type not in (got, "*/*"):
                crawl.failures.append(f"{iri} as {media_type}: {response.status_code} {got} at {url}")
    return crawl


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag in ("a", "link") and name == "href") or (tag == "script" and name == "src")):
                self.links.append(value)


def follow_links(client: httpx.Client, start: str, limit: int = 20_000) -> Crawl:
    """Every page reachable from start within the same site folder, each link checked (200)."""
    crawl = Crawl()
    scope = start.rsplit("/", 1)[0] + "/"
    seen = {start}
    queue = [start]
    while queue and crawl.visited < limit:
        url = queue.pop()
        response = client.get(url, headers={"Accept": "text/html"}, follow_redirects=True)
        crawl.visited += 1
        if response.status_code != 200:
            crawl.failures.append(f"{url}: {response.status_code}")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(response.text)
        for link in parser.links:
            target = urllib.parse.urljoin(url, link).partition("#")[0]
            if target.startswith(scope) and target not in seen:
                seen.add(target)
                queue.append(target)
    return crawl
