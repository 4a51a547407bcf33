"""The published static site in headless Chromium behind real nginx (the rules a publish writes): the
stored queries' forms go to the pages written for their values, and the network and the facets work
with no server behind them and no request to any other host."""

import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph import queries
from csei_graph.settings import Settings
from csei_graph.site.build import publish
from csei_graph.stores.embedded import GraphStore
from tests.site.test_site_crawl import SITE_PATH, _nginx_conf, _wait
from tests.web.conftest import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory, store: GraphStore) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (Debian package nginx)")
    root = tmp_path_factory.mktemp("www")
    publish(store, root / SITE_PATH.strip("/"), Settings(release_date="2025-06-30"))
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (folder / "nginx.conf").write_text(_nginx_conf(root, folder, port), encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf")], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}{SITE_PATH}"
    try:
        _wait(process, url + "index.html")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_static_sites_forms_charts_network_and_facets(
    chromium, static_site: str, store: GraphStore, artifacts: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(static_site + "query/clusters-in-country.html")
        page.select_option("#param-country", label="France")
        page.click("form.query-form button[type=submit]")
        page.wait_for_url("**/query/clusters-in-country/country/FRA.html")
        french = queries.run_query("clusters-in-country", {"country": "FRA"}, store=store)
        assert page.locator("table.result tbody tr").count() == len(french.rows) > 0
        assert page.locator("#param-country").input_value() == "FRA"
        page.goto(static_site + "query/clusters-per-country.html")
        assert page.locator("figure.choropleth path.shaded").count() > 5
        page.screenshot(path=str(artifacts / "static-stored-query.png"), full_page=True)
        # A value the static site has no page for says so instead of showing the default's result.
        page.goto(static_site + "query/clusters-per-country.html?type=csei%3APTCE")
        assert page.locator("#static-notice").is_visible()
        page.goto(static_site + "network.html")
        page.wait_for_selector("#network canvas")
        assert int(page.locator("#network-status").get_attribute("data-nodes") or 0) > 0
        page.goto(static_site + "explore.html?country=FRA")
        assert page.locator("input[name=country][value=FRA]").is_checked()
        assert "of" in page.locator("#explore-status").inner_text()
    finally:
        own = urllib.parse.urlsplit(static_site).netloc
        elsewhere = [
            u
            for u in requests
            if not u.startswith(("data:", "about:")) and urllib.parse.urlsplit(u).netloc != own
        ]
        context.close()
    assert elsewhere == [] and errors == []
