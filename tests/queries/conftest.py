"""The graphs the stored queries are tested on, each as the embedded store and as read by rdflib.

`builtin` is the built-in graph; `synthetic` adds a small synthetic graph (csei_graph.synth), whose
memberships, partnerships, ecosystems and labels give every query rows to check. The rdflib
copy is parsed from the files themselves, not taken from the store, so that expectations computed
from it do not depend on the engine under test.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from csei_graph.settings import Settings
from csei_graph.sources import Source, builtin_sources, discover
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import write_synthetic

RDFLIB_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}
SYNTHETIC_CLUSTERS = 8
SYNTHETIC_SEED = 7


@dataclass(frozen=True)
class Scenario:
    """A graph under test: the store the queries run on, and the same files read by rdflib."""

    name: str
    store: GraphStore
    dataset: Dataset
    union: Graph


def _read_with_rdflib(sources: list[Source]) -> Dataset:
    dataset = Dataset()
    for source in sources:
        syntax = RDFLIB_FORMATS[source.path.suffix]
        if syntax == "turtle":
            dataset.graph(source.graph.value).parse(source.path, format=syntax)
            continue
        # Each file on its own first: rdflib's N-Quads parser replaces the default graph it parses into.
        read = Dataset()
        read.parse(source.path, format=syntax)
        for subject, predicate, obj, graph in read.quads():
            target = dataset.default_graph if graph == DATASET_DEFAULT_GRAPH_ID else dataset.graph(graph)
            target.add((subject, predicate, obj))
    return dataset


def release_sources() -> list[Source]:
    """The built-in release alone: never a workspace's data or a data folder, wherever the tests run.

    Default settings, not the ones in force: a csei.toml above the folder the tests run in, or a
    CSEI_WORKSPACE or CSEI_DATA_DIR in the environment, would add graphs to what the queries see.
    """
    return builtin_sources(Settings())


def _scenario(name: str, sources: list[Source]) -> Scenario:
    dataset = _read_with_rdflib(sources)
    union = Graph()
    for subject, predicate, obj, _ in dataset.quads():
        union.add((subject, predicate, obj))
    return Scenario(name, GraphStore.from_sources(sources), dataset, union)


@pytest.fixture(scope="session")
def synthetic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic graph in N-Quads."""
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.nq"
    write_synthetic(path, SYNTHETIC_CLUSTERS, SYNTHETIC_SEED)
    return path


@pytest.fixture(scope="session")
def builtin_scenario() -> Scenario:
    """The built-in graph."""
    return _scenario("builtin", release_sources())


@pytest.fixture(scope="session")
def synthetic_scenario(synthetic_file: Path) -> Scenario:
    """The built-in graph and a small synthetic one."""
    return _scenario("synthetic", release_sources() + discover([synthetic_file]))


@pytest.fixture(params=["builtin", "synthetic"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """Each graph under test in turn."""
    return request.getfixturevalue(f"{request.param}_scenario")
