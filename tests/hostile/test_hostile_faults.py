"""Faults around the commands: a full disk while writing, and remote stores that are slow or answer
garbage (real loopback sockets); each gives a clear message, a non-zero exit, and nothing half written."""

import errno
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from csei_graph.cli import main
from csei_graph.sources import resource_dir
from csei_graph.workspace import Workspace
from tests.hostile.corpus import fingerprint

GOOD = Path(__file__).resolve().parents[1] / "validation" / "good" / "green-valley.ttl"
NO_RETRIES = {"CSEI_ENDPOINT_RETRIES": "0"}


def disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(arguments), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("more", [(), ("--accept",)], ids=["filed", "accepted"])
def test_a_full_disk_during_contribute_writes_nothing(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, more: tuple[str, ...]
) -> None:
    before = fingerprint(workspace.root)
    monkeypatch.setattr(os, "fsync", disk_full)  # the contribution is written, then flushed to the disk
    result = invoke("--workspace", str(workspace.root), "contribute", str(GOOD), "--by", "tester", *more)
    assert result.exit_code == 2
    assert "error: No space left on device" in result.stderr
    assert fingerprint(workspace.root) == before


def test_a_full_disk_during_publish_keeps_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("project-vocabularies.trig",):
        shutil.copy(resource_dir("data") / name, data / name)
    outdir = tmp_path / "site"
    arguments = ["--data-dir", str(data), "publish", str(outdir), "--quiet", "--release-date", "2025-01-01"]
    assert invoke(*arguments).exit_code == 0
    before = fingerprint(outdir)
    opened = os.open

    def fills_up(path: str | Path, flags: int, mode: int = 0o777, **options: int) -> int:
        if str(path).endswith(".nt"):  # the disk fills up halfway through the documents
            disk_full()
        return opened(path, flags, mode, **options)

    monkeypatch.setattr(os, "open", fills_up)
    result = invoke(*arguments, str(GOOD))
    assert result.exit_code == 2
    assert "error: No space left on device" in result.stderr
    assert fingerprint(outdir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"], "no half-built site is left"


def test_a_site_is_replaced_in_one_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(resource_dir("data") / "project-vocabularies.trig", data)
    outdir = tmp_path / "site"
    arguments = ["--data-dir", str(data), "publish", str(outdir), "--quiet", "--release-date", "2025-01-01"]
    assert invoke(*arguments).exit_code == 0

    def two_step_swap(*args: object) -> None:
        raise AssertionError("the site was moved away before the new one was put in its place")

    monkeypatch.setattr(Path, "rename", two_step_swap)
    result = invoke(*arguments, str(GOOD))
    assert result.exit_code == 0, result.output
    assert (outdir / "doc" / "cluster" / "green-valley.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"], "the previous site is removed"


def test_a_full_disk_during_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", disk_full)
    result = invoke("export", "--format", "nquads", "--out", str(tmp_path / "graph.nq"))
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


@contextmanager
def remote(answer: bytes | None) -> Iterator[str]:
    """A loopback HTTP 'store' that reads each request and sends `answer` as it is, or (None) never
    answers; its query URL."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.1)
        stop, held = threading.Event(), []

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except OSError:
                    continue
                connection.settimeout(2)
                try:
                    connection.recv(65536)
                    if answer is None:
                        held.append(connection)
                        continue
                    connection.sendall(answer)
                except OSError:
                    pass
                connection.close()

        thread = threading.Thread(target=serve)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.getsockname()[1]}/query"
        finally:
            stop.set()
            thread.join()
            for connection in held:
                connection.close()


def _http(status: str, content_type: str, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Connection: close\r\n\r\n" + body


GARBAGE = {
    "not http": (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "store"),
    "bad status line": (b"HTTP/1.1 OK-ish\r\n\r\n", "store"),
    "closed at once": (b"", "store"),
    "broken json": (_http("200 OK", "application/sparql-results+json", b'{"head": {"vars": ['), "not valid"),
    "html page": (_http("200 OK", "text/html", b"<html><body>Welcome</body></html>"), "not SPARQL results"),
    "server error": (
        _http("500 Internal Server Error", "text/plain", b"java.lang.NullPointerException"),
        "500",
    ),
}


@pytest.mark.parametrize(("answer", "message"), GARBAGE.values(), ids=GARBAGE.keys())
def test_a_store_answering_garbage_to_a_query(answer: bytes, message: str) -> None:
    with remote(answer) as url:
        result = invoke("query", "graphs", "--endpoint", url, "--timeout", "2", env=NO_RETRIES)
    assert result.exit_code == 2, result.output
    assert url.removesuffix("/query") in result.stderr and message in result.stderr, result.stderr


@pytest.mark.parametrize("answer", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 OK-ish\r\n\r\n", b""])
def test_a_store_answering_garbage_to_a_push(answer: bytes) -> None:
    with remote(answer) as url:
        result = invoke("push", "--endpoint", url, "--timeout", "2", env=NO_RETRIES)
    assert result.exit_code == 2, result.output
    assert "error: " in result.stderr and url.removesuffix("/query") in result.stderr


@pytest.mark.parametrize("command", ["query", "push"])
def test_a_store_that_never_answers_times_out(command: str) -> None:
    arguments = ["query", "graphs"] if command == "query" else ["push"]
    with remote(None) as url:
        result = invoke(*arguments, "--endpoint", url, "--timeout", "1", env=NO_RETRIES)
    assert result.exit_code == 2, result.output
    assert "no answer within 1 s" in result.stderr
