"""The analyst's pages in headless Chromium on a running `csei serve`: the home map, a stored query
with its form filled and a chart, the network of clusters and facets that combine, each showing data
of the graph, with a screenshot of each, and no request to any other host."""

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph import queries
from csei_graph.api import open_graph
from csei_graph.pages import maps
from csei_graph.pages.clusters import read_clusters, shared_members
from csei_graph.pages.reader import Reader
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import write_synthetic
from tests.web.conftest import RunningServer, start_server, stop_server

pytestmark = pytest.mark.e2e


SYNTHETIC_CLUSTERS = 60


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic clusters beside the built-in ones: each with a country, types of innovation and members
    of every kind, so that the facets have values to combine and the network has ties to draw."""
    path = tmp_path_factory.mktemp("synthetic") / "clusters.nq"
    write_synthetic(path, SYNTHETIC_CLUSTERS, seed=7)
    return path


@pytest.fixture(scope="module")
def served(synthetic: Path) -> GraphStore:
    """The graph the server serves: the built-in graph and the synthetic clusters."""
    return open_graph([synthetic])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> Iterator[RunningServer]:
    running = start_server([str(synthetic)], tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def clusters(served: GraphStore) -> dict:
    return read_clusters(Reader(served))


@pytest.fixture
def page(chromium, live: RunningServer) -> Iterator[tuple]:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened, requests, errors
    finally:
        own = urllib.parse.urlsplit(live.url).netloc
        elsewhere = [
            u
            for u in requests
            if not u.startswith(("data:", "about:")) and urllib.parse.urlsplit(u).netloc != own
        ]
        context.close()
        assert elsewhere == [], f"requests to other hosts: {elsewhere}"
        assert errors == [], f"script errors: {errors}"


def test_the_home_map_shows_every_cluster_located_in_a_country(
    page: tuple, live: RunningServer, clusters: dict, artifacts: Path
) -> None:
    opened, _, _ = page
    opened.goto(f"{live.url}/index.html")
    # Each cluster is placed in the first of its countries that the map of Europe shows.
    located = [
        c
        for c in clusters.values()
        if c.is_cluster and c.countries and maps.country_centre(sorted(c.countries)[0])
    ]
    dots = opened.locator("svg.map.home circle.point")
    assert dots.count() == len(located) > 0
    titles = set(opened.locator("svg.map.home circle.point title").all_text_contents())
    assert {c.label for c in located} <= titles
    shaded = opened.locator("svg.map.home path.shaded").count()
    on_map = {
        code for c in clusters.values() if c.is_cluster for code in c.countries if maps.country_centre(code)
    }
    assert shaded == len(on_map)
    assert opened.locator("nav a", has_text="Query editor").count() == 1
    body = opened.locator("main").inner_text()
    assert "ObjectProperty" not in body and "AllDisjointClasses" not in body
    opened.screenshot(path=str(artifacts / "home-map.png"), full_page=True)


def test_a_stored_query_filled_in_its_form_answers_with_names_and_a_chart(
    page: tuple, live: RunningServer, served: GraphStore, artifacts: Path
) -> None:
    opened, _, _ = page
    opened.goto(f"{live.url}/query/clusters-per-country.html")
    opened.fill("#param-type", "csei:PTCE")
    opened.click("form.query-form button[type=submit]")
    opened.wait_for_load_state()
    assert "type=csei%3APTCE" in opened.url
    expected = queries.run_query("clusters-per-country", {"type": "csei:PTCE"}, store=served)
    counted = {
        row[0].value.rsplit("/", 1)[-1]: int(row[2].value) for row in expected.rows if row[0] is not None
    }
    assert counted, "the graph has PTCEs located in a country"
    for code in counted:
        assert opened.locator(f"figure.choropleth path.shaded[data-country='{code}']").count() == 1
    bars = opened.locator("figure.bars svg g.bar title").all_text_contents()
    assert len(bars) == len(expected.rows)
    assert opened.locator("table.result tbody tr").count() == len(expected.rows)
    assert "France" in opened.locator("table.result").inner_text()
    assert opened.locator("#param-type").input_value() == "csei:PTCE"
    permalink = opened.locator("a.permalink").get_attribute("href")
    assert permalink is not None and "type=csei%3APTCE" in permalink
    opened.screenshot(path=str(artifacts / "stored-query-form-chart.png"), full_page=True)
    # A pick list of concepts by their labels: France chosen, the page of France, France's clusters.
    opened.goto(f"{live.url}/query/clusters-in-country.html")
    opened.select_option("#param-country", label="France")
    opened.click("form.query-form button[type=submit]")
    opened.wait_for_url("**/query/clusters-in-country/country/FRA.html")
    french = queries.run_query("clusters-in-country", {"country": "FRA"}, store=served)
    assert opened.locator("table.result tbody tr").count() == len(french.rows) > 0
    # Sorting by a column puts its names in order.
    opened.click("table.result thead button.sort >> nth=0")
    names = opened.locator("table.result tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.casefold) or names == sorted(names)


def test_the_network_view_draws_the_clusters_that_share_members(
    page: tuple, live: RunningServer, clusters: dict, artifacts: Path
) -> None:
    opened, requests, _ = page
    pairs = shared_members(clusters)
    opened.goto(f"{live.url}/network.html")
    status = opened.locator("#network-status")
    status.wait_for()
    nodes = {iri for pair in pairs for iri in pair}
    assert status.get_attribute("data-nodes") == str(len(nodes)) and status.get_attribute(
        "data-edges"
    ) == str(len(pairs))
    assert any("static/vendor/cytoscape/cytoscape.min.js" in url for url in requests)
    assert opened.locator("#network canvas").count() > 0
    opened.screenshot(path=str(artifacts / "network.png"), full_page=True)
    # Filtered by the kind of actor shared: the pairs that share at least one of that kind.
    kind = "public-authority"
    opened.select_option("#network-kind", kind)
    sharing = [pair for pair, kinds in pairs.items() if kinds.get(kind)]
    assert status.get_attribute("data-edges") == str(len(sharing)) and 0 < len(sharing) < len(pairs)
    # And by country: the ties between two clusters of that country.
    country = "FRA"
    opened.select_option("#network-country", country)
    both = [p for p in sharing if all(country in clusters[iri].countries for iri in p)]
    assert status.get_attribute("data-edges") == str(len(both))
    assert f"country={country}" in opened.url and f"kind={kind}" in opened.url
    opened.fill("#network-min", "1000")
    opened.dispatch_event("#network-min", "change")
    assert status.get_attribute("data-edges") == "0" and "min=1000" in opened.url


def test_facets_combine_and_the_address_keeps_them(
    page: tuple, live: RunningServer, clusters: dict, artifacts: Path
) -> None:
    opened, _, _ = page
    listed = [c for c in clusters.values() if c.is_cluster]

    def commonest(values: list[str]) -> str:
        return max(sorted(set(values)), key=values.count)

    # The country with most clusters, then the actor kind and innovation type most of them have.
    country = commonest([code for c in listed for code in c.countries])
    in_country = [c for c in listed if country in c.countries]
    kind = commonest([k for c in in_country for k in c.kinds])
    with_kind = [c for c in in_country if kind in c.kinds]
    innovation = commonest([i for c in with_kind for i in c.innovations])
    all_three = [c for c in with_kind if innovation in c.innovations]
    assert len(in_country) > len(with_kind) >= len(all_three) > 0
    opened.goto(f"{live.url}/explore.html")
    assert opened.locator("#explore-results li").count() == len(listed)
    opened.check(f"input[name=country][value='{country}']")
    assert opened.locator("#explore-results li").count() == len(in_country)
    opened.check(f"input[name=kind][value='{kind}']")
    assert opened.locator("#explore-results li").count() == len(with_kind)
    # The counts follow the choice: what each innovation type would leave of these clusters.
    count = opened.locator(f"fieldset[data-facet=innovation] .count[data-value='{innovation}']").inner_text()
    assert count == f"({len(all_three)})"
    opened.check(f"input[name=innovation][value='{innovation}']")
    shown = set(opened.locator("#explore-results li a").all_text_contents())
    assert shown == {c.label for c in all_three}
    assert opened.locator("#explore-status").inner_text() == f"{len(all_three)} of {len(listed)} clusters"
    for name, value in (("country", country), ("kind", kind), ("innovation", innovation)):
        assert f"{name}={value}" in opened.url
    opened.screenshot(path=str(artifacts / "combined-facets.png"), full_page=True)
    # The address alone brings the same choice back.
    opened.goto(opened.url)
    assert opened.locator(f"input[name=innovation][value='{innovation}']").is_checked()
    assert opened.locator("#explore-results li").count() == len(all_three)


def test_a_stored_query_opens_in_the_editor_whose_results_are_names_with_links(
    page: tuple, live: RunningServer, clusters: dict, artifacts: Path
) -> None:
    opened, _, _ = page
    opened.goto(f"{live.url}/query/clusters-in-country/country/FRA.html")
    opened.click("a.editor")
    opened.wait_for_selector("#results table tbody tr")
    assert opened.locator("#stored").input_value() == "clusters-in-country"
    assert opened.locator("#parameters input[data-parameter='country']").input_value() == "FRA"
    opened.wait_for_selector("#results a.named")
    french = {c.label for c in clusters.values() if c.is_cluster and "FRA" in c.countries}
    names = set(opened.locator("#results tbody tr td:first-child a").all_inner_texts())
    assert names and names <= french
    href = opened.locator("#results tbody tr td:first-child a").first.get_attribute("href")
    assert href is not None and href.startswith(live.url + "/id/cluster/")
    opened.screenshot(path=str(artifacts / "editor-names.png"), full_page=True)


def test_the_editor_declares_the_prefixes_a_query_uses(page: tuple, live: RunningServer) -> None:
    opened, _, _ = page
    opened.goto(f"{live.url}/query-editor.html")
    opened.fill("#query", "SELECT ?c ?name WHERE { ?c a csei:PTCE ; skos:prefLabel ?name } LIMIT 3")
    opened.click("details.prefixes summary")
    opened.click("#declare-prefixes")
    text = opened.locator("#query").input_value()
    assert "PREFIX csei: <https://w3id.org/csei/ontology#>" in text
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in text and "PREFIX foaf:" not in text
    opened.click("#run")
    opened.wait_for_selector("#results table tbody tr")
    assert opened.locator("#results tbody tr").count() == 3
