"""A remote SPARQL 1.1 store behind the query interface of GraphStore, and push and pull of whole graphs."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from csei_graph.remote import Endpoint, RemoteError, Response, get_graph, put_graph, sparql_query
from csei_graph.sparql_text import GRAPH_FORMS, bind_as_values, query_form
from csei_graph.store import GraphStore
from csei_graph.terms import OxTerm

_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class RemoteStore:
    """A remote SPARQL store queried like GraphStore; give it a store whose default graph is the union.

    Oxigraph does that when started with `--union-default-graph`; Virtuoso always does.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def query(
        self, sparql: str, bindings: Mapping[str, OxTerm] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a SPARQL query remotely; bindings are sent as a VALUES block of serialised RDF terms."""
        graph_result = query_form(sparql) in GRAPH_FORMS
        text = bind_as_values(sparql, dict(bindings or {}))
        response = sparql_query(self.endpoint, text, graph_result=graph_result)
        if graph_result:
            return (quad.triple for quad in _parse_rdf(self.endpoint.query_url, response))
        return _parse_results(self.endpoint.query_url, response)

    def __len__(self) -> int:
        """Triples of the default graph: on a store whose default graph is the union, every quad."""
        solutions = self.query(_COUNT_QUERY)
        assert isinstance(solutions, ox.QuerySolutions)
        return next(int(row["n"].value) for row in solutions)

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        solutions = self.query(_GRAPHS_QUERY)
        assert isinstance(solutions, ox.QuerySolutions)
        return sorted({row["g"].value for row in solutions if isinstance(row["g"], ox.NamedNode)})

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of every named graph, graph by graph, fetched by the Graph Store Protocol."""
        for name in self.graph_names():
            graph = ox.NamedNode(name)
            for quad in _parse_rdf(self.endpoint.graph_store_url, get_graph(self.endpoint, name)):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)


@dataclass(frozen=True)
class Transfer:
    """What a push or a pull moved: triples per graph ("" for the default graph)."""

    triples: dict[str, int]

    @property
    def total(self) -> int:
        """Triples moved, all graphs together."""
        return sum(self.triples.values())


def push(
    store: GraphStore,
    endpoint: Endpoint,
    *,
    graphs: Sequence[str] = (),
    default_graph: str | None = None,
) -> Transfer:
    """Upload graphs to a remote store by the Graph Store Protocol, each replacing the remote one.

    Without `graphs`, every named graph and the default graph go. `default_graph` names the remote
    named graph that receives the local default graph, for stores that have no default graph of
    their own (Virtuoso). Each graph goes in one request, so the blank nodes of a graph stay one.
    A push that fails part-way leaves the graphs already sent replaced; pushing again is safe.
    """
    local = store.graph_names()
    unknown = sorted(set(graphs) - set(local))
    if unknown:
        raise ValueError(f"no graph <{unknown[0]}> in the local store; its graphs are: {', '.join(local)}")
    moved: dict[str, int] = {}
    for name in graphs or local:
        turtle, count = _named_graph_text(store, name)
        put_graph(endpoint, name, turtle)
        moved[name] = count
    if not graphs:
        triples = [quad.triple for quad in store.quads() if isinstance(quad.graph_name, ox.DefaultGraph)]
        if triples:
            put_graph(endpoint, default_graph, _ntriples(triples))
            moved[default_graph or ""] = len(triples)
    return Transfer(moved)


def pull(
    endpoint: Endpoint,
    *,
    graphs: Sequence[str] = (),
    default_graph: str | None = None,
    base_iri: str = "",
) -> tuple[ox.Dataset, Transfer]:
    """Download graphs from a remote store by the Graph Store Protocol.

    Without `graphs`, every remote named graph whose IRI starts with `base_iri` comes, and the default
    graph (or the named graph `default_graph` stands for it, which then becomes the default graph).
    """
    names = list(graphs) or [
        name
        for name in RemoteStore(endpoint).graph_names()
        if name.startswith(base_iri) and name != default_graph
    ]
    dataset = ox.Dataset()
    moved: dict[str, int] = {}
    wanted: list[tuple[str | None, ox.NamedNode | ox.DefaultGraph]] = [
        (name, ox.NamedNode(name)) for name in names
    ]
    if not graphs:
        wanted.append((default_graph, ox.DefaultGraph()))
    for remote_name, local_name in wanted:
        response = get_graph(endpoint, remote_name)
        count = 0
        for quad in _parse_rdf(endpoint.graph_store_url, response):
            dataset.add(ox.Quad(quad.subject, quad.predicate, quad.object, local_name))
            count += 1
        moved[remote_name or ""] = count
    return dataset, Transfer(moved)


def _named_graph_text(store: GraphStore, name: str) -> tuple[bytes, int]:
    triples = store.query(_GRAPH_QUERY, {"g": ox.NamedNode(name)})
    assert isinstance(triples, ox.QueryTriples)
    text = triples.serialize(format=ox.RdfFormat.N_TRIPLES)
    # N-Triples holds one triple per line: a line break inside a literal is written as \n.
    return text, text.count(b"\n")


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    # N-Triples is Turtle too, and every store reads Turtle; it needs no prefixes to be written.
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _parse_rdf(url: str, response: Response) -> Iterator[ox.Quad]:
    rdf_format = ox.RdfFormat.from_media_type(response.content_type)
    if rdf_format is None:
        raise RemoteError(url, f"the store answered {response.content_type}, not RDF")
    try:
        yield from ox.parse(response.body, format=rdf_format)
    except SyntaxError as error:
        raise RemoteError(url, f"the store's answer is not valid {rdf_format.name}: {error}") from None


def _parse_results(url: str, response: Response) -> ox.QuerySolutions | ox.QueryBoolean:
    results_format = ox.QueryResultsFormat.from_media_type(response.content_type)
    if results_format is None:
        raise RemoteError(url, f"the store answered {response.content_type}, not SPARQL results")
    try:
        return ox.parse_query_results(response.body, format=results_format)
    except SyntaxError as error:
        raise RemoteError(url, f"the store's answer is not valid {results_format.name}: {error}") from None
