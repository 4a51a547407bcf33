"""Publishing again after a change writes only the pages that changed, and the site is byte for byte
the one a full publish gives."""

import hashlib
from pathlib import Path

import pytest

from csei_graph.api import open_graph
from csei_graph.settings import Settings
from csei_graph.site import build
from csei_graph.site.build import publish
from csei_graph.stores.embedded import GraphStore

from .conftest import FIXTURE, MARKUP_CLUSTER

ID = "https://w3id.org/csei/id/"
COUNTRIES = ("BEL", "FRA", "DEU", "ITA", "ESP")
NEW_ORGANISATIONS = 120
RENAMED_MEMBER = f"{ID}organisation/fixture-member"


def contribution(folder: Path) -> Path:
    """About a thousand new statements, as an accepted contribution brings: new organisations with
    their memberships of an existing cluster, a new name for an existing member, a new fact about the
    existing cluster."""
    lines = [
        "@prefix csei: <https://w3id.org/csei/ontology#> .",
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix schema: <http://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f'<{RENAMED_MEMBER}> skos:prefLabel "A renamed member"@en .',
        f'<{MARKUP_CLUSTER}> schema:foundingDate "2019-05-01"^^xsd:date .',
    ]
    for number in range(NEW_ORGANISATIONS):
        organisation = f"<{ID}organisation/contributed-{number}>"
        country = COUNTRIES[number % len(COUNTRIES)]
        lines += [
            f'{organisation} a org:Organization ; skos:prefLabel "Contributed organisation {number}"@en ;',
            f"    csei:country <http://publications.europa.eu/resource/authority/country/{country}> ;",
            "    csei:actorKind <https://w3id.org/csei/id/concept/actor-kind/social-economy-entity> .",
            f"<{ID}membership/contributed-{number}> a org:Membership ;",
            f'    skos:prefLabel "Contributed membership {number}"@en ;',
            f"    org:member {organisation} ; org:organization <{MARKUP_CLUSTER}> ;",
            "    org:role <https://w3id.org/csei/id/concept/membership-role/member> .",
        ]
    path = folder / "contributed.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def site_bytes(folder: Path) -> dict[str, str]:
    """Every file of a site (hidden ones too) and the hash of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> tuple[GraphStore, GraphStore]:
    changed = contribution(tmp_path_factory.mktemp("contribution"))
    return open_graph([FIXTURE]), open_graph([FIXTURE, changed])


@pytest.mark.parametrize("direction", ["added", "removed"])
def test_an_incremental_publish_writes_what_a_full_one_does(
    graphs: tuple[GraphStore, GraphStore], tmp_path: Path, direction: str
) -> None:
    before, after = graphs if direction == "added" else reversed(graphs)
    settings = Settings(site_url="https://csei.example.org/", release_date="2025-06-30")
    assert abs(len(after) - len(before)) > 900
    site = tmp_path / "site"
    first = publish(before, site, settings)
    again = publish(after, site, settings)
    fresh = publish(after, tmp_path / "fresh", settings, full=True)
    assert again.incremental and not fresh.incremental and not first.incremental
    assert site_bytes(site) == site_bytes(tmp_path / "fresh")
    # Added: the new organisations and memberships, and the pages that show them or a changed name.
    # Removed: only the pages that showed what is gone; the pages of what is gone are not copied.
    least = 2 * NEW_ORGANISATIONS if direction == "added" else 1
    assert least < again.rewritten < fresh.resources / 2
    assert again.pages == fresh.pages and again.files == fresh.files


def test_a_full_publish_is_asked_for_or_made_when_the_site_says_nothing(
    graphs: tuple[GraphStore, GraphStore], tmp_path: Path
) -> None:
    before, after = graphs
    settings = Settings(release_date="2025-06-30")
    site = tmp_path / "site"
    publish(before, site, settings)
    (site / ".csei-manifest.json.gz").write_bytes(b"not a manifest")
    assert not publish(after, site, settings).incremental
    assert not publish(before, site, settings, full=True).incremental


def test_worker_processes_write_what_one_process_does(
    graphs: tuple[GraphStore, GraphStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixture's graph is small: workers are asked for whatever the number of resources.
    monkeypatch.setattr(build, "PARALLEL_FROM", 0)
    settings = Settings(site_url="https://csei.example.org/", release_date="2025-06-30")
    alone = publish(graphs[0], tmp_path / "alone", settings, processes=1)
    shared = publish(graphs[0], tmp_path / "shared", settings, processes=2)
    assert (alone.pages, alone.files) == (shared.pages, shared.files)
    assert site_bytes(tmp_path / "alone") == site_bytes(tmp_path / "shared")
