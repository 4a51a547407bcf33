"""`csei serve --endpoint URL` answers /reconcile over a remote store (a real Oxigraph server) as the
embedded store does."""

import json
from collections.abc import Iterator

import pytest

from tests.web.conftest import RunningServer, start_server, stop_server
from tests.web.test_serve_remote import oxigraph, remote_server

from .conftest import COUNTRY, ORGANISATION

pytestmark = pytest.mark.e2e
__all__ = ["oxigraph", "remote_server"]  # the fixtures this module reuses
BATCH = {
    "exact": {"query": "groupe archer", "type": ORGANISATION},
    "country": {"query": "UNIMOS Foundation", "properties": [{"pid": COUNTRY, "v": "Poland"}]},
    "fuzzy": {"query": "Europan Comission"},
    "concept": {"query": "public authority"},
}


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` on the built-in graph in the embedded store."""
    running = start_server([], tmp_path_factory.mktemp("local") / "serve.log")
    try:
        yield running
    finally:
        stop_server(running)


def test_a_remote_store_gives_the_same_candidates(
    remote_server: RunningServer, local_server: RunningServer
) -> None:
    queries = {"queries": json.dumps(BATCH)}
    with remote_server.client() as remote, local_server.client() as local:
        over_remote = remote.post("/reconcile", data=queries)
        over_local = local.post("/reconcile", data=queries)
        extension = {
            "ids": ["https://w3id.org/csei/id/organisation/unimos-foundation"],
            "properties": [{"id": COUNTRY}],
        }
        extended = [
            c.post("/reconcile", data={"extend": json.dumps(extension)}).json() for c in (remote, local)
        ]
    assert over_remote.status_code == 200, over_remote.text
    assert over_remote.json() == over_local.json()
    assert over_remote.json()["exact"]["result"][0]["match"]
    assert extended[0] == extended[1]
