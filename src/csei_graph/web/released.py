"""/releases/{version}/{name}: the files of the workspace's releases, as the catalogue announces them."""

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from csei_graph import releases
from csei_graph.web.service import Service
from csei_graph.workspace import Workspace

MEDIA_TYPES = {".gz": "application/gzip", ".md": "text/markdown; charset=utf-8", ".ttl": "text/turtle"}


async def release_file(request: Request) -> Response:
    """A release's dump, changelog or description; 404 naming the releases there are otherwise."""
    service: Service = request.app.state.service
    version, name = request.path_params["version"], request.path_params["name"]
    workspace = service.settings.workspace
    known = releases.releases(Workspace(workspace)) if workspace is not None else []
    found = next((r for r in known if r.version == version), None)
    if found is None or name not in releases.published_files():
        versions = ", ".join(r.version for r in known) or "none"
        return PlainTextResponse(f"No such release file. Releases: {versions}.", status_code=404)
    suffix = name[name.rfind(".") :]
    return FileResponse(found.folder / name, media_type=MEDIA_TYPES[suffix])
