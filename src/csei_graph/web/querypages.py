"""The stored queries' pages on `csei serve`: `/query/NAME.html?PARAM=VALUE` answered live, the result
as `.csv` and `.json` beside the page, and the query's text as `.rq`, as the static site has them."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from csei_graph import queries
from csei_graph.pages import paths
from csei_graph.pages.query import result_files, stored_query_names
from csei_graph.pages.render import render
from csei_graph.pages.router import query_page
from csei_graph.web import pages
from csei_graph.web.conneg import HTML, Representation
from csei_graph.web.rendering import Rendered

FILES = {
    "csv": Representation("csv", "text/csv", "csv"),
    "json": Representation("json", "application/json", "json"),
    "rq": Representation("sparql", "application/sparql-query", "rq"),
}


async def query_file(request: Request) -> Response:
    """/query/...: a stored query's page, result file or text; any other path as the site has it."""
    service = pages.service_of(request)
    path = request.url.path.lstrip("/")
    stem, _, extension = path.rpartition(".")
    parts = stem.split("/")
    if (
        not paths.is_safe_path(path)
        or extension not in ("html", *FILES)
        or len(parts) not in (2, 4)
        or parts[1] not in stored_query_names()
        or (extension == "rq" and len(parts) != 2)
    ):
        return await pages.document(request)
    values = dict(request.query_params) if len(parts) == 2 else {}
    key = (f"{path}?{urlencode(sorted(values.items()))}", "query")

    def make() -> Rendered | None:
        if extension == "rq":
            name = parts[1]
            text = (queries.queries_dir() / f"{name}{queries.QUERY_SUFFIX}").read_text("utf-8")
            return Rendered.of(text.encode("utf-8"), FILES["rq"])
        view = query_page(service.store, f"{stem}.html", service.settings, values)  # type: ignore[arg-type]
        if view is None:
            return None
        if extension == "html":
            return Rendered.of(render(view, service.release).encode("utf-8"), HTML)
        return Rendered.of(result_files(view)[extension], FILES[extension])

    rendered = await service.rendered_here(key, make)
    if rendered is None:
        return await pages.not_found(request, f"There is no page at /{path}.")
    return pages.send(request, service, rendered)
