"""The corpus against a remote store read back: what a real Oxigraph server holds beyond the admission
policy (put there by hand, after `csei push`) is refused by `csei pull`, naming the limit."""

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.stores.protocol_client import Endpoint
from tests.engines import oxigraph_server

pytestmark = pytest.mark.e2e
SAID = "https://w3id.org/csei/id/cluster/said"
NOTE = "http://www.w3.org/2004/02/skos/core#note"
PUSHED_GRAPH = "https://w3id.org/csei/graph/notes-euroclusters"


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """An Oxigraph server holding the built-in graph, pushed by `csei push`."""
    with oxigraph_server(tmp_path_factory.mktemp("remote") / "store") as endpoint:
        result = CliRunner().invoke(main, ["push", "--endpoint", endpoint.query_url])
        assert result.exit_code == 0, result.output
        yield endpoint


def _update(endpoint: Endpoint, update: str) -> None:
    url = endpoint.query_url.replace("/query", "/update")
    body = urllib.parse.urlencode({"update": update}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as answer:
        assert answer.status in (200, 204)


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        (
            f'<{SAID}> <{NOTE}> <<( <urn:x:a> <urn:x:b> "c" )>>',
            ['a triple term <<( <urn:x:a> <urn:x:b> "c" )>> on <' + SAID + ">", "does not hold RDF 1.2"],
        ),
        (
            f'<{SAID}> <{NOTE}> "{"x" * 10001}"',
            [
                f"a literal of 10,001 characters on <{SAID}> exceeds the limit of 10,000 (max_literal_chars)",
                "raise",
            ],
        ),
    ],
    ids=["triple-term", "literal-over-limit"],
)
def test_a_pull_of_what_the_graph_may_not_hold_is_refused(
    pushed: Endpoint, tmp_path: Path, statement: str, says: list[str]
) -> None:
    _update(pushed, f"INSERT DATA {{ GRAPH <{PUSHED_GRAPH}> {{ {statement} }} }}")
    try:
        out = tmp_path / "pulled.trig"
        result = CliRunner().invoke(
            main,
            ["pull", "--endpoint", pushed.query_url, "--output", str(out)],
            env={"CSEI_MAX_LITERAL_CHARS": "10000"},
        )
    finally:
        _update(pushed, f"DELETE DATA {{ GRAPH <{PUSHED_GRAPH}> {{ {statement} }} }}")
    output = result.stdout + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), output
    assert result.exit_code != 0, output
    for expected in says:
        assert expected in output, output
    assert "Traceback" not in output
    assert not out.exists()
