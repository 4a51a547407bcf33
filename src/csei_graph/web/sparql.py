"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, never reaching other hosts, within limits.

- GET `?query=`, POST form (`query=`) or POST `application/sparql-query`; results as SPARQL JSON,
  XML, CSV or TSV, graphs (CONSTRUCT, DESCRIBE) as Turtle, JSON-LD, N-Triples or RDF/XML, chosen by
  the Accept header or `?format=`.
- What runs is decided by `queries.policy.check_public_query` (from the parsers, before anything
  runs): updates are refused with 403 and so is SERVICE, which the engine would follow to any host.
- A dataset can be stated in the request (`default-graph-uri`, `named-graph-uri`) or in the query
  (FROM, FROM NAMED), over the graph's named graphs; without one, the default graph is the union
  of every graph.
- `format` (or `output`) names a result format; one this endpoint does not know is left to Accept,
  as clients such as SPARQLWrapper send both.
- A query runs within the time limit, the row cap and the memory limit of the settings (workers.py).
- Without a query: the query editor for a browser, the service description for a program.
"""

import urllib.parse
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from csei_graph import export, queries
from csei_graph.namespaces import BASE, PREFIXES
from csei_graph.pages.editor import EditorView
from csei_graph.pages.render import render, script_json
from csei_graph.queries.policy import READ_ONLY, PublicQuery, Refused, check_public_query
from csei_graph.queries.results import safe_results
from csei_graph.sparql_syntax import GRAPH_FORMS
from csei_graph.stores.embedded import GraphStore
from csei_graph.web import conneg
from csei_graph.web.answers import Answer, Job
from csei_graph.web.pages import service_of
from csei_graph.web.service import Service

FORM_CONTENT = "application/x-www-form-urlencoded"
QUERY_CONTENT = "application/sparql-query"
UPDATE_CONTENT = "application/sparql-update"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
EXAMPLE_QUERY = """PREFIX csei: <https://w3id.org/csei/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# Clusters and the country they are in
SELECT ?cluster ?name ?country WHERE {
  ?cluster a/rdfs:subClassOf* csei:Cluster ;
           skos:prefLabel ?name .
  OPTIONAL { ?cluster csei:country ?country }
}
ORDER BY ?name
LIMIT 100
"""

# A request the endpoint will not run: the HTTP status and why, in words.
Refusal = Refused


# ------------------------------------------------------------------------------------- policy


def check_query(text: str, service: Service, asked: "ProtocolRequest") -> PublicQuery:
    """The query and dataset a request may run (see queries.policy); Refused otherwise."""
    return check_public_query(
        text,
        default_graphs=asked.default_graphs,
        named_graphs=asked.named_graphs,
        engine_checks_syntax=isinstance(service.store, GraphStore),
        max_nesting=service.settings.sparql_max_nesting,
    )


# ------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ProtocolRequest:
    """What a request to /sparql asks: a query (or none), the format override and the dataset."""

    query: str | None
    format: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


async def read_request(request: Request, max_bytes: int) -> ProtocolRequest:
    """The query of a GET or POST by the SPARQL 1.1 Protocol; Refusal for anything else."""
    parameters: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        parameters.setdefault(name, []).append(value)
    if request.method == "POST":
        for name, values in (await _post_parameters(request, max_bytes)).items():
            parameters.setdefault(name, []).extend(values)
    if "update" in parameters:
        raise Refusal(403, READ_ONLY)
    if len(parameters.get("query", [])) > 1:
        raise Refusal(400, "give one query: the request has several query parameters")
    query = parameters.get("query", [None])[0]
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise Refusal(413, f"the query is longer than {max_bytes:,} bytes, the most this endpoint reads")
    format_value = (parameters.get("format") or parameters.get("output") or [None])[0]
    return ProtocolRequest(
        query,
        format_value,
        tuple(parameters.get("default-graph-uri", [])),
        tuple(parameters.get("named-graph-uri", [])),
    )


async def _post_parameters(request: Request, max_bytes: int) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == UPDATE_CONTENT:
        raise Refusal(403, READ_ONLY)
    if content_type not in (FORM_CONTENT, QUERY_CONTENT):
        raise Refusal(415, f"send the query as {QUERY_CONTENT} or as a form ({FORM_CONTENT})")
    body = await read_body(request, max_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the request body is not UTF-8 text") from None
    if content_type == QUERY_CONTENT:
        return {"query": [text]}
    return urllib.parse.parse_qs(text, keep_blank_values=True)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 as soon as it is longer than max_bytes (never read whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise Refusal(
            413, f"the request body is larger than {max_bytes:,} bytes, the most this endpoint reads"
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise Refusal(
                413, f"the request body is larger than {max_bytes:,} bytes, the most this endpoint reads"
            )
        chunks.append(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------------------------- handlers


async def endpoint(request: Request) -> Response:
    """/sparql: run a query, or show the editor (browsers) or the service description (programs)."""
    service = service_of(request)
    try:
        asked = await read_request(request, service.settings.max_request_bytes)
        if asked.query is None:
            return _without_query(request, service, asked.format)
        checked = check_query(asked.query, service, asked)
    except Refusal as refusal:
        return refusal_response(refusal)
    offered = conneg.RDF_REPRESENTATIONS if checked.form in GRAPH_FORMS else conneg.SOLUTION_REPRESENTATIONS
    if asked.format is None and _prefers_html(request, offered):
        return editor_response(service, "sparql", asked.query, autorun=True)
    try:
        chosen = _chosen(request, asked.format, offered)
    except conneg.NotAcceptable as error:
        return PlainTextResponse(str(error), status_code=406)
    job = Job(chosen.name, service.settings.sparql_max_rows, sparql=checked.text, dataset=checked.dataset)
    answered = await service.runner.run(job, service.settings.sparql_timeout)
    return answer_response(answered, chosen, safe_csv=service.settings.safe_csv)


async def editor(request: Request) -> Response:
    """/query-editor: the editor, with a query (`?query=`) or a stored query (`?stored=NAME`) loaded."""
    service = service_of(request)
    return editor_response(service, "query-editor", request.query_params.get("query"), autorun=False)


def answer_response(answered: Answer, representation: conneg.Representation, *, safe_csv: bool) -> Response:
    """The results (CSV and TSV made safe for spreadsheets, with `safe_csv`), or the refusal that says
    which limit stopped the query."""
    if answered.status != 200:
        return PlainTextResponse(answered.message, status_code=answered.status, headers=_retry(answered))
    body = safe_results(answered.body, representation.name) if safe_csv else answered.body
    return Response(
        body,
        media_type=representation.content_type,
        headers={"Vary": "Accept", "Cache-Control": "no-store", "X-Result-Rows": str(answered.rows)},
    )


def _chosen(
    request: Request, format_value: str | None, offered: tuple[conneg.Representation, ...]
) -> conneg.Representation:
    """The format the request names, if this endpoint knows it; else the one its Accept header prefers."""
    if format_value:
        try:
            return conneg.by_format(format_value, offered)
        except conneg.UnknownFormat:
            pass
    return conneg.negotiate(request.headers.get("accept"), offered)


def refusal_response(refusal: Refusal) -> Response:
    """A refusal as plain text with its status."""
    return PlainTextResponse(refusal.message, status_code=refusal.status)


def _retry(answered: Answer) -> dict[str, str]:
    return {"Retry-After": "5"} if answered.status == 503 else {}


def _prefers_html(request: Request, offered: tuple[conneg.Representation, ...]) -> bool:
    """Whether the client is a browser that asked for a page rather than for results."""
    try:
        return conneg.negotiate(request.headers.get("accept"), (*offered, conneg.HTML)) is conneg.HTML
    except conneg.NotAcceptable:
        return False


def _without_query(request: Request, service: Service, format_value: str | None) -> Response:
    offered = (conneg.HTML, *conneg.RDF_REPRESENTATIONS)
    try:
        chosen = conneg.choose(request.headers.get("accept"), format_value, offered)
    except conneg.UnknownFormat as error:
        return PlainTextResponse(str(error), status_code=400)
    except conneg.NotAcceptable as error:
        return PlainTextResponse(str(error), status_code=406)
    if chosen is conneg.HTML:
        return editor_response(service, "sparql", None, autorun=False)
    endpoint_url = str(request.url.replace(query=""))
    body = export.to_bytes(
        service_description(endpoint_url), export.export_format(chosen.name), service.settings
    )
    return Response(body, media_type=chosen.content_type, headers={"Vary": "Accept"})


def service_description(endpoint_url: str) -> list[ox.Quad]:
    """The SPARQL 1.1 Service Description of the endpoint: what it runs and answers with."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    statements = [
        (service, rdf_type, sd("Service")),
        (service, sd("endpoint"), ox.NamedNode(endpoint_url)),
        (service, sd("supportedLanguage"), sd("SPARQL11Query")),
        (service, sd("feature"), sd("UnionDefaultGraph")),
        (service, sd("defaultDataset"), dataset),
        (dataset, rdf_type, sd("Dataset")),
        *((service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)) for name in RESULT_FORMAT_IRIS),
    ]
    return [ox.Quad(s, p, o) for s, p, o in statements]


# ------------------------------------------------------------------------------------- the editor


def editor_response(service: Service, path: str, query: str | None, *, autorun: bool) -> Response:
    """The editor page (HTML), opened with a query or the example."""
    settings = service.settings
    view = EditorView(
        path=path,
        title="SPARQL query editor",
        query=query if query is not None else EXAMPLE_QUERY,
        autorun=autorun and query is not None,
        stored_json=script_json(stored_query_catalogue()),
        base_iri=BASE,
        timeout=settings.sparql_timeout,
        max_rows=settings.sparql_max_rows,
        prefixes=tuple(sorted(PREFIXES.items())),
    )
    html = render(view)
    return Response(html, media_type=conneg.HTML.content_type, headers={"Cache-Control": "no-cache"})


@cache
def stored_query_catalogue() -> list[dict[str, object]]:
    """The stored queries as the editor and /queries list them: name, title, text, parameters."""
    return [
        {
            "name": stored.name,
            "title": stored.title or stored.name,
            "description": stored.description,
            "form": stored.form,
            "sparql": stored.text,
            "parameters": [
                {
                    "name": parameter.name,
                    "type": parameter.type_label,
                    "default": parameter.default,
                    "required": parameter.required,
                    "description": parameter.description,
                }
                for parameter in stored.parameters
            ],
        }
        for stored in queries.list_queries()
    ]
