"""`csei serve` on the command line: the mistakes it explains before serving anything."""

import signal
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from csei_graph.cli import EXIT_USAGE, main
from tests.web.conftest import RENDER_WORKERS, SERVER_WORKERS, descendants, start_server


def test_a_port_in_use_is_explained() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == EXIT_USAGE
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output
    assert "Traceback" not in result.output
    assert "loading" not in result.output, "nothing is loaded for a server that cannot start"


def test_an_unreachable_endpoint_is_explained() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = CliRunner().invoke(
        main,
        ["serve", "--port", "0", "--endpoint", f"http://127.0.0.1:{port}/query"],
        env={"CSEI_ENDPOINT_RETRIES": "0"},
    )
    assert result.exit_code == EXIT_USAGE
    assert f"127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_an_endpoint_cannot_go_with_local_sources() -> None:
    result = CliRunner().invoke(
        main, ["serve", "--endpoint", "http://127.0.0.1:1/query", "--store", "somewhere"]
    )
    assert result.exit_code == EXIT_USAGE
    assert "cannot go with SOURCES or --store" in result.output


def test_limits_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["serve", "--timeout", "0"])
    assert result.exit_code == EXIT_USAGE
    assert "--timeout" in result.output


@pytest.mark.e2e
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_no_worker_outlives_the_server(tmp_path: Path, stop: signal.Signals) -> None:
    server = start_server([], tmp_path / "serve.log")
    try:
        helpers = descendants(server.process.pid)
        assert len(helpers) == 3 + SERVER_WORKERS + RENDER_WORKERS + 1, (
            "three zygotes, their workers and the dump worker"
        )
    finally:
        server.process.send_signal(stop)
        server.process.wait(timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in helpers):
        time.sleep(0.05)
    assert not [pid for pid in helpers if Path(f"/proc/{pid}").exists()]
