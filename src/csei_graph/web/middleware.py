"""What every response of the server gets: one access-log line, and headers that keep pages to themselves."""

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from csei_graph.pages import headers

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ACCESS_LOGGER = "csei_graph.access"
SECURITY_HEADERS = tuple((name.lower().encode(), value.encode()) for name, value in headers.SECURITY_HEADERS)


MAX_HEADER_BYTES = 32 * 1024


class RequestLimits:
    """Refuses a request whose address (414) or headers (431) are larger than the server reads."""

    def __init__(self, app: ASGIApp, max_target_bytes: int, max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_target_bytes = max_target_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
            headers = sum(len(name) + len(value) for name, value in scope.get("headers", []))
            if target > self.max_target_bytes:
                await _refuse(
                    send, 414, f"the address is longer than {self.max_target_bytes:,} bytes; POST the query"
                )
                return
            if headers > self.max_header_bytes:
                await _refuse(send, 431, f"the headers are larger than {self.max_header_bytes:,} bytes")
                return
        await self.app(scope, receive, send)


class BodyLimits:
    """Reads the body of a request to one of `limits`' paths whole, refusing it with 413 past its
    limit (bytes, and the setting that sets it), before any layer inside buffers it (the CSRF check
    reads a form's body whole)."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, tuple[int, str]]) -> None:
        self.app = app
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit, setting = found
        message = (
            f"the request body is larger than {limit:,} bytes, the most this path reads (setting {setting})"
        )
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, message)
            return
        chunks, size, more = [], 0, True
        while more:
            event = await receive()
            if event["type"] != "http.request":
                return  # the client went away
            chunks.append(event.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _refuse(send, 413, message)
                return
            more = event.get("more_body", False)
        replayed = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            return replayed.pop() if replayed else await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = message.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the security headers to every response, but for those a route set for itself.

    It wraps the whole application (`app.create_app`), error handling included, so that a 500 carries
    them as every other answer does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in SECURITY_HEADERS if h[0] not in own]
            await send(message)

        await self.app(scope, receive, sending)


class AccessLog:
    """Logs one line per request: client, request line, status, bytes sent and time taken."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent = {"status": 500, "bytes": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.logger.info(_line(scope, sent["status"], sent["bytes"], time.perf_counter() - started))


def _line(scope: Scope, status: int, size: int, seconds: float) -> str:
    client = scope.get("client")
    address = f"{client[0]}:{client[1]}" if client else "-"
    target = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    # Printable ASCII only: a request cannot write control characters or fake lines into the log.
    target = target.encode("ascii", "backslashreplace").decode("ascii")
    target = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in target)
    if len(target) > 300:
        target = target[:300] + "..."
    request_line = f"{scope['method']} {target} HTTP/{scope.get('http_version', '1.1')}"
    return f'{address} "{request_line}" {status} {size}B {seconds * 1000:.1f}ms'
