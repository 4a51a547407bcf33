"""Fixtures of the hostile-input tests: a socket guard on every test, and copies of the data to spoil."""

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.sources import resource_dir


class OutboundConnection(AssertionError):
    """A connection to a host other than this machine: nothing may reach the network in these tests."""


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path: a file on this machine
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost: resolving it is the first step out


@pytest.fixture(autouse=True)
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail any attempt to connect beyond loopback: record it, raise, and fail the test at its end.

    The attempt is recorded as well as refused, so code that swallows the error still fails the test.
    """
    attempts: list[object] = []
    connect, connect_ex, create_connection = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.create_connection,
    )

    def refuse(address: object) -> None:
        attempts.append(address)
        raise OutboundConnection(f"an outbound connection was attempted to {address!r}")

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            refuse(address)
        connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            refuse(address)
        return connect_ex(self, address)  # type: ignore[arg-type]

    def guarded_create_connection(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        if not _is_loopback(address):
            refuse(address)
        return create_connection(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    yield attempts
    assert not attempts, f"outbound connections were attempted: {attempts}"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the built-in data folder, for the commands to read and (maybe) write."""
    copy = tmp_path / "data"
    shutil.copytree(resource_dir("data"), copy)
    return copy
