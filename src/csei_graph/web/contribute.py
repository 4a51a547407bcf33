"""/contribute on `csei serve` in a workspace: the form made from the shapes, its checks as one types,
a preview, a file upload, and submission into the review queue.

Every path runs the code `csei contribute` runs: the form's entries become `web-form.ttl`
(`contributions.formdata`), an upload keeps its own syntax, and both are read, checked and filed by
`contributions.contribute`. Nothing here changes the pages: a contribution waits for a maintainer.
"""

import tempfile
import urllib.parse
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from csei_graph import contributions
from csei_graph.contributions.form import FormSpec, form_spec
from csei_graph.contributions.formdata import Entries, checked, field_messages, statements, turtle
from csei_graph.pages.forms import ContributeView, Finding, OutcomeView, PreviewView
from csei_graph.pages.render import render
from csei_graph.pages.resource import resource_view
from csei_graph.settings import Settings
from csei_graph.sources import FORMATS_BY_SUFFIX, SourceError, builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.report import Report
from csei_graph.web.auth import (
    CSRF_FIELD,
    CSRF_REFUSED,
    csrf_token,
    maintainer,
    upload_token_matches,
    workspace_of,
)
from csei_graph.web.pages import service_of
from csei_graph.web.sparql import Refusal, read_body
from csei_graph.workspace import Workspace

HTML = "text/html; charset=utf-8"
UPLOAD_SUFFIXES = (".csv", *FORMATS_BY_SUFFIX)
MOST_FIELDS = 5000
# The pages' own addresses, which their relative links (the stylesheet, the site's pages) start from.
PREVIEW_PATH = "contribute/preview"
UPLOAD_PAGE = "contribute/upload"
NO_WORKSPACE = (
    "Contributions go into a workspace's review queue, and this server publishes the built-in release, "
    "read-only. Serve a workspace (csei init, then csei serve in it), or send a file with csei contribute.\n"
)


def _spec(request: Request) -> FormSpec:
    """The form the shapes make, built once per server (the pick lists are the graph's concepts)."""
    state = request.app.state
    if getattr(state, "form_spec", None) is None:
        state.form_spec = form_spec(service_of(request).store)  # type: ignore[arg-type]
    spec: FormSpec = state.form_spec
    return spec


def _html(view: object, status: int = 200) -> Response:
    return Response(render(view), status_code=status, media_type=HTML)


async def _entries(request: Request) -> Entries:
    """The form's entries from a url-encoded body no larger than the server reads."""
    body = await read_body(request, service_of(request).settings.max_request_bytes)
    try:
        text = body.decode("utf-8")
        items = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=MOST_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "the form is not url-encoded UTF-8 text with at most 5,000 fields") from None
    return Entries.parse(items)


async def page(request: Request) -> Response:
    """/contribute: the form (GET), or the form sent for review (POST)."""
    workspace = workspace_of(request)
    if workspace is None:
        return PlainTextResponse(NO_WORKSPACE, status_code=404)
    if request.method == "POST":
        return await _submit(request, workspace)
    spec = await run_in_threadpool(_spec, request)
    view = ContributeView(
        "contribute", "Contribute a cluster", spec, csrf_token(request), maintainer(request)
    )
    return _html(view)


async def check(request: Request) -> Response:
    """/contribute/check (POST, JSON): the messages `csei validate` gives on the form's entries, by field."""
    if workspace_of(request) is None:
        return PlainTextResponse(NO_WORKSPACE, status_code=404)
    try:
        entries = await _entries(request)
    except Refusal as refusal:
        return JSONResponse({"error": refusal.message}, status_code=refusal.status)
    spec = await run_in_threadpool(_spec, request)
    settings = service_of(request).settings

    def run() -> dict[str, object]:
        found = statements(spec, entries)
        try:
            _, report = checked(found, settings)
        except SourceError as error:
            return {
                "conforms": False,
                "fields": {"general": [{"severity": "Violation", "message": str(error)}]},
            }
        return {"conforms": report.conforms, "fields": field_messages(report, found, spec)}

    return JSONResponse(await run_in_threadpool(run), headers={"Cache-Control": "no-store"})


async def preview(request: Request) -> Response:
    """/contribute/preview (POST): the statements the form makes, and the cluster's page with them."""
    if workspace_of(request) is None:
        return PlainTextResponse(NO_WORKSPACE, status_code=404)
    try:
        entries = await _entries(request)
    except Refusal as refusal:
        return PlainTextResponse(refusal.message, status_code=refusal.status)
    spec = await run_in_threadpool(_spec, request)
    service = service_of(request)
    view = await run_in_threadpool(_preview, spec, entries, service.settings, service.release)
    return _html(view)


def _preview(spec: FormSpec, entries: Entries, settings: Settings, release: str) -> PreviewView:
    found = statements(spec, entries)
    try:
        contribution, report = checked(found, settings)
    except SourceError as error:
        return PreviewView(PREVIEW_PATH, "Preview", "", _no_page(), (Finding("Violation", str(error)),))
    store = GraphStore.from_sources(builtin_sources(settings), settings)
    store.add_all(contribution.quads)
    view = resource_view(store, found.cluster.value, settings)
    # Rendered as if at the preview's own address, so that its relative links lead where they should.
    page = _main_of(render(replace(view, path=PREVIEW_PATH), release)) if view is not None else _no_page()
    text = turtle(found, settings).decode("utf-8")
    return PreviewView(PREVIEW_PATH, "Preview", text, page, _findings(report))


def _main_of(html: str) -> Markup:
    """What a rendered page shows inside its <main> element (already escaped by its template)."""
    start, end = html.find("<main>"), html.rfind("</main>")
    return Markup(html[start + len("<main>") : end] if start >= 0 and end > start else "")


def _no_page() -> Markup:
    return Markup("<p>No page: the cluster has no statements yet.</p>")


def _findings(report: Report) -> tuple[Finding, ...]:
    return tuple(Finding(r.severity, r.message, r.label or r.focus) for r in report.results)


async def _submit(request: Request, workspace: Workspace) -> Response:
    try:
        body = await read_body(request, service_of(request).settings.max_request_bytes)
        items = urllib.parse.parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MOST_FIELDS
        )
    except Refusal as refusal:
        return PlainTextResponse(refusal.message, status_code=refusal.status)
    except (UnicodeDecodeError, ValueError):
        return PlainTextResponse("the form is not url-encoded UTF-8 text", status_code=400)
    by = next((value.strip() for name, value in items if name == "by"), "")
    if not by:
        return _html(
            OutcomeView("contribute", "Not sent", "Give your name (the first field): nothing was sent."), 422
        )
    spec = await run_in_threadpool(_spec, request)
    found = statements(spec, Entries.parse(items))
    settings = service_of(request).settings

    def file() -> Response:
        with tempfile.TemporaryDirectory(prefix="csei-form-") as folder:
            path = Path(folder) / "web-form.ttl"
            path.write_bytes(turtle(found, settings))
            return _filed(workspace, [path], by, settings, "contribute")

    return await run_in_threadpool(file)


async def upload(request: Request) -> Response:
    """/contribute/upload (POST, multipart): a CSV template or an RDF file, filed for review."""
    workspace = workspace_of(request)
    if workspace is None:
        return PlainTextResponse(NO_WORKSPACE, status_code=404)
    settings = service_of(request).settings
    form = await _upload_form(request, settings)
    if isinstance(form, Response):
        return form
    refused = _refused_upload(form)
    if refused is not None:
        return refused
    sent, by = form["file"], str(form["by"]).strip()
    suffix = Path(sent.filename or "").suffix.lower()  # type: ignore[union-attr]
    content = await sent.read()  # type: ignore[union-attr]

    def file() -> Response:
        with tempfile.TemporaryDirectory(prefix="csei-upload-") as folder:
            # Named by csei, not by the browser: the name is recorded in the contribution's provenance.
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(content)
            return _filed(workspace, [path], by, settings, UPLOAD_PAGE)

    return await run_in_threadpool(file)


async def _upload_form(request: Request, settings: Settings) -> FormData | Response:
    """The upload's form, read whole only when no larger than max_upload_bytes, its token checked."""
    try:
        body = await read_body(request, settings.max_upload_bytes)
    except Refusal as refusal:
        return PlainTextResponse(
            f"{refusal.message} (setting max_upload_bytes)\n", status_code=refusal.status
        )
    try:
        form = await Request(request.scope, receive=_replay(body)).form(max_files=1, max_fields=10)
    except (MultiPartException, HTTPException, ValueError):
        return PlainTextResponse("the upload is not a well-formed multipart form\n", status_code=400)
    # Checked here, not by asgi-csrf (see auth._not_checked_here): a constant-time comparison.
    if not upload_token_matches(request, form.get(CSRF_FIELD)):
        return PlainTextResponse(CSRF_REFUSED, status_code=403)
    return form


def _refused_upload(form: FormData) -> Response | None:
    """Why an upload cannot be filed (no file, not CSV or RDF, no name), if it cannot."""
    sent, by = form.get("file"), str(form.get("by", "")).strip()
    if not isinstance(sent, UploadFile) or not sent.filename:
        message = "Choose a file to send: nothing was sent."
    elif Path(sent.filename).suffix.lower() not in UPLOAD_SUFFIXES:
        suffix = Path(sent.filename).suffix.lower() or "(nothing)"
        allowed = ", ".join(UPLOAD_SUFFIXES)
        message = f"A file ending in {suffix} is neither CSV nor RDF: send one ending in {allowed}."
    elif not by:
        message = "Give your name: nothing was sent."
    else:
        return None
    return _html(OutcomeView(UPLOAD_PAGE, "Not sent", message), 422)


def _replay(body: bytes):  # type: ignore[no-untyped-def]
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _filed(workspace: Workspace, paths: list[Path], by: str, settings: Settings, page: str) -> Response:
    """File a contribution as `csei contribute` does, and say (on the page at `page`) what became of it."""
    try:
        outcome = contributions.contribute(workspace, paths, by=by[:300], settings=settings)
    except SourceError as error:
        view = OutcomeView(page, "Not sent", f"It cannot be read: {error}. Nothing was sent.")
        return _html(view, 422)
    except ValueError as error:
        return _html(OutcomeView(page, "Not sent", f"{error}. Nothing was sent."), 422)
    if outcome.already is not None and outcome.entry is not None:
        message = f"The same statements were already sent; that contribution is {outcome.already}."
        return _html(OutcomeView(page, "Already sent", message, outcome.entry.id))
    findings = _findings(outcome.report) if outcome.report is not None else ()
    if outcome.filed and outcome.entry is not None:
        conflicts = (
            f" It contradicts {len(outcome.conflicts)} stated fact(s), for them to decide."
            if outcome.conflicts
            else ""
        )
        message = f"Sent for review: a maintainer will accept or reject it.{conflicts}"
        return _html(OutcomeView(page, "Sent for review", message, outcome.entry.id, findings), 201)
    blocking = tuple(f for f in findings if f.severity not in ("Warning", "Info"))
    message = (
        "It does not conform to the graph's shapes, so nothing was sent: correct what is listed and send "
        "it again."
    )
    return _html(OutcomeView(page, "Not sent", message, "", blocking or findings), 422)
