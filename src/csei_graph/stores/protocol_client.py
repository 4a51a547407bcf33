"""SPARQL 1.1 Protocol and Graph Store Protocol client over httpx: queries, graphs, clear errors.

One HTTP client library (httpx) for both protocols: connections are kept open and reused, logins
are httpx's basic and digest authentication, and a request is sent again only when it is safe to.
"""

import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from csei_graph.stores.base import GraphDataset

T = TypeVar("T")
AUTH_SCHEMES = ("basic", "digest")
# Statuses a proxy or a busy store answers when the request was not carried out: trying again is harmless.
TRANSIENT_STATUSES = frozenset({502, 503, 504})
# Longer requests go by POST: some servers and proxies refuse URLs of more than a few kilobytes.
LONGEST_GET_URL = 2000
ERROR_BODY_CHARS = 500
SPARQL_RESULTS_JSON = "application/sparql-results+json"
RDF_GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
TURTLE_UPLOAD = "text/turtle; charset=utf-8"


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
    password: str | None = field(default=None, repr=False)
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


class ProtocolClient:
    """Speaks the SPARQL 1.1 Protocol and the Graph Store Protocol to one store.

    Each thread has its own connection pool (an httpx.Client), kept open between requests.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._local = threading.local()

    def _client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            endpoint = self.endpoint
            auth: httpx.Auth | None = None
            if endpoint.user:
                scheme = httpx.DigestAuth if endpoint.auth == "digest" else httpx.BasicAuth
                auth = scheme(endpoint.user, endpoint.password or "")
            client = httpx.Client(auth=auth, timeout=endpoint.timeout, follow_redirects=False)
            self._local.client = client
        return client

    def query(self, sparql: str, *, accept: str, dataset: GraphDataset | None = None) -> Response:
        """Run a query by the SPARQL 1.1 Protocol, stating its dataset with the protocol's parameters.

        A query changes nothing, so it is sent again when the connection fails or a proxy says the
        store is busy; a query that ran out of time is not, as it would run out of time again.
        """
        parameters: list[tuple[str, str]] = [("query", sparql)]
        if dataset is not None:
            parameters += [("default-graph-uri", name) for name in dataset.default_graphs]
            parameters += [("named-graph-uri", name) for name in dataset.named_graphs]
        url = self.endpoint.query_url
        headers = {"Accept": accept}
        encoded = urllib.parse.urlencode(parameters)
        if len(url) + len(encoded) < LONGEST_GET_URL:
            request = self._client().build_request("GET", f"{url}?{encoded}", headers=headers)
        else:
            request = self._client().build_request("POST", url, data=dict_list(parameters), headers=headers)
        return self._send(url, request)

    def get_graph(self, graph: str | None) -> Response:
        """Fetch one graph (None: the default graph) by the Graph Store Protocol, as N-Triples or Turtle."""
        request = self._client().build_request(
            "GET", self._graph_url(graph), headers={"Accept": RDF_GRAPH_TYPES}
        )
        return self._send(str(request.url), request)

    def put_graph(self, graph: str | None, turtle: bytes) -> None:
        """Replace one graph (None: the default graph) by the Graph Store Protocol; safe to repeat."""
        request = self._client().build_request(
            "PUT", self._graph_url(graph), content=turtle, headers={"Content-Type": TURTLE_UPLOAD}
        )
        self._send(str(request.url), request)

    def delete_graph(self, graph: str) -> None:
        """Remove one named graph by the Graph Store Protocol; a graph that is not there is no error."""
        request = self._client().build_request("DELETE", self._graph_url(graph))
        try:
            self._send(str(request.url), request)
        except RemoteError as error:
            if error.status != 404:
                raise

    def _graph_url(self, graph: str | None) -> str:
        query = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
        return f"{self.endpoint.graph_store_url}?{query}"

    def _send(self, url: str, request: httpx.Request) -> Response:
        def send() -> Response:
            answer = self._client().send(request)
            if answer.is_error:
                raise _http_failure(url, answer.status_code, _body_text(answer.content))
            return Response(_media_type(answer.headers.get("content-type", "")), answer.content)

        return _with_retries(self.endpoint, url, send)

    def close(self) -> None:
        """Close this thread's connections."""
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()
            self._local.client = None


def dict_list(parameters: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields as httpx takes them, a name given several times keeping each value in order."""
    fields: dict[str, list[str]] = {}
    for name, value in parameters:
        fields.setdefault(name, []).append(value)
    return fields


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _with_retries(endpoint: Endpoint, url: str, send: Callable[[], T]) -> T:
    """Send, and again after a refused connection or a busy answer: every request here is safe to repeat."""
    attempts = 1 + endpoint.retries
    attempt = 1
    while True:
        try:
            return send()
        except RemoteError as failure:
            if failure.status not in TRANSIENT_STATUSES or attempt >= attempts:
                raise
        except httpx.TransportError as error:
            failure = _no_usable_answer(endpoint, url, error)
            if not isinstance(error, httpx.ConnectError) or attempt >= attempts:
                raise failure from None
        time.sleep(0.25 * 2**attempt)
        attempt += 1


def _no_usable_answer(endpoint: Endpoint, url: str, error: httpx.TransportError) -> RemoteError:
    """Why no HTTP answer came: a time-out, a refusal, an unknown host, or bytes that are not HTTP."""
    if isinstance(error, httpx.TimeoutException):
        return RemoteError(
            url,
            f"no answer within {endpoint.timeout:g} s",
            hint="the store may be busy or the query too costly; raise --timeout (CSEI_ENDPOINT_TIMEOUT)",
        )
    cause = error.__cause__ or error.__context__
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror):
        return RemoteError(url, f"unknown host ({cause.strerror})", hint="check the host name in the URL")
    if isinstance(error, httpx.ConnectError):
        return RemoteError(url, "connection refused", hint="is the store running and listening on that port?")
    if isinstance(error, httpx.RemoteProtocolError):
        return RemoteError(
            url,
            f"the answer is not HTTP ({_body_text(str(error))})",
            hint="check that the URL is a SPARQL endpoint, and its port that of the store",
        )
    return RemoteError(url, f"cannot reach the store: {error}", hint="check the URL and the network")


_HINTS = {
    400: "the store could not run the request; its message is above",
    401: "log in: --user NAME with the password in CSEI_ENDPOINT_PASSWORD (and --auth digest for Virtuoso)",
    403: "the store refused the request: it may be read-only, or the user may lack the right",
    404: "check the URL: Oxigraph answers on /query, Virtuoso on /sparql, Fuseki on /{dataset}/query",
    413: "a graph is larger than the store accepts in one request: raise the store's upload limit",
    414: "the request is too long for a URL; this should not happen, as long requests go by POST",
}


def _http_failure(url: str, status: int, detail: str) -> RemoteError:
    message = f"the store answered HTTP {status}"
    if detail:
        message += f": {detail}"
    hint = _HINTS.get(status, "the store failed; see its log" if status >= 500 else "")
    return RemoteError(url, message, hint=hint, status=status)


def _body_text(body: object) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    text = " ".join(text.split())
    return text if len(text) <= ERROR_BODY_CHARS else text[:ERROR_BODY_CHARS] + " ..."


def _check_http_url(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"the {what} URL must start with http:// or https:// and name a host, not {url!r}")
