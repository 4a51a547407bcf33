"""SPARQL 1.1 Protocol and Graph Store Protocol client: queries, graph upload and download, clear errors."""

import ast
import base64
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from SPARQLWrapper import BASIC, DIGEST, GET, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

T = TypeVar("T")
AUTH_SCHEMES = ("basic", "digest")
# Statuses a proxy or a busy store answers when the request was not carried out: trying again is harmless.
TRANSIENT_STATUSES = frozenset({502, 503, 504})
# Longer queries go by POST: some servers and proxies refuse URLs of more than a few kilobytes.
LONGEST_GET_QUERY = 2000
ERROR_BODY_CHARS = 500


class RemoteError(Exception):
    """A remote store that cannot be reached or refused a request: what, where, and how to fix it."""

    def __init__(self, url: str, message: str, *, hint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.message = message
        self.hint = hint
        self.status = status

    def __str__(self) -> str:
        text = f"{self.url}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Endpoint:
    """A remote SPARQL store: its query URL, its Graph Store Protocol URL and how to log in."""

    query_url: str
    store_url: str = ""
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    timeout: float = 30.0
    retries: int = 2

    def __post_init__(self) -> None:
        _check_http_url(self.query_url, "endpoint")
        if self.store_url:
            _check_http_url(self.store_url, "graph store")
        if self.auth not in AUTH_SCHEMES:
            raise ValueError(f"unknown authentication {self.auth!r}: use one of {', '.join(AUTH_SCHEMES)}")
        if self.password is not None and not self.user:
            raise ValueError("a password was given without a user name")

    @property
    def graph_store_url(self) -> str:
        """The Graph Store Protocol URL: the one given, else the usual one for the query URL's server."""
        return self.store_url or default_store_url(self.query_url, authenticated=bool(self.user))


def default_store_url(query_url: str, *, authenticated: bool = False) -> str:
    """The Graph Store Protocol URL that goes with a query URL on the common servers.

    Oxigraph serves `/query` and `/store`; Fuseki `/{dataset}/query` (or `/sparql`) and `/{dataset}/data`;
    Virtuoso `/sparql` and `/sparql-graph-crud` (`-auth` when logging in); GraphDB
    `/repositories/{id}` and `/repositories/{id}/rdf-graphs/service`.
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")
    segments = path.split("/")
    if path in {"", "/query"}:
        store_path = "/store"
    elif path in {"/sparql", "/sparql-auth"}:
        store_path = "/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"
    elif len(segments) == 3 and segments[1] == "repositories":
        store_path = f"{path}/rdf-graphs/service"
    elif segments[-1] in {"query", "sparql"}:
        store_path = "/".join([*segments[:-1], "data"])
    else:
        raise ValueError(f"cannot tell the Graph Store Protocol URL of {query_url}; give it with --store-url")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, store_path, "", ""))


@dataclass(frozen=True)
class Response:
    """What a remote store answered: the media type and the body."""

    content_type: str
    body: bytes


def sparql_query(endpoint: Endpoint, sparql: str, *, graph_result: bool) -> Response:
    """Run a query by the SPARQL 1.1 Protocol: SPARQL JSON results, or Turtle for a graph result.

    A query changes nothing, so it is sent again when the connection fails or a proxy says the
    store is busy; a query that ran out of time is not, as it would run out of time again.
    """
    client = SPARQLWrapper(endpoint.query_url)
    client.setOnlyConneg(True)
    client.setQuery(sparql)
    client.setReturnFormat(TURTLE if graph_result else JSON)
    client.setMethod(GET if len(sparql) <= LONGEST_GET_QUERY else POST)
    client.setTimeout(max(1, round(endpoint.timeout)))
    if endpoint.user:
        client.setHTTPAuth(DIGEST if endpoint.auth == "digest" else BASIC)
        client.setCredentials(endpoint.user, endpoint.password or "")

    def send() -> Response:
        result = client.query()
        with result.response as answer:
            return Response(answer.headers.get_content_type(), answer.read())

    return _with_retries(endpoint, endpoint.query_url, send)


def get_graph(endpoint: Endpoint, graph: str | None) -> Response:
    """Fetch one graph (None: the default graph) by the Graph Store Protocol, as N-Triples or Turtle."""
    request = _graph_request(endpoint, graph, "GET")
    request.add_header("Accept", "application/n-triples, text/turtle;q=0.9")
    return _with_retries(endpoint, request.full_url, lambda: _send(endpoint, request))


def put_graph(endpoint: Endpoint, graph: str | None, turtle: bytes) -> None:
    """Replace one graph (None: the default graph) by the Graph Store Protocol; safe to repeat."""
    request = _graph_request(endpoint, graph, "PUT", turtle)
    _with_retries(endpoint, request.full_url, lambda: _send(endpoint, request))


def _graph_request(
    endpoint: Endpoint, graph: str | None, method: str, body: bytes | None = None
) -> urllib.request.Request:
    query = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    request = urllib.request.Request(f"{endpoint.graph_store_url}?{query}", data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "text/turtle; charset=utf-8")
    if endpoint.user and endpoint.auth == "basic":
        token = base64.b64encode(f"{endpoint.user}:{endpoint.password or ''}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    return request


def _send(endpoint: Endpoint, request: urllib.request.Request) -> Response:
    handlers: list[urllib.request.BaseHandler] = []
    if endpoint.user and endpoint.auth == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoint.graph_store_url, endpoint.user, endpoint.password or "")
        digest = urllib.request.HTTPDigestAuthHandler(passwords)
        handlers.append(digest)
        if request.data is not None:
            _authorize_first(endpoint, request, digest)
    opener = urllib.request.build_opener(*handlers)
    with opener.open(request, timeout=endpoint.timeout) as answer:
        return Response(answer.headers.get_content_type(), answer.read())


def _authorize_first(
    endpoint: Endpoint, request: urllib.request.Request, digest: urllib.request.HTTPDigestAuthHandler
) -> None:
    """Answer the store's digest challenge before sending a body.

    Sent without it, a large graph meets the store's 401 halfway: the store closes the connection
    while the body is still being written, and the request fails (a broken pipe) however often it
    is sent. A request without a body fetches the challenge first.
    """
    probe = urllib.request.Request(request.full_url, method="HEAD")
    try:
        with urllib.request.urlopen(probe, timeout=endpoint.timeout):
            return  # no challenge: nothing to answer
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    scheme, _, parameters = challenge.partition(" ")
    if scheme.lower() != "digest":
        return
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(parameters))
    authorization = digest.get_authorization(request, fields)
    if authorization:
        request.add_unredirected_header("Authorization", f"Digest {authorization}")


def _with_retries(endpoint: Endpoint, url: str, send: Callable[[], T]) -> T:
    """Send, and again after a refused connection or a busy answer: every request here is safe to repeat."""
    attempts = 1 + endpoint.retries
    attempt = 1
    while True:
        try:
            return send()
        except (
            urllib.error.URLError,
            SPARQLWrapperException,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
        ) as error:
            failure = _explain(endpoint, url, error)
            transient = failure.status in TRANSIENT_STATUSES or (failure.status is None and _refused(error))
            if not transient or attempt >= attempts:
                raise failure from None
        time.sleep(0.25 * 2**attempt)
        attempt += 1


def _refused(error: Exception) -> bool:
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionError) and not isinstance(reason, TimeoutError)


def _explain(endpoint: Endpoint, url: str, error: Exception) -> RemoteError:
    """A RemoteError that says what went wrong with a request, whichever library raised it."""
    if isinstance(error, SPARQLWrapperException):
        status = {
            "QueryBadFormed": 400,
            "Unauthorized": 401,
            "EndPointNotFound": 404,
            "URITooLong": 414,
            "EndPointInternalError": 500,
        }.get(type(error).__name__)
        detail = _body_text(_wrapped_body(error))
        return _http_failure(url, status, detail)
    if isinstance(error, urllib.error.HTTPError):
        return _http_failure(url, error.code, _body_text(error.read()))
    return _no_usable_answer(endpoint, url, getattr(error, "reason", error))


def _no_usable_answer(endpoint: Endpoint, url: str, reason: object) -> RemoteError:
    """Why no HTTP answer came: a time-out, a refusal, an unknown host, or bytes that are not HTTP."""
    if isinstance(reason, TimeoutError):
        return RemoteError(
            url,
            f"no answer within {endpoint.timeout:g} s",
            hint="the store may be busy or the query too costly; raise --timeout (CSEI_ENDPOINT_TIMEOUT)",
        )
    if isinstance(reason, ConnectionRefusedError):
        return RemoteError(url, "connection refused", hint="is the store running and listening on that port?")
    if isinstance(reason, socket.gaierror):
        return RemoteError(url, f"unknown host ({reason.strerror})", hint="check the host name in the URL")
    if isinstance(reason, http.client.HTTPException) and not isinstance(reason, ConnectionError):
        return RemoteError(
            url,
            f"the answer is not HTTP ({type(reason).__name__}: {_body_text(str(reason))})",
            hint="check that the URL is a SPARQL endpoint, and its port that of the store",
        )
    return RemoteError(url, f"cannot reach the store: {reason}", hint="check the URL and the network")


_HINTS = {
    400: "the store could not run the request; its message is above",
    401: "log in: --user NAME with the password in CSEI_ENDPOINT_PASSWORD (and --auth digest for Virtuoso)",
    403: "the store refused the request: it may be read-only, or the user may lack the right",
    404: "check the URL: Oxigraph answers on /query, Virtuoso on /sparql, Fuseki on /{dataset}/query",
    413: "a graph is larger than the store accepts in one request: raise the store's upload limit",
    414: "the query is too long for a URL; this should not happen, as long queries go by POST",
}


def _http_failure(url: str, status: int | None, detail: str) -> RemoteError:
    message = f"the store answered HTTP {status}" if status else "the store answered with an error"
    if detail:
        message += f": {detail}"
    hint = _HINTS.get(status or 0, "the store failed; see its log" if (status or 0) >= 500 else "")
    return RemoteError(url, message, hint=hint, status=status)


def _wrapped_body(error: SPARQLWrapperException) -> bytes:
    """The store's answer, which SPARQLWrapper keeps only inside its message, as the repr of bytes."""
    _, marker, body = str(error).partition("\n\nResponse:\n")
    if not marker:
        return b""
    try:
        answer = ast.literal_eval(body)
    except (ValueError, SyntaxError):
        return body.encode()
    return answer if isinstance(answer, bytes) else str(answer).encode()


def _body_text(body: object) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    text = " ".join(text.split())
    return text if len(text) <= ERROR_BODY_CHARS else text[:ERROR_BODY_CHARS] + " ..."


def _check_http_url(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"the {what} URL must start with http:// or https:// and name a host, not {url!r}")
