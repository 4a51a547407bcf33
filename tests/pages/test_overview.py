"""The analyst's pages as the page layer builds them: stored-query forms and downloads, the home
page's embedded JSON-LD, slugs within the limit, and no page that asks another host for anything."""

import csv
import html.parser
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld

from csei_graph import api
from csei_graph.namespaces import BASE
from csei_graph.pages import paths
from csei_graph.pages.clusters import read_clusters
from csei_graph.pages.explore import explore_view
from csei_graph.pages.home import home_view
from csei_graph.pages.query import query_view, result_files
from csei_graph.pages.reader import Reader
from csei_graph.settings import Settings
from csei_graph.site.build import publish
from csei_graph.stores.embedded import GraphStore


def test_a_concept_parameter_is_a_pick_list_of_labels(store: GraphStore) -> None:
    view = query_view(store, "clusters-in-country")
    assert view is not None
    (country,) = view.fields
    labels = {option.value: option.label for option in country.options}
    assert labels["FRA"] == "France" and labels["POL"] == "Poland"
    assert [o.value for o in country.options if o.selected] == ["POL"]


def test_values_of_one_pick_list_have_a_page_and_downloads_of_their_own(store: GraphStore) -> None:
    view = query_view(store, "clusters-in-country", values={"country": "FRA"})
    assert view is not None and not view.error
    assert view.path == view.permalink == "query/clusters-in-country/country/FRA.html"
    assert ("CSV (spreadsheets)", "query/clusters-in-country/country/FRA.csv") in view.downloads
    rows = list(csv.reader(io.StringIO(result_files(view)["csv"].decode("utf-8-sig"))))
    assert rows[0][:2] == ["cluster", "cluster IRI"] and len(rows) == len(view.rows) + 1 > 1
    assert all(row[1].startswith(f"{BASE}id/cluster/") and row[0] and row[0] != row[1] for row in rows[1:])
    document = json.loads(result_files(view)["json"])
    assert document["rows"][0]["cluster"]["iri"].startswith(BASE)


def test_other_values_keep_them_in_the_permalink(store: GraphStore) -> None:
    view = query_view(store, "clusters-per-country", values={"type": "csei:PTCE"})
    assert view is not None and view.permalink == "query/clusters-per-country.html?type=csei%3APTCE"
    assert {chart.kind for chart in view.charts} == {"choropleth", "bars"}
    assert view.editor == "query-editor.html?stored=clusters-per-country&type=csei%3APTCE"


def test_the_explorer_holds_every_cluster_with_its_facets(store: GraphStore) -> None:
    data = json.loads(explore_view(store).data_json)
    clusters = [c for c in read_clusters(Reader(store)).values() if c.is_cluster]
    assert len(data["clusters"]) == len(clusters) > 50
    assert [facet["name"] for facet in data["facets"]] == ["country", "innovation", "kind"]
    assert data["facets"][0]["values"]["FRA"] == "France"


def test_the_home_pages_json_ld_reads_offline(store: GraphStore) -> None:
    view = home_view(store)
    document = json.loads(view.dataset_jsonld)
    assert isinstance(document["@context"], dict)

    def no_fetching(url: str, options: object) -> None:
        raise AssertionError(f"the JSON-LD asked for {url}")

    expanded = jsonld.expand(document, {"documentLoader": no_fetching})
    assert expanded[0]["@type"] == ["https://schema.org/Dataset"]


def test_the_home_page_shows_no_owl_machinery(store: GraphStore) -> None:
    shown = {c.link.iri for c in home_view(store).domain_classes}
    assert "http://www.w3.org/2002/07/owl#ObjectProperty" not in shown
    assert f"{BASE}ontology#Cluster" in shown


def test_every_slug_of_the_graph_has_its_page(store: GraphStore) -> None:
    long_ones = [q.subject.value for q in store.quads() if isinstance(q.subject, ox.NamedNode)]
    long_ones = sorted({iri for iri in long_ones if iri.startswith(f"{BASE}id/source/") and len(iri) > 150})
    assert long_ones, "the graph has source IRIs of over 128 characters"
    assert all(paths.page_path(iri, BASE) for iri in long_ones)
    assert not [p for p in api.check(store) if "slug" in p.message]


def test_check_reports_a_slug_longer_than_the_site_writes(tmp_path: Path) -> None:
    long_iri = f"{BASE}id/source/" + "a" * (paths.MAX_SEGMENT + 1)
    source = tmp_path / "long.ttl"
    source.write_text(
        f'<{long_iri}> <http://www.w3.org/2004/02/skos/core#prefLabel> "A source"@en .\n', encoding="utf-8"
    )
    problems = api.check(api.open_graph([source]))
    assert [p.focus for p in problems if "slug longer than 200" in p.message] == [long_iri]


class _Fetched(html.parser.HTMLParser):
    """What a browser would load by itself: scripts, styles, images, frames, objects."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "audio", "video") and found.get("src"):
            self.loaded.append(found["src"])  # type: ignore[arg-type]
        if tag == "link" and found.get("rel") in ("stylesheet", "icon", "preload", "modulepreload"):
            self.loaded.append(found.get("href") or "")
        if tag == "object" and found.get("data"):
            self.loaded.append(found["data"])  # type: ignore[arg-type]


@pytest.mark.slow
def test_no_page_of_the_site_loads_anything_from_another_host(
    store: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = tmp_path_factory.mktemp("site") / "site"
    publish(store, site, Settings(release_date="2025-06-30"))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 500
    elsewhere = []
    for page in pages:
        parser = _Fetched()
        parser.feed(page.read_text(encoding="utf-8"))
        elsewhere += [
            f"{page.relative_to(site)}: {url}" for url in parser.loaded if "//" in url or ":" in url
        ]
    for script in (site / "static").rglob("*.js"):
        if "vendor" not in script.parts:
            text = script.read_text(encoding="utf-8")
            elsewhere += [f"{script.name}: {w}" for w in ("http://", "https://") if w in text]
    assert elsewhere == []


def test_the_home_page_shows_the_programmes_with_their_actions_figures(store: GraphStore) -> None:
    programmes = {link.label: figures for link, figures in home_view(store).programmes}
    assert any(f.startswith("Euroclusters: ") and "euro" in f for f in programmes["Single Market Programme"])
