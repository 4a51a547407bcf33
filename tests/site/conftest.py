"""Fixtures of the site tests: the built-in graph plus made-up facts, and one site published from it."""

from pathlib import Path

import pytest

from csei_graph.api import open_graph
from csei_graph.settings import Settings
from csei_graph.site.build import PublishReport, publish
from csei_graph.stores.embedded import GraphStore

FIXTURE = Path(__file__).resolve().parent / "fixture.trig"
MARKUP_CLUSTER = "https://w3id.org/csei/id/cluster/markup-cluster"
SITE_URL = "https://csei.example.org/site/"


@pytest.fixture(scope="session")
def site_settings() -> Settings:
    """Settings of the published test site: its own address, a fixed release date."""
    return Settings(site_url=SITE_URL, release_date="2025-06-30")


@pytest.fixture(scope="session")
def site_store() -> GraphStore:
    """The built-in graph with the made-up facts of fixture.trig."""
    return open_graph([FIXTURE])


@pytest.fixture(scope="session")
def published(
    tmp_path_factory: pytest.TempPathFactory, site_store: GraphStore, site_settings: Settings
) -> PublishReport:
    """One site published from site_store for the whole session."""
    return publish(site_store, tmp_path_factory.mktemp("published") / "site", site_settings)
