"""The stored queries as web routes (/queries/{name}?param=value) and their OpenAPI description.

A stored query answers like /sparql (same limits, same formats), with its parameters taken from the
URL, checked against their declared types and bound as RDF terms, never pasted into the text. For a
browser, a query without parameters answers with its page of the site; with parameters, the query
editor opens with the query and the values filled in.
"""

import urllib.parse
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from csei_graph import __version__, queries
from csei_graph.pages import paths
from csei_graph.pages.query import query_path
from csei_graph.site import catalogue
from csei_graph.sparql_syntax import GRAPH_FORMS
from csei_graph.web import conneg
from csei_graph.web.answers import Job
from csei_graph.web.pages import service_of
from csei_graph.web.sparql import answer_response, stored_query_catalogue

RESERVED_PARAMETERS = ("format",)
PARAMETER_SCHEMAS: dict[str, dict[str, str]] = {
    "IRI": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "concept": {"type": "string"},
}
REFUSALS = {
    "400": "The query or a parameter value is not valid; the body says what is wrong.",
    "403": "The query updates the graph or reaches another host (SERVICE): this endpoint refuses both.",
    "406": "None of the media types asked for is available.",
    "413": "The request is larger than the endpoint reads.",
    "422": "The query was stopped at a limit: its time, its number of rows or its memory.",
}


async def catalogue_route(request: Request) -> Response:
    """/queries: every stored query with its parameters and its URL, as JSON."""
    return JSONResponse(
        [{**entry, "url": f"queries/{entry['name']}"} for entry in stored_query_catalogue()],
        headers={"Cache-Control": "public, max-age=300"},
    )


async def stored_query(request: Request) -> Response:
    """/queries/{name}: run a stored query with the parameters of the URL."""
    service = service_of(request)
    name = request.path_params["name"]
    try:
        stored = queries.load_query(name) if paths.SAFE_SEGMENT.fullmatch(name) else None
    except queries.QueryError:
        stored = None
    if stored is None:
        known = ", ".join(entry["name"] for entry in stored_query_catalogue())  # type: ignore[misc]
        return PlainTextResponse(f"There is no stored query {name!r}. Stored queries: {known}.", 404)
    values = {k: v for k, v in request.query_params.items() if k not in RESERVED_PARAMETERS}
    offered = conneg.RDF_REPRESENTATIONS if stored.form in GRAPH_FORMS else conneg.SOLUTION_REPRESENTATIONS
    format_value = request.query_params.get("format")
    try:
        chosen = conneg.choose(request.headers.get("accept"), format_value, (*offered, conneg.HTML))
    except conneg.UnknownFormat as error:
        return PlainTextResponse(str(error), status_code=400)
    except conneg.NotAcceptable as error:
        return PlainTextResponse(str(error), status_code=406)
    if chosen is conneg.HTML:
        return _page(name, values)
    job = Job(chosen.name, service.settings.sparql_max_rows, stored=stored.name, params=values)
    answered = await service.runner.run(job, service.settings.sparql_timeout)
    return answer_response(answered, chosen, safe_csv=service.settings.safe_csv)


def _page(name: str, values: dict[str, str]) -> Response:
    if not values:
        return RedirectResponse(f"/{query_path(name)}", status_code=303, headers={"Vary": "Accept"})
    search = urllib.parse.urlencode({"stored": name, **values})
    return RedirectResponse(f"/query-editor?{search}", status_code=303, headers={"Vary": "Accept"})


async def openapi(request: Request) -> Response:
    """/openapi.json: the OpenAPI 3.1 description of /sparql and of every stored query's route."""
    return JSONResponse(openapi_document(), headers={"Cache-Control": "public, max-age=300"})


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the query routes (made once: the stored queries do not change)."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": catalogue.TITLE,
            "version": __version__,
            "description": (
                "Read-only SPARQL 1.1 endpoint and stored queries of the CSEI graph. Queries run within a "
                "time limit and a row cap; updates and SERVICE are refused. Resource IRIs (/id/...) "
                "answer 303 See Other to their documents (/doc/...)."
            ),
            "license": {"name": "CC BY 4.0 (data); Apache-2.0 (software)", "url": catalogue.LICENCE_PAGE},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/sparql": _sparql_path(),
            "/queries": {
                "get": {
                    "operationId": "listStoredQueries",
                    "summary": "The stored queries, their parameters and URLs",
                    "responses": {"200": {"description": "The stored queries", "content": _json_list()}},
                }
            },
        },
    }
    for stored in queries.list_queries():
        document["paths"][f"/queries/{stored.name}"] = _stored_query_path(stored)
    return document


def _sparql_path() -> dict[str, Any]:
    query_parameter = {
        "name": "query",
        "in": "query",
        "required": True,
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE).",
        "schema": {"type": "string"},
    }
    responses = _responses(
        (*conneg.SOLUTION_REPRESENTATIONS, *conneg.RDF_REPRESENTATIONS), "The query's results"
    )
    return {
        "get": {
            "operationId": "sparqlQueryGet",
            "summary": "Run a SPARQL query (SPARQL 1.1 Protocol, query via GET)",
            "parameters": [query_parameter, _format_parameter(("json", "xml", "csv", "tsv", *_rdf_names()))],
            "responses": responses,
        },
        "post": {
            "operationId": "sparqlQueryPost",
            "summary": "Run a SPARQL query (SPARQL 1.1 Protocol, query via POST)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}},
                            "required": ["query"],
                        }
                    },
                },
            },
            "responses": responses,
        },
    }


def _stored_query_path(stored: queries.StoredQuery) -> dict[str, Any]:
    graph_result = stored.form in GRAPH_FORMS
    offered = conneg.RDF_REPRESENTATIONS if graph_result else conneg.SOLUTION_REPRESENTATIONS
    parameters = [
        {
            "name": parameter.name,
            "in": "query",
            "required": parameter.required,
            "description": _parameter_description(parameter),
            "schema": {**PARAMETER_SCHEMAS[parameter.type], **_default(parameter)},
        }
        for parameter in stored.parameters
    ]
    parameters.append(_format_parameter(tuple(r.name for r in offered)))
    return {
        "get": {
            "operationId": f"storedQuery_{stored.name.replace('-', '_')}",
            "summary": stored.title or stored.name,
            "description": stored.description,
            "tags": list(stored.tags),
            "parameters": parameters,
            "responses": _responses(offered, "The query's results"),
        }
    }


def _default(parameter: queries.Parameter) -> dict[str, Any]:
    if parameter.default is None:
        return {}
    return {"default": int(parameter.default) if parameter.type == "integer" else parameter.default}


def _parameter_description(parameter: queries.Parameter) -> str:
    kind = {
        "IRI": "an IRI, or a prefixed name of the project's prefixes",
        "concept": f"the code of a concept of the {parameter.scheme} scheme",
    }.get(parameter.type, f"a {parameter.type}")
    return f"{parameter.description} ({kind})"


def _format_parameter(names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The result format, instead of the Accept header.",
        "schema": {"type": "string", "enum": list(names)},
    }


def _rdf_names() -> tuple[str, ...]:
    return tuple(r.name for r in conneg.RDF_REPRESENTATIONS)


def _responses(offered: tuple[conneg.Representation, ...], description: str) -> dict[str, Any]:
    content = {r.media_type: {"schema": {"type": "string"}} for r in offered}
    responses: dict[str, Any] = {"200": {"description": description, "content": content}}
    for status, text in REFUSALS.items():
        responses[status] = {"description": text, "content": {"text/plain": {"schema": {"type": "string"}}}}
    return responses


def _json_list() -> dict[str, Any]:
    return {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
