"""Every IRI resolves: each IRI the graph mints under the base, in each format the site advertises,
and every link of every page, on `csei serve` and on the published site behind real nginx and real
Apache (with the rules a publish writes), with 0 failures."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from csei_graph.namespaces import BASE
from csei_graph.settings import Settings
from csei_graph.site.build import publish
from csei_graph.stores.embedded import GraphStore
from tests.site.crawl import RDFXML, dereference, follow_links, minted_iris
from tests.web.conftest import RunningServer, free_port, start_server, stop_server

pytestmark = pytest.mark.e2e
SITE_PATH = urlparse(BASE).path  # /csei/: the site served at the path of its base IRI


@pytest.fixture(scope="module")
def iris(store: GraphStore) -> set[str]:
    found = minted_iris(store)
    assert len(found) > 500
    return found


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server([], tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory, store: GraphStore) -> Path:
    """The built-in graph published at its base IRI, in a folder named as the base's path."""
    root = tmp_path_factory.mktemp("www")
    publish(store, root / SITE_PATH.strip("/"), Settings(release_date="2025-06-30"))
    return root


def _nginx_conf(root: Path, folder: Path, port: int) -> str:
    """nginx.conf around the fragment the publish wrote: its map in the http block, the rest in a server."""
    fragment = (root / SITE_PATH.strip("/") / "nginx.conf").read_text(encoding="utf-8")
    map_end = fragment.index("}\n", fragment.index("map $http_accept")) + 2
    temporary = "".join(
        f"{name}_temp_path {folder / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"user root;\ndaemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        "events {}\nhttp {\naccess_log off;\n" + temporary + fragment[:map_end] + "server {\n"
        f"listen 127.0.0.1:{port};\nroot {root};\n" + fragment[map_end:] + "}\n}\n"
    )


@pytest.fixture(scope="module")
def nginx(site_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (Debian package nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (folder / "nginx.conf").write_text(_nginx_conf(site_root, folder, port), encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf")], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}{SITE_PATH}"
    try:
        _wait(process, url + "index.html")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


APACHE_MODULES = ("mpm_event", "authz_core", "mime", "rewrite", "headers", "dir")


def _apache_conf(root: Path, folder: Path, port: int) -> str:
    """A whole httpd.conf: the modules the generated .htaccess needs, the site's folder allowing it."""
    modules = "".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n" for m in APACHE_MODULES)
    return (
        f"ServerRoot {folder}\nListen 127.0.0.1:{port}\nServerName 127.0.0.1\n"
        f"PidFile {folder / 'httpd.pid'}\n"
        f"ErrorLog {folder / 'error.log'}\n{modules}TypesConfig /dev/null\nDocumentRoot {root}\n"
        f"<Directory {root}>\n    AllowOverride All\n    Require all granted\n</Directory>\n"
    )


@pytest.fixture(scope="module")
def apache(site_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("apache2") or "/usr/sbin/apache2"
    if not Path(binary).exists():
        pytest.skip("Apache is not installed (Debian package apache2)")
    folder = tmp_path_factory.mktemp("apache")
    port = free_port()
    (folder / "httpd.conf").write_text(_apache_conf(site_root, folder, port), encoding="utf-8")
    # One process in the foreground (-X), as the user running the tests: no user to switch to.
    process = subprocess.Popen([binary, "-f", str(folder / "httpd.conf"), "-X"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}{SITE_PATH}"
    try:
        _wait(process, url + "index.html")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"the server did not answer at {url}")


def test_every_minted_iri_dereferences_on_serve_in_every_format(serve: RunningServer, iris: set[str]) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = dereference(client, serve.url + "/", iris, (RDFXML,))
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


def test_no_page_of_serve_links_to_nothing(serve: RunningServer) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = follow_links(client, serve.url + "/index.html")
    assert crawl.visited > 500
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


def test_every_minted_iri_dereferences_behind_nginx_in_every_format(nginx: str, iris: set[str]) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = dereference(client, nginx, iris)
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


def test_no_page_of_the_static_site_behind_nginx_links_to_nothing(nginx: str) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = follow_links(client, nginx + "index.html")
    assert crawl.visited > 500
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


def test_every_minted_iri_dereferences_behind_apache_in_every_format(apache: str, iris: set[str]) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = dereference(client, apache, iris)
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


def test_no_page_of_the_static_site_behind_apache_links_to_nothing(apache: str) -> None:
    with httpx.Client(timeout=60) as client:
        crawl = follow_links(client, apache + "index.html")
    assert crawl.visited > 500
    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.visited}:\n" + "\n".join(
        crawl.failures[:50]
    )


ACCEPT_HEADERS = (
    "text/turtle;q=0, text/html",
    "text/turtle;q=0.5, text/html",
    "text/html;q=0.5, text/turtle",
    "application/ld+json",
    "application/n-triples, text/turtle;q=0",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
)


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_the_rules_weigh_q_values_as_serve_does(
    accept: str, serve: RunningServer, nginx: str, apache: str, iris: set[str]
) -> None:
    cluster = min(iri for iri in iris if iri.startswith(BASE + "id/cluster/"))
    chosen = []
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for root in (serve.url + "/", nginx, apache):
            response = client.get(root + cluster[len(BASE) :], headers={"Accept": accept})
            chosen.append((response.status_code, response.headers["content-type"].split(";")[0]))
    assert chosen[0][0] == 200 and chosen[1] == chosen[0] and chosen[2] == chosen[0]
