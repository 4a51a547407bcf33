"""The reconciliation service at /reconcile (Reconciliation Service API 0.2), as OpenRefine speaks it.

Read-only: every route answers from an index of the graph's names, built from the store on the first
request (the manifest starts it) and kept while the server runs; a remote store's index is built
again when older than REMOTE_INDEX_SECONDS, since the remote graph may change.
"""

import gc
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from csei_graph.namespaces import BASE
from csei_graph.reconcile import Index, QueryError, build_index
from csei_graph.reconcile.extend import extend, parse_extension, propose_properties
from csei_graph.reconcile.preview import preview
from csei_graph.reconcile.protocol import answer_queries, manifest, parse_queries
from csei_graph.reconcile.suggest import suggest_entities, suggest_properties, suggest_types
from csei_graph.web.service import Service
from csei_graph.web.sparql import Refusal, read_body

REMOTE_INDEX_SECONDS = 600
FORM_CONTENT = "application/x-www-form-urlencoded"
JSON_CONTENT = "application/json"
# A preview is shown in a frame of the client's page (OpenRefine's, on another origin): it may be
# framed anywhere, and loads nothing at all. It shows public data and has no action to trick into.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors *"
)


class IndexKeeper:
    """Builds the index of a service's graph once (again when stale) and keeps it."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._built = 0.0

    def index(self) -> Index:
        """The index, built now if there is none yet or it is stale (blocks: call from a thread)."""
        with self._lock:
            if self._index is None or self._stale():
                self._index = build_index(self._service.store)  # type: ignore[arg-type]
                self._built = time.monotonic()
                # The index lives as long as the server: kept out of the garbage collector's
                # rounds, which would otherwise walk its objects again and again, delaying answers
                # (and copy the memory pages the query workers share with this process).
                gc.freeze()
            return self._index

    def warm(self) -> None:
        """Start building the index in the background, if it is not built yet."""
        if self._index is None and not self._lock.locked():
            threading.Thread(target=self.index, name="reconcile-index", daemon=True).start()

    def _stale(self) -> bool:
        remote = self._service.last_modified is None
        return remote and time.monotonic() - self._built > REMOTE_INDEX_SECONDS


_KEEPER_LOCK = threading.Lock()


def _keeper(request: Request) -> IndexKeeper:
    state = request.app.state
    with _KEEPER_LOCK:
        keeper: IndexKeeper | None = getattr(state, "reconcile_index", None)
        if keeper is None:
            keeper = state.reconcile_index = IndexKeeper(state.service)
    return keeper


async def _with_index(request: Request, answer: Callable[[Index], Any]) -> Any:
    keeper = _keeper(request)
    return await run_in_threadpool(lambda: answer(keeper.index()))


# ------------------------------------------------------------------------------------- handlers


async def service_endpoint(request: Request) -> Response:
    """/reconcile: the manifest, or the answers to `queries=` (GET, form or JSON body) or `extend=`."""
    service: Service = request.app.state.service
    try:
        parameters = await _parameters(request, service.settings.max_request_bytes)
        if "queries" in parameters:
            queries = parse_queries(parameters["queries"])
            return JSONResponse(await _with_index(request, lambda index: answer_queries(index, queries)))
        if "extend" in parameters:
            ids, properties = parse_extension(parameters["extend"])
            return JSONResponse(await _with_index(request, lambda index: extend(index, ids, properties)))
    except (QueryError, Refusal) as error:
        return _error(error)
    _keeper(request).warm()
    return JSONResponse(manifest(f"{str(request.base_url).rstrip('/')}/reconcile"))


async def _parameters(request: Request, max_bytes: int) -> dict[str, Any]:
    """The JSON documents of `queries` and `extend`, from the address, a form or a JSON body."""
    texts = {
        name: request.query_params[name] for name in ("queries", "extend") if name in request.query_params
    }
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await read_body(request, max_bytes)).decode("utf-8", errors="replace")
        if content_type == JSON_CONTENT:
            texts["queries"] = body
        elif content_type == FORM_CONTENT:
            form = urllib.parse.parse_qs(body, keep_blank_values=True)
            texts.update({name: form[name][0] for name in ("queries", "extend") if name in form})
        else:
            raise Refusal(415, f"send the queries as a form ({FORM_CONTENT}) or as {JSON_CONTENT}")
    parsed = {}
    for name, text in texts.items():
        try:
            parsed[name] = json.loads(text)
        except json.JSONDecodeError as error:
            raise QueryError(f"{name} is not JSON: {error.msg} at character {error.pos}") from None
    return parsed


def _error(error: QueryError | Refusal) -> Response:
    status = error.status if isinstance(error, Refusal) else 400
    return JSONResponse({"status": "error", "message": str(error)}, status_code=status)


async def suggest_entity(request: Request) -> Response:
    """/reconcile/suggest/entity?prefix=...[&type=...][&cursor=N]: entities named so."""
    prefix = request.query_params.get("prefix", "")
    types = tuple(request.query_params.getlist("type"))
    cursor = _whole(request.query_params.get("cursor"))
    return JSONResponse(
        await _with_index(request, lambda index: suggest_entities(index, prefix, types, cursor))
    )


async def suggest_type(request: Request) -> Response:
    """/reconcile/suggest/type?prefix=...: the types offered."""
    return JSONResponse(suggest_types(request.query_params.get("prefix", "")))


async def suggest_property(request: Request) -> Response:
    """/reconcile/suggest/property?prefix=...[&type=...]: the properties offered."""
    params = request.query_params
    return JSONResponse(suggest_properties(params.get("prefix", ""), params.get("type")))


async def propose(request: Request) -> Response:
    """/reconcile/extend/propose?type=...[&limit=N]: the properties data extension can fetch."""
    limit = request.query_params.get("limit")
    proposal = propose_properties(request.query_params.get("type"), _whole(limit) if limit else None)
    return JSONResponse(proposal)


async def preview_entity(request: Request) -> Response:
    """/reconcile/preview?id=IRI: a small HTML page about the entity, for a frame of the client."""
    iri = request.query_params.get("id", "")
    html = await _with_index(request, lambda index: preview(index, iri))
    headers = {"Content-Security-Policy": PREVIEW_POLICY}
    if html is None:
        return HTMLResponse("<p>Not in the graph.</p>", status_code=404, headers=headers)
    return HTMLResponse(html, headers=headers)


async def view(request: Request) -> Response:
    """/reconcile/view?id=IRI: 303 to the entity's page on this server (or to its IRI elsewhere)."""
    iri = request.query_params.get("id", "")
    known = await _with_index(request, lambda index: index.entity(iri) is not None)
    if not known:
        return JSONResponse({"status": "error", "message": f"<{iri}> is not in the graph"}, status_code=404)
    location = "/" + iri.removeprefix(BASE) if iri.startswith(f"{BASE}id/") else iri
    return RedirectResponse(location, status_code=303)


def _whole(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


ROUTES = [
    Route("/reconcile", service_endpoint, methods=["GET", "POST"]),
    Route("/reconcile/suggest/entity", suggest_entity),
    Route("/reconcile/suggest/type", suggest_type),
    Route("/reconcile/suggest/property", suggest_property),
    Route("/reconcile/extend/propose", propose),
    Route("/reconcile/preview", preview_entity),
    Route("/reconcile/view", view),
]
