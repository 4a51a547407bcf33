"""Maintainers' sign-in on `csei serve` in a workspace: signed session cookies, CSRF tokens, a rate limit.

Sessions are Starlette's signed cookies (itsdangerous), holding the maintainer's name only. Every
form that changes something carries a CSRF token checked by asgi-csrf (a signed double-submit
cookie); the paths in WRITE_PATHS are protected even for a request without cookies. Sign-in attempts
are limited per client address and per name (`login_attempts`, counted by the `limits` package).
"""

import secrets
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import limits
from asgi_csrf import asgi_csrf
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from csei_graph.contributions import maintainers
from csei_graph.pages.forms import LoginView
from csei_graph.pages.render import render
from csei_graph.settings import Settings
from csei_graph.web.middleware import BodyLimits
from csei_graph.web.pages import service_of
from csei_graph.workspace import Workspace

SESSION_COOKIE = "csei_session"
CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrftoken"
SESSION_SECONDS = 8 * 3600
# Every path a form or the form's script sends to: refused without a matching token, cookie or not.
WRITE_PATHS = frozenset(
    {
        "/login",
        "/logout",
        "/contribute",
        "/contribute/check",
        "/contribute/preview",
        "/contribute/upload",
        "/review",
    }
)
UPLOAD_PATH = "/contribute/upload"
CSRF_REFUSED = (
    "403 Forbidden: the form's security token (CSRF) is missing or does not match this browser's. "
    "Nothing was changed. Reload the page and send the form again.\n"
)
MAX_NAME_CHARS = 200
MAX_PASSWORD_CHARS = 1024


def middleware(workspace: Workspace, settings: Settings) -> list[Middleware]:
    """The session and CSRF layers of a server publishing a workspace."""
    key = maintainers.signing_key(workspace)
    limits.parse(settings.login_attempts)  # a malformed limit stops the server at start, with its text
    limits_by_path = dict.fromkeys(WRITE_PATHS, (settings.max_request_bytes, "max_request_bytes"))
    limits_by_path[UPLOAD_PATH] = (settings.max_upload_bytes, "max_upload_bytes")
    return [
        Middleware(BodyLimits, limits=limits_by_path),
        Middleware(
            SessionMiddleware,
            secret_key=f"session:{key}",
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_SECONDS,
            same_site="strict",
        ),
        Middleware(
            asgi_csrf,  # type: ignore[arg-type]
            signing_secret=f"csrf:{key}",
            cookie_name=CSRF_COOKIE,
            always_protect=WRITE_PATHS,
            skip_if_scope=_not_checked_here,
            cookie_samesite="Strict",
            send_csrf_failed=_csrf_failed,
        ),
    ]


def _not_checked_here(scope: dict[str, Any]) -> bool:
    """Requests asgi-csrf leaves alone: those to other paths (/sparql and /reconcile take POSTs from
    any program), and uploads, whose token `upload_token_matches` checks.

    asgi-csrf 0.11 cannot read multipart bodies: it passes python-multipart an argument that library
    no longer takes (FileClass), and fails with a TypeError on every upload.
    """
    if scope["path"] not in WRITE_PATHS:
        return True
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return scope["path"] == UPLOAD_PATH and content_type.lower().startswith(b"multipart/form-data")


def upload_token_matches(request: Request, sent: object) -> bool:
    """Whether an upload's token is the one signed in its cookie (constant-time); without a valid
    cookie the expected token is a new random one, which nothing sent can match."""
    expected = request.scope["csrftoken"]()
    return isinstance(sent, str) and secrets.compare_digest(sent.encode(), expected.encode())


async def _csrf_failed(scope: dict[str, Any], send: Callable[[Any], Awaitable[None]], reason: object) -> None:
    body = CSRF_REFUSED.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def csrf_token(request: Request) -> str:
    """The token the page's forms carry (its cookie is set with the response)."""
    return str(request.scope["csrftoken"]())


def workspace_of(request: Request) -> Workspace | None:
    """The workspace the server publishes, if it publishes one."""
    root = service_of(request).settings.workspace
    return Workspace(root) if root is not None else None


def maintainer(request: Request) -> str | None:
    """The maintainer signed in on this request's session, if one is (and still listed)."""
    if "session" not in request.scope:
        return None
    name = request.session.get("maintainer")
    listed = service_of(request).settings.maintainers
    workspace = workspace_of(request)
    if not isinstance(name, str) or name not in listed or workspace is None:
        return None
    return name if request.session.get("stamp") == maintainers.stamp(workspace, name) else None


def sign_in_first(request: Request) -> Response:
    """A browser is sent to the sign-in page, to come back here; a program is told 401."""
    if "text/html" in request.headers.get("accept", ""):
        target = urllib.parse.quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return PlainTextResponse("401: sign in as a maintainer first, at /login\n", status_code=401)


class Limiter:
    """Sign-in attempts counted per client address and per name, in a moving window."""

    def __init__(self, rate: str) -> None:
        self.rate = limits.parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, client: str, name: str) -> bool:
        """Count one attempt; False when the client or the name has had too many."""
        by_client = self.limiter.hit(self.rate, "login-client", client)
        by_name = self.limiter.hit(self.rate, "login-name", name.casefold())
        return by_client and by_name


def _limiter(request: Request) -> Limiter:
    state = request.app.state
    if getattr(state, "login_limiter", None) is None:
        state.login_limiter = Limiter(service_of(request).settings.login_attempts)
    limiter: Limiter = state.login_limiter
    return limiter


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of this server only, else the review queue."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/review"


def _page(request: Request, message: str = "", status: int = 200, name: str = "") -> Response:
    view = LoginView(
        path="login",
        title="Sign in",
        token=csrf_token(request),
        next=_next(request.query_params.get("next")),
        message=message,
        name=name,
    )
    return Response(render(view), status_code=status, media_type="text/html; charset=utf-8")


async def login(request: Request) -> Response:
    """/login: the sign-in form (GET), and signing in (POST)."""
    workspace = workspace_of(request)
    if workspace is None:
        return PlainTextResponse(
            "There is nothing to sign in to: this server publishes the built-in release, read-only. "
            "Serve a workspace (csei init, then csei serve in it) to review contributions.\n",
            status_code=404,
        )
    if request.method != "POST":
        return _page(request)
    form = await request.form(max_files=0, max_fields=10)
    name = str(form.get("name", ""))[:MAX_NAME_CHARS].strip()
    password = str(form.get("password", ""))[:MAX_PASSWORD_CHARS]
    client = request.client.host if request.client else "-"
    if not _limiter(request).allow(client, name):
        response = _page(request, "Too many sign-in attempts: wait a minute, then try again.", 429, name)
        response.headers["Retry-After"] = "60"
        return response
    settings = service_of(request).settings
    if not await run_in_threadpool(maintainers.verify, workspace, settings, name, password):
        return _page(
            request, "That name and password do not match a maintainer of this workspace.", 401, name
        )
    request.session.clear()
    request.session["maintainer"] = name
    request.session["stamp"] = maintainers.stamp(workspace, name)
    return RedirectResponse(_next(str(form.get("next", ""))), status_code=303)


async def logout(request: Request) -> Response:
    """/logout (POST): the session ends."""
    if "session" in request.scope:
        request.session.clear()
    return RedirectResponse("/contribute", status_code=303)
