"""The live server, `csei serve`: linked-data pages and documents, a SPARQL endpoint, stored-query routes."""

from csei_graph.web.app import create_app
from csei_graph.web.server import ServeError, open_service, serve

__all__ = ["ServeError", "create_app", "open_service", "serve"]
