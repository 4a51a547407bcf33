"""Fixtures shared by the whole suite: the built-in graph, loaded once through the loading module."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from csei_graph.api import open_graph
from csei_graph.sources import resource_dir
from csei_graph.stores.embedded import GraphStore
from csei_graph.workspace import Workspace, init

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Results the suite's commands keep between runs go to a folder of this run alone (the commands
    it starts inherit it), never to the user's cache."""
    os.environ["CSEI_CACHE_DIR"] = tempfile.mkdtemp(prefix="csei-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop("CSEI_CACHE_DIR", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def store() -> GraphStore:
    """The built-in graph in the embedded store."""
    return open_graph()


@pytest.fixture(scope="session")
def dataset(store: GraphStore) -> Dataset:
    """The built-in graph as an rdflib Dataset, one named graph per source."""
    return store.dataset()


@pytest.fixture(scope="session")
def union_graph(store: GraphStore) -> Graph:
    """Every triple of the built-in graph in one rdflib Graph."""
    return store.union_graph()


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The ontology files (the CSEI ontology and the declarations of reused terms)."""
    graph = Graph()
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The source documents the graph was made from (outside the repository)."""
    path = Path(os.environ.get("CSEI_SEEDS_DIR", REPO_ROOT / "tests" / "data" / "seeds"))
    if not path.is_dir():
        pytest.fail(f"source documents not found at {path}; set CSEI_SEEDS_DIR")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A new, empty workspace (as `csei init` makes it) for contributions, reviews and releases."""
    return init(tmp_path / "workspace")


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per session, as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stderr}")
    (path,) = out.glob("csei_graph-*.whl")
    return path
