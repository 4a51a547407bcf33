"""The routes of `csei serve`: which path is answered by which handler, and what wraps them all."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from csei_graph.pages import paths
from csei_graph.pages.render import STATIC_DIR
from csei_graph.pages.search import SEARCH_INDEX
from csei_graph.site import catalogue
from csei_graph.stores.protocol_client import RemoteError
from csei_graph.web import auth, contribute, pages, querypages, reconcile, released, review, sparql, stored
from csei_graph.web.middleware import AccessLog, RequestLimits, SecurityHeaders
from csei_graph.web.service import RenderFailed, Service
from csei_graph.workspace import Workspace

EDITOR_STATIC_DIR = Path(__file__).resolve().parent / "static"
EXPOSED_HEADERS = ("ETag", "Link", "Content-Location", "Last-Modified", "Vary", "X-Result-Rows")


def create_app(service: Service) -> Starlette:
    """The ASGI application publishing a service's graph."""
    routes = [
        Route("/sparql", sparql.endpoint, methods=["GET", "POST"]),
        Route("/query-editor", sparql.editor),
        Route("/query-editor.html", sparql.editor),
        Route("/query/{rest:path}", querypages.query_file),
        Route("/queries", stored.catalogue_route),
        Route("/queries/{name}", stored.stored_query),
        Route("/openapi.json", stored.openapi),
        *reconcile.ROUTES,
        Route("/contribute", contribute.page, methods=["GET", "POST"]),
        Route("/contribute/check", contribute.check, methods=["POST"]),
        Route("/contribute/preview", contribute.preview, methods=["POST"]),
        Route("/contribute/upload", contribute.upload, methods=["POST"]),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/review", review.queue_page, methods=["GET", "POST"]),
        Route("/review/{id}", review.entry_page),
        Route("/context.jsonld", pages.context),
        Route(f"/{SEARCH_INDEX}", pages.search_index),
        Route(f"/{paths.DUMP_FOLDER}/{{name}}", pages.dump),
        Route(f"/{catalogue.RELEASES_FOLDER}/{{version}}/{{name}}", released.release_file),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Mount("/editor", StaticFiles(directory=EDITOR_STATIC_DIR), name="editor"),
        Route("/id/{rest:path}", pages.resource),
        Route("/{rest:path}", pages.document),
    ]
    middleware = [
        Middleware(RequestLimits, max_target_bytes=service.settings.max_request_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
            expose_headers=list(EXPOSED_HEADERS),
            max_age=86400,
        ),
    ]
    if service.settings.workspace is not None:
        # Innermost: a refused form still gets the security headers and its access-log line.
        middleware += auth.middleware(Workspace(service.settings.workspace), service.settings)
    handlers = {RemoteError: pages.remote_failed, RenderFailed: pages.render_failed}
    app = Application(routes=routes, middleware=middleware, exception_handlers=handlers)  # type: ignore[arg-type]
    app.state.service = service
    return app


class Application(Starlette):
    """Starlette with the access log and the security headers outside its error handling: a 500 it
    makes of an exception is logged and carries the headers as every other answer does."""

    def build_middleware_stack(self) -> ASGIApp:
        return AccessLog(SecurityHeaders(super().build_middleware_stack()))
