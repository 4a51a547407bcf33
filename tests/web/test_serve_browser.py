"""A real browser (headless Chromium) on a running `csei serve`: pages, the query editor, no other host."""

import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from csei_graph.pages.resource import resource_view
from csei_graph.stores.embedded import GraphStore
from tests.chromium import CHROMIUM, FLAGS
from tests.web.conftest import HOSTILE_IRI, HOSTILE_LABEL, RunningServer, local_path

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests drive Chromium with playwright"
)


@dataclass
class Browsing:
    """A browser page, and everything it requested, logged and asked since it opened."""

    page: "sync_api.Page"
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def left_the_server(self, server: RunningServer) -> list[str]:
        """The requests made to anything but the server under test."""
        own = urllib.parse.urlsplit(server.url).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "about:")) and urllib.parse.urlsplit(url).netloc != own
        ]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: CSEI_ARTIFACTS_DIR (kept by CI), else a temporary folder."""
    folder = Path(os.environ.get("CSEI_ARTIFACTS_DIR") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium); .ci/run installs it")
    # playwright starts Chromium with a new, empty profile folder of its own each time.
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browsing(browser: "sync_api.Browser") -> Iterator[Browsing]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    watched = Browsing(page)
    context.on("request", lambda request: watched.requests.append(request.url))
    context.on("response", lambda response: _failed(response) and watched.errors.append(_failed(response)))
    # Failed loads are reported above with their address; other console errors (a refused script or
    # style, a script fault) are kept as they are.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and watched.errors.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: watched.errors.append(str(error)))

    def dismiss(dialog: "sync_api.Dialog") -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    try:
        yield watched
    finally:
        context.close()


def _failed(response: "sync_api.Response") -> str:
    """A load that failed, unless it is the icon browsers ask for by themselves (the site has none)."""
    if response.status < 400 or response.url.endswith("/favicon.ico"):
        return ""
    return f"{response.status} {response.url}"


def label_of(store: GraphStore, iri: str) -> str:
    """The name the site gives a resource."""
    view = resource_view(store, iri)
    assert view is not None
    return view.label


def test_home_cluster_page_and_query_editor(
    server: RunningServer, browsing: Browsing, artifacts: Path, store: GraphStore, cluster_iri: str
) -> None:
    page = browsing.page
    page.goto(f"{server.url}/", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("a[href*='list/class/']").count() > 0, "the home page lists the classes"
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)

    page.goto(f"{server.url}{local_path(cluster_iri)}", wait_until="networkidle")
    assert page.url.endswith(local_path(cluster_iri).replace("/id/", "/doc/", 1) + ".html"), "303 to the page"
    assert page.locator("h1").first.inner_text().strip() == label_of(store, cluster_iri)
    assert page.locator("link[rel=alternate][type='text/turtle']").count() == 1
    page.screenshot(path=str(artifacts / "cluster.png"), full_page=True)

    page.goto(f"{server.url}/sparql", wait_until="networkidle")
    assert page.locator("#stored option").count() > 1, "the stored queries are offered"
    page.fill(
        "#query",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT ?name WHERE {{ <{cluster_iri}> skos:prefLabel ?name }}",
    )
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results thead th").all_inner_texts() == ["name"]
    cells = page.locator("#results tbody td").all_inner_texts()
    assert any(cell.startswith(label_of(store, cluster_iri)) for cell in cells)
    assert "row" in page.locator("#status").inner_text()
    page.screenshot(path=str(artifacts / "query-editor.png"), full_page=True)

    assert not browsing.left_the_server(server), browsing.left_the_server(server)
    assert not browsing.errors, browsing.errors


def test_a_stored_query_runs_from_the_editor(
    server: RunningServer, browsing: Browsing, artifacts: Path
) -> None:
    page = browsing.page
    page.goto(f"{server.url}/query-editor", wait_until="networkidle")
    page.select_option("#stored", "clusters-per-country")
    assert page.locator("#parameters input[data-parameter='type']").count() == 1
    page.fill("#parameters input[data-parameter='type']", "csei:CSEI")
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    assert "country" in page.locator("#results thead th").all_inner_texts()
    queried = [url for url in browsing.requests if "/queries/clusters-per-country" in url]
    assert queried and "type=csei%3ACSEI" in queried[-1], "run by name, with its parameter"
    page.screenshot(path=str(artifacts / "stored-query.png"), full_page=True)
    assert not browsing.left_the_server(server)
    assert not browsing.errors, browsing.errors


def test_an_error_is_shown_in_words(server: RunningServer, browsing: Browsing) -> None:
    page = browsing.page
    page.goto(f"{server.url}/query-editor", wait_until="networkidle")
    page.fill("#query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "403" in page.locator("#status").inner_text()
    assert "SERVICE is refused" in page.locator("#status").inner_text()
    assert not browsing.left_the_server(server)


def test_markup_in_names_runs_nowhere(
    hostile_server: RunningServer, browsing: Browsing, artifacts: Path
) -> None:
    page = browsing.page
    page.goto(f"{hostile_server.url}{local_path(HOSTILE_IRI)}", wait_until="networkidle")
    assert page.locator("h1").first.inner_text().strip() == HOSTILE_LABEL
    page.goto(f"{hostile_server.url}/sparql", wait_until="networkidle")
    page.fill(
        "#query",
        f"SELECT ?name WHERE {{ <{HOSTILE_IRI}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }}",
    )
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results tbody td").first.inner_text().startswith(HOSTILE_LABEL)
    page.screenshot(path=str(artifacts / "hostile-label.png"), full_page=True)
    assert not browsing.dialogs, f"a script from the data ran: {browsing.dialogs}"
    assert page.locator("#results script, #results img").count() == 0
    assert not browsing.left_the_server(hostile_server), browsing.left_the_server(hostile_server)


def test_trees_are_indented_with_no_inline_style(server: RunningServer, browsing: Browsing) -> None:
    # The policy allows no inline style: the levels of a tree come from site.css.
    page = browsing.page
    answer = page.goto(f"{server.url}/ontology.html", wait_until="networkidle")
    assert answer is not None and "unsafe-inline" not in answer.headers["content-security-policy"]
    assert page.locator("[style]").count() == 0
    nested = page.locator("li.indent-1").first
    assert nested.count() == 1, "the ontology has a subclass or a subproperty"
    assert nested.evaluate("item => getComputedStyle(item).marginLeft") != "0px"
    assert not browsing.errors, browsing.errors
