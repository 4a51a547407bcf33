"""The linked-data side of a running `csei serve`: IRIs, documents, negotiation, caching, errors."""

import gzip
import json
import re
import socket
import time
from collections.abc import Iterable

import pytest
from markupsafe import escape
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.term import Node

from csei_graph import releases
from csei_graph.pages import paths
from csei_graph.pages.render import render
from csei_graph.pages.router import view_for_path
from csei_graph.settings import Settings
from csei_graph.stores.embedded import GraphStore
from tests.web.conftest import BASE, RunningServer, local_path

pytestmark = pytest.mark.e2e

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml"}
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}


def parse_document(body: bytes, extension: str) -> Graph:
    """A document as a graph: rdflib for the RDF syntaxes, pyld (nothing fetched) for JSON-LD."""
    graph = Graph()
    if extension == "jsonld":
        document = json.loads(body)
        options = {"format": "application/n-quads", "documentLoader": jsonld.dummy_document_loader()}
        graph.parse(data=jsonld.to_rdf(document, options), format="nquads")
    else:
        graph.parse(data=body, format=RDF_FORMATS[extension])
    return graph


def normalised(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[Node, Node, Node]]:
    """Triples with `xsd:string` literals written plain: RDF 1.1 makes no difference between them."""
    return {
        (s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o)
        for s, p, o in triples
    }


@pytest.mark.parametrize(
    ("accept", "format_value", "extension"),
    [
        (BROWSER, None, "html"),
        ("*/*", None, "html"),
        (None, None, "html"),
        ("text/turtle", None, "ttl"),
        ("application/ld+json", None, "jsonld"),
        ("application/n-triples", None, "nt"),
        ("application/rdf+xml", None, "rdf"),
        ("text/turtle;q=0.5, application/ld+json", None, "jsonld"),
        (BROWSER, "turtle", "ttl"),
        ("text/turtle", "jsonld", "jsonld"),
    ],
)
def test_a_resource_iri_answers_303_to_its_document(
    server: RunningServer, cluster_iri: str, accept: str | None, format_value: str | None, extension: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"format": format_value} if format_value else {}
    with server.client() as client:
        answer = client.get(local_path(cluster_iri), headers=headers, params=params)
    assert answer.status_code == 303
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    assert answer.headers["location"] == f"{stem}.{extension}"
    assert "Accept" in answer.headers["vary"]


def test_every_representation_of_a_cluster_holds_the_same_triples(
    server: RunningServer, cluster_iri: str, union_graph: Graph
) -> None:
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    graphs = {}
    with server.client() as client:
        for extension in ("ttl", "jsonld", "nt", "rdf"):
            answer = client.get(f"{stem}.{extension}")
            assert answer.status_code == 200, extension
            assert answer.headers["content-type"].split(";")[0] == MEDIA_TYPES[extension]
            graphs[extension] = parse_document(answer.content, extension)
    first = graphs["ttl"]
    for extension, graph in graphs.items():
        assert isomorphic(graph, first), f"{extension} holds other triples than Turtle"
    cluster = URIRef(cluster_iri)
    held = normalised(first)
    said = normalised(union_graph.triples((cluster, None, None)))
    assert said and said <= held, "the document holds everything the graph says of the cluster"
    assert normalised(union_graph.triples((None, None, cluster))) <= held, "and what points at it"


def test_the_page_shows_the_facts_of_the_documents(server: RunningServer, cluster_iri: str) -> None:
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    with server.client() as client:
        page = client.get(f"{stem}.html").text
        graph = parse_document(client.get(f"{stem}.ttl").content, "ttl")
    cluster = URIRef(cluster_iri)
    facts = list(graph.triples((cluster, None, None)))
    assert facts
    for _, _, value in facts:
        if isinstance(value, Literal):
            assert str(escape(str(value))) in page, f"literal {value!r} missing from the page"
        elif str(value).startswith(f"{BASE}id/"):
            target = str(value)[len(BASE) :].replace("id/", "doc/", 1) + ".html"
            href = paths.relative_url(target, stem.lstrip("/") + ".html")
            assert f'href="{href}"' in page, f"no link to {value}"
    for extension in ("ttl", "jsonld", "nt"):
        assert re.search(rf'<link rel="alternate"[^>]*href="[^"]*\.{extension}"', page), extension


def test_the_server_shows_the_pages_of_the_static_site(
    server: RunningServer, cluster_iri: str, store: GraphStore
) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1).lstrip("/") + ".html"
    with server.client() as client:
        served = client.get(f"/{path}").text
    view = view_for_path(store, path)
    assert view is not None
    assert served == render(view, releases.identity(Settings()))


def test_a_document_without_extension_is_negotiated(server: RunningServer, cluster_iri: str) -> None:
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    with server.client() as client:
        turtle = client.get(stem, headers={"Accept": "text/turtle"})
        page = client.get(stem, headers={"Accept": BROWSER})
    assert turtle.status_code == page.status_code == 200
    assert turtle.headers["content-location"] == f"{stem}.ttl"
    assert page.headers["content-location"] == f"{stem}.html"
    assert "Accept" in turtle.headers["vary"]
    assert turtle.headers["etag"] != page.headers["etag"]


@pytest.mark.parametrize("extension", ["html", "ttl", "jsonld", "nt", "rdf"])
def test_a_conditional_get_gives_304(server: RunningServer, cluster_iri: str, extension: str) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + f".{extension}"
    with server.client() as client:
        first = client.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get(path, headers={"If-None-Match": etag})
        since = client.get(path, headers={"If-Modified-Since": modified})
        changed = client.get(path, headers={"If-None-Match": '"another-version"'})
    assert first.status_code == 200
    assert again.status_code == since.status_code == 304
    assert again.content == b"" and again.headers["etag"] == etag
    assert changed.status_code == 200 and changed.content == first.content


def test_link_headers_name_the_alternates(server: RunningServer, cluster_iri: str) -> None:
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    with server.client() as client:
        link = client.get(f"{stem}.ttl").headers["link"]
    for extension in ("html", "jsonld", "nt", "rdf"):
        assert f'<{stem}.{extension}>; rel="alternate"; type="{MEDIA_TYPES[extension]}"' in link
    assert f"{stem}.ttl>" not in link


def test_406_names_the_representations_there_are(server: RunningServer, cluster_iri: str) -> None:
    with server.client() as client:
        answer = client.get(local_path(cluster_iri), headers={"Accept": "image/png"})
    assert answer.status_code == 406
    stem = local_path(cluster_iri).replace("/id/", "/doc/", 1)
    for extension, media_type in MEDIA_TYPES.items():
        assert f"{media_type}: {stem}.{extension}" in answer.text
    assert f"<{stem}.ttl>" in answer.headers["link"]


def test_an_unknown_format_is_a_bad_request(server: RunningServer, cluster_iri: str) -> None:
    with server.client() as client:
        answer = client.get(local_path(cluster_iri), params={"format": "pdf"})
    assert answer.status_code == 400
    assert "use one of html, turtle, jsonld, ntriples, rdfxml" in answer.text


@pytest.mark.parametrize("path", ["/id/cluster/no-such-cluster", "/doc/cluster/no-such-cluster.html"])
def test_404_pages_point_to_the_search(server: RunningServer, path: str) -> None:
    with server.client() as client:
        page = client.get(path, headers={"Accept": BROWSER})
        plain = client.get(path, headers={"Accept": "text/turtle"})
    assert page.status_code == plain.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert re.search(r'href="[./]*search\.html"', page.text) and re.search(
        r'href="[./]*index\.html"', page.text
    )
    assert "no-such-cluster" in page.text
    assert plain.headers["content-type"].startswith("text/plain")
    assert "/search.html" in plain.text


def test_links_of_a_404_page_work_from_where_it_is_served(server: RunningServer) -> None:
    with server.client() as client:
        page = client.get("/doc/cluster/no-such-cluster.html", headers={"Accept": BROWSER}).text
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert stylesheet
        resolved = client.get(f"/doc/cluster/{stylesheet.group(1)}")
    assert resolved.status_code == 200
    assert "text/css" in resolved.headers["content-type"]


def test_head_answers_without_a_body(server: RunningServer, cluster_iri: str) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".ttl"
    with server.client() as client:
        head = client.head(path)
        get = client.get(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


def test_cors_lets_any_page_read_the_data(server: RunningServer, cluster_iri: str) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".jsonld"
    with server.client() as client:
        simple = client.get(path, headers={"Origin": "https://example.org"})
        preflight = client.options(
            "/sparql",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Content-Type",
            },
        )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "ETag" in simple.headers["access-control-expose-headers"]
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_pages_keep_to_this_server(server: RunningServer) -> None:
    with server.client() as client:
        answer = client.get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "accept", "expected_type"),
    [
        ("/", BROWSER, "text/html"),
        ("/ontology", "text/turtle", "text/turtle"),
        ("/ontology", BROWSER, "text/html"),
        ("/catalog", "text/turtle", "text/turtle"),
        ("/void.ttl", "*/*", "text/turtle"),
        ("/shapes.html", BROWSER, "text/html"),
        ("/search.html", BROWSER, "text/html"),
        ("/query/index.html", BROWSER, "text/html"),
        ("/context.jsonld", "*/*", "application/ld+json"),
        ("/search-index.json", "*/*", "application/json"),
    ],
)
def test_the_site_pages_and_files_are_served(
    server: RunningServer, path: str, accept: str, expected_type: str
) -> None:
    with server.client() as client:
        answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].split(";")[0] == expected_type


def test_the_catalogue_names_this_server(server: RunningServer) -> None:
    with server.client() as client:
        catalogue = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    endpoints = {str(o) for o in catalogue.objects(None, URIRef("http://www.w3.org/ns/dcat#endpointURL"))}
    assert f"{server.url}/sparql" in endpoints


def test_a_named_graph_is_a_document(server: RunningServer, store: GraphStore) -> None:
    name = next(g for g in store.graph_names() if g.startswith(f"{BASE}graph/"))
    with server.client() as client:
        answer = client.get(local_path(name) + ".nt")
    graph = parse_document(answer.content, "nt")
    expected = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    assert len(graph) == int(next(iter(expected))["n"].value)  # type: ignore[call-overload]


def test_the_dump_holds_the_whole_graph(server: RunningServer, store: GraphStore) -> None:
    with server.client() as client:
        answer = client.get("/dumps/csei.nq.gz")
        unknown = client.get("/dumps/csei.pdf.gz")
    assert answer.status_code == 200
    loaded = Dataset()
    loaded.parse(data=gzip.decompress(answer.content), format="nquads")
    assert sum(1 for _ in loaded.quads((None, None, None, None))) == len(store)
    assert unknown.status_code == 404 and "/dumps/csei.ttl.gz" in unknown.text


def test_one_log_line_per_request(server: RunningServer) -> None:
    marker = f"log-marker-{time.monotonic_ns()}"
    with server.client() as client:
        for number in range(3):
            client.get(f"/{marker}/{number}")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line for line in server.log_lines() if marker in line]
        if len(lines) == 3:
            break
        time.sleep(0.05)
    assert len(lines) == 3
    for number, line in enumerate(lines):
        assert re.fullmatch(
            rf'127\.0\.0\.1:\d+ "GET /{marker}/{number} HTTP/1\.1" 404 \d+B \d+\.\dms', line
        ), line


def test_a_request_cannot_forge_log_lines(server: RunningServer) -> None:
    marker = f"forged-{time.monotonic_ns()}"
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as connection:
        connection.sendall(f"GET /{marker}%0a%1b[31mFAKE HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        connection.recv(4096)
    time.sleep(0.3)
    lines = [line for line in server.log_lines() if marker in line]
    assert len(lines) == 1
    assert "\x1b" not in lines[0] and "%0a" in lines[0]


def test_a_page_goes_gzipped_to_a_client_that_takes_gzip(server: RunningServer, cluster_iri: str) -> None:
    path = local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".html"
    with server.client() as client:
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # httpx unzips what it was sent
    assert "Accept-Encoding" in zipped.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert again.status_code == 304


def test_a_dump_by_its_plain_name_is_sent_gzip_encoded(server: RunningServer) -> None:
    with server.client() as client:
        download = client.get("/dumps/csei.ttl.gz")
        encoded = client.get("/dumps/csei.ttl", headers={"Accept-Encoding": "gzip"})
        plain = client.get("/dumps/csei.ttl", headers={"Accept-Encoding": "identity"})
    assert download.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in download.headers
    assert encoded.headers["content-encoding"] == "gzip" and encoded.headers["content-type"].startswith(
        "text/turtle"
    )
    assert "content-encoding" not in plain.headers
    assert encoded.content == plain.content == gzip.decompress(download.content)
