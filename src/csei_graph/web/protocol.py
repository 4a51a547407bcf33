"""The server's HTTP/1.1 connections: uvicorn's h11 protocol, closing those whose headers never end."""

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutProtocol(H11Protocol):
    """h11 connections that must send a request's headers within `header_timeout` seconds.

    uvicorn waits for the headers of a request as long as the client keeps the connection open (its
    keep-alive timer only runs between requests, and any byte stops it), so a client sending a header a
    byte at a time, or never finishing one, holds a connection forever. The time runs from the
    connection's start, or from the end of the previous answer, to the end of the headers.
    """

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_due: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._expect_headers()  # still in the headers, or the start of the next request's
        elif self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None
        super().connection_lost(exc)

    def _expect_headers(self) -> None:
        if self._headers_due is None:
            self._headers_due = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._headers_due = None
        answering = self.cycle is not None and not self.cycle.response_complete
        if self.conn.their_state is h11.IDLE and not answering and not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class (uvicorn's `http` setting) with this header timeout."""
    return type("HeaderTimeout", (HeaderTimeoutProtocol,), {"header_timeout": float(seconds)})
