"""The socket guard of these tests: a connection beyond loopback is refused and recorded, loopback is not."""

import socket

import pytest

from tests.hostile.conftest import OutboundConnection
from tests.web.conftest import listener


@pytest.mark.parametrize(
    "connect",
    [
        lambda: socket.create_connection(("192.0.2.1", 80), timeout=1),
        lambda: socket.socket().connect(("198.51.100.7", 443)),
        lambda: socket.socket().connect_ex(("203.0.113.9", 8080)),
        lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80, 0, 0)),
        lambda: socket.create_connection(("example.org", 80), timeout=1),
    ],
    ids=["create_connection", "connect", "connect_ex", "ipv6", "host name"],
)
def test_an_outbound_connection_is_refused_and_recorded(connect, socket_guard: list[object]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OutboundConnection):
        connect()
    assert len(socket_guard) == 1
    socket_guard.clear()  # recorded on purpose here: the guard's own check at the end must pass


def test_loopback_connections_go_through(socket_guard: list[object]) -> None:
    with listener() as (port, _), socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        assert connection.getpeername()[1] == port
    assert socket_guard == []
