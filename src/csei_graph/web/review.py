"""/review on `csei serve` in a workspace, for signed-in maintainers: the queue, each contribution's
diff with its report and conflicts, and accepting or rejecting it with a reason.

Decisions run `contributions.accept` and `contributions.reject`, as `csei accept` and `csei reject`
do, with the signed-in maintainer as who decided. An accepted contribution is added to the graph the
server publishes at once (pages, search, reconciliation, /sparql and the dumps).
"""

import urllib.parse
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, SH, Graph
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from csei_graph import contributions
from csei_graph.contributions.queue import REPORT_FILE, Entry
from csei_graph.contributions.review import rejection_text
from csei_graph.pages.forms import Finding, ReviewListView, ReviewView
from csei_graph.pages.render import render
from csei_graph.settings import Settings
from csei_graph.sources import Source, graph_for, parse
from csei_graph.web.auth import csrf_token, maintainer, sign_in_first, workspace_of
from csei_graph.web.pages import service_of
from csei_graph.web.sparql import Refusal, read_body
from csei_graph.workspace import Workspace

HTML = "text/html; charset=utf-8"
MAX_REASON_CHARS = 2000
NO_WORKSPACE = "This server publishes the built-in release, read-only: there is no review queue.\n"
DONE = {
    "accepted": "Accepted: it is now part of the graph, its page shows it with its provenance.",
    "accepted-remote": "Accepted into the workspace's data; the remote store shows it once it is pushed.",
    "rejected": "Rejected: the reason is kept with it in the queue.",
}


def _signed_in_maintainer(request: Request) -> tuple[Workspace, str] | Response:
    """The workspace and the maintainer signed in, or the answer to give instead (no queue, sign in)."""
    workspace = workspace_of(request)
    if workspace is None:
        return PlainTextResponse(NO_WORKSPACE, status_code=404)
    who = maintainer(request)
    if who is None:
        return sign_in_first(request)
    return workspace, who


async def queue_page(request: Request) -> Response:
    """/review: the queue (GET), or a decision on one contribution (POST)."""
    signed_in = _signed_in_maintainer(request)
    if isinstance(signed_in, Response):
        return signed_in
    workspace, who = signed_in
    if request.method == "POST":
        return await _decide(request, workspace, who)
    found = await run_in_threadpool(contributions.entries, workspace)
    pending = tuple(e for e in found if e.state == contributions.PENDING)
    decided = tuple(e for e in reversed(found) if e.state != contributions.PENDING)
    view = ReviewListView("review", "Review queue", csrf_token(request), who, pending, decided)
    return Response(render(view), media_type=HTML)


async def entry_page(request: Request) -> Response:
    """/review/{id}: one contribution, what it adds and changes, its report, and the decision form."""
    signed_in = _signed_in_maintainer(request)
    if isinstance(signed_in, Response):
        return signed_in
    workspace, who = signed_in
    identifier = request.path_params["id"]
    settings = service_of(request).settings
    message = DONE.get(request.query_params.get("done", ""), "")
    return await run_in_threadpool(
        lambda: _entry_view(
            request,
            workspace=workspace,
            settings=settings,
            who=who,
            identifier=identifier,
            message=message,
            status=200,
        )
    )


def _entry_view(
    request: Request,
    *,
    workspace: Workspace,
    settings: Settings,
    who: str,
    identifier: str,
    message: str,
    status: int,
) -> Response:
    try:
        found = contributions.review(workspace, identifier, settings)
    except ValueError as error:
        return PlainTextResponse(f"{error}\n", status_code=404)
    entry = found.entry
    rejection = rejection_text(entry) if found.state == contributions.REJECTED else ""
    view = ReviewView(
        f"review/{entry.id}",
        f"Contribution {entry.id}",
        csrf_token(request),
        who,
        found,
        _report(entry),
        rejection,
        message,
    )
    return Response(render(view), status_code=status, media_type=HTML)


def _report(entry: Entry) -> tuple[Finding, ...]:
    """The results of the report filed with the contribution."""
    path = entry.folder / REPORT_FILE
    if not path.is_file():
        return ()
    graph = Graph().parse(path, format="turtle")
    found = []
    for result in graph.objects(None, SH.result):
        if (result, RDF.type, SH.ValidationResult) not in graph:
            continue
        severity = str(graph.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1]
        found.append(
            Finding(
                severity,
                str(graph.value(result, SH.resultMessage) or ""),
                str(graph.value(result, SH.focusNode) or ""),
            )
        )
    return tuple(sorted(found, key=lambda f: (f.severity != "Violation", f.about, f.message)))


async def _decide(request: Request, workspace: Workspace, who: str) -> Response:
    service = service_of(request)
    try:
        body = await read_body(request, service.settings.max_request_bytes)
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
    except Refusal as refusal:
        return PlainTextResponse(refusal.message, status_code=refusal.status)
    except (UnicodeDecodeError, ValueError):
        return PlainTextResponse("the form is not url-encoded UTF-8 text\n", status_code=400)
    identifier, action = form.get("id", ""), form.get("action", "")
    settings = service.settings

    def decide() -> Response:
        try:
            if action == "reject":
                entry = contributions.reject(
                    workspace,
                    identifier,
                    by=who,
                    reason=form.get("reason", "")[:MAX_REASON_CHARS],
                    settings=settings,
                )
                return RedirectResponse(f"/review/{entry.id}?done=rejected", status_code=303)
            if action != "accept":
                return PlainTextResponse("the action is accept or reject\n", status_code=400)
            outcome = contributions.accept(
                workspace,
                identifier,
                by=who,
                settings=settings,
                despite_conflicts=form.get("despite_conflicts") == "yes",
            )
        except ValueError as error:
            return _entry_view(
                request,
                workspace=workspace,
                settings=settings,
                who=who,
                identifier=identifier,
                message=f"Not done: {error}",
                status=409,
            )
        if outcome.accepted is None:
            reason = (
                "it contradicts stated facts: tick 'accept despite the conflicts', or reject it"
                if outcome.conflicts
                else "it no longer conforms to the graph (see the report)"
            )
            return _entry_view(
                request,
                workspace=workspace,
                settings=settings,
                who=who,
                identifier=identifier,
                message=f"Not accepted: {reason}.",
                status=409,
            )
        done = "accepted"
        try:
            service.add(_statements(outcome.accepted, settings))
            request.app.state.reconcile_index = None
        except ValueError:
            done = "accepted-remote"  # a remote store is not written to: its own loading shows it
        return RedirectResponse(f"/review/{outcome.entry.id}?done={done}", status_code=303)  # type: ignore[union-attr]

    return await run_in_threadpool(decide)


def _statements(data: Path, settings: Settings) -> list[ox.Quad]:
    """The statements of an accepted contribution's data file, in the graph its loading gives them."""
    return list(parse(Source(data, ox.RdfFormat.TRIG, graph_for(data)), settings))
