"""End to end in headless Chromium at phone width: a cluster manager contributes a cluster with three
members (one picked from the graph), a maintainer signs in and accepts it, and its page shows them.

Each step's screenshot goes to CSEI_ARTIFACTS_DIR (kept by CI), else a temporary folder.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.csvimport import slugify
from tests.chromium import CHROMIUM, FLAGS
from tests.web.conftest import MAINTAINER, PASSWORD, Served, serve_workspace, stop_server

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests drive Chromium with playwright"
)

PHONE = {"width": 390, "height": 844}
CLUSTER = "Riverside Cooperation Cluster"
SOCIAL = "https://w3id.org/csei/id/concept/actor-kind/social-economy-entity"
PUBLIC = "https://w3id.org/csei/id/concept/actor-kind/public-authority"
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
ORGANISATION_WITH_NAME = """
SELECT ?o ?name WHERE {
    ?o a <http://www.w3.org/ns/org#Organization> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?name .
    FILTER(STRSTARTS(STR(?o), "https://w3id.org/csei/id/organisation/") && STRLEN(STR(?name)) > 8)
    FILTER(REGEX(STR(?name), "^[A-Za-z]{5}"))
} ORDER BY ?name LIMIT 1"""


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("CSEI_ARTIFACTS_DIR") or tmp_path_factory.mktemp("artifacts")) / "contribute"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = serve_workspace(tmp_path_factory.mktemp("browser-contribute"))
    try:
        yield running
    finally:
        stop_server(running.server)


@pytest.fixture
def page(served: Served) -> Iterator["sync_api.Page"]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium); .ci/run installs it")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            opened = context.new_page()
            opened.requests, opened.errors = [], []  # type: ignore[attr-defined]
            context.on("request", lambda request: opened.requests.append(request.url))  # type: ignore[attr-defined]
            opened.on("pageerror", lambda error: opened.errors.append(str(error)))  # type: ignore[attr-defined]
            # Failed loads are the 404 asked for on purpose (the page before acceptance) and the icon
            # browsers ask for by themselves; other console errors (a refused script, a fault) count.
            opened.on(
                "console",
                lambda message: (
                    message.type == "error"
                    and not message.text.startswith("Failed to load resource")
                    and opened.errors.append(message.text)  # type: ignore[attr-defined]
                ),
            )
            yield opened
        finally:
            browser.close()


def by_id(page: "sync_api.Page", identifier: str) -> "sync_api.Locator":
    """An element by its id, which may hold dots and colons (the form's names are short IRIs)."""
    return page.locator(f'[id="{identifier}"]')


def fits_the_screen(page: "sync_api.Page") -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_contribute_review_accept_and_see_the_members(
    served: Served, page: "sync_api.Page", artifacts: Path, store: GraphStore
) -> None:
    existing = next(iter(store.query(ORGANISATION_WITH_NAME)))
    existing_iri, existing_name = existing["o"].value, existing["name"].value  # type: ignore[index,union-attr]
    url = served.server.url

    # 1. The form, at phone width.
    page.goto(f"{url}/contribute", wait_until="networkidle")
    assert fits_the_screen(page), "the form is wider than a phone's screen"
    assert page.get_by_label("Your name (required)", exact=True).count() == 1, "every field has its label"
    page.screenshot(path=str(artifacts / "01-form.png"), full_page=False)

    # 2. A wrong web address: the server's message appears beside the field, announced.
    page.get_by_label("Your name (required)", exact=True).fill("Jane Manager")
    by_id(page, "cluster.skos:prefLabel").fill(CLUSTER)
    by_id(page, "cluster.csei:country").select_option(FRANCE)
    homepage, error = by_id(page, "cluster.foaf:homepage"), by_id(page, "cluster.foaf:homepage-error")
    homepage.fill("riverside dot org")
    # Waited for with the page's locators: the page's policy lets no string be run as a script.
    sync_api.expect(error).to_contain_text("foaf:homepage must be an http or https web address")
    assert error.get_attribute("aria-live") == "polite"
    assert homepage.get_attribute("aria-invalid") == "true"
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "02-field-error.png"))

    # 3. Corrected: the message goes away.
    homepage.fill("https://riverside.example.org/")
    sync_api.expect(error).to_have_text("")
    assert homepage.get_attribute("aria-invalid") is None
    page.screenshot(path=str(artifacts / "03-error-gone.png"))

    # 4. Three members: two new organisations, one picked from the graph with the keyboard.
    by_id(page, "member.0.skos:prefLabel").fill("Riverside Food Cooperative")
    by_id(page, "member.0.csei:actorKind").select_option(SOCIAL)
    page.click("#add-member")
    by_id(page, "member.1.skos:prefLabel").fill("Town of Riverside")
    by_id(page, "member.1.csei:actorKind").select_option(PUBLIC)
    page.click("#add-member")
    find = by_id(page, "member.2.find")
    assert find.evaluate("element => element === document.activeElement"), "the new row takes the focus"
    find.type(existing_name[:6], delay=30)
    option = page.locator(f'[id="member.2.suggestions"] li[data-iri="{existing_iri}"]')
    option.wait_for()
    position = page.locator('[id="member.2.suggestions"] li').evaluate_all(
        f"items => items.findIndex(item => item.dataset.iri === {existing_iri!r})"
    )
    for _ in range(position + 1):
        find.press("ArrowDown")
    find.press("Enter")
    picked = page.locator('li.member[data-index="2"] .picked')
    assert existing_iri in picked.inner_text()
    assert by_id(page, "member.2.skos:prefLabel").is_disabled(), "a picked member is not described again"
    picked.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "04-three-members.png"))
    assert fits_the_screen(page)

    # 5. Sent for review.
    page.click("#send")
    page.wait_for_selector("#outcome")
    outcome = page.locator("#outcome").inner_text()
    assert "Sent for review" in outcome, outcome
    identifier = re.search(r"id is (\w+)", outcome).group(1)  # type: ignore[union-attr]
    page.screenshot(path=str(artifacts / "05-sent.png"))
    page.goto(f"{url}/doc/cluster/{slugify(CLUSTER)}.html")
    assert "Riverside Food Cooperative" not in page.content(), "not on the pages before it is accepted"

    # 6. A maintainer signs in, sees the queue and the contribution.
    page.goto(f"{url}/review", wait_until="networkidle")
    assert page.url.startswith(f"{url}/login")
    page.get_by_label("Name", exact=True).fill(MAINTAINER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/review")
    page.screenshot(path=str(artifacts / "06-queue.png"))
    page.get_by_role("link", name=identifier).click()
    page.wait_for_selector("#accept")
    assert "Riverside Food Cooperative" in page.content()
    page.screenshot(path=str(artifacts / "07-review.png"), full_page=True)

    # 7. Accepted.
    page.click("#accept")
    page.wait_for_selector("#review-message")
    assert "Accepted" in page.locator("#review-message").inner_text()
    page.screenshot(path=str(artifacts / "08-accepted.png"))

    # 8. The cluster's page shows the three members, with the contribution as their source.
    page.goto(f"{url}/id/cluster/{slugify(CLUSTER)}", wait_until="networkidle")
    content = page.content()
    for name in ("Riverside Food Cooperative", "Town of Riverside", existing_name):
        assert name in content, name
    provenance = page.locator(".provenance").inner_text()
    assert f"Facts of contribution {identifier}" in provenance
    assert "contributed" in provenance
    assert fits_the_screen(page)
    page.screenshot(path=str(artifacts / "09-cluster-page.png"), full_page=True)

    own = url.split("://", 1)[1]
    elsewhere = [r for r in page.requests if not r.startswith(("data:", "about:")) and own not in r]  # type: ignore[attr-defined]
    assert not elsewhere, elsewhere
    assert not page.errors, page.errors  # type: ignore[attr-defined]
