"""A remote SPARQL 1.1 store behind the Store interface: the graphs `csei push` wrote, found by its record.

`csei push` writes every named graph, the sources' default graph into a named graph of its own
(`DEFAULT_GRAPH_HOLDER`), and last a record of what it wrote (`PUSH_RECORD`: the graphs and their
sizes, in the SPARQL Service Description vocabulary). Every query this store sends states its
dataset from that record (the protocol's `default-graph-uri` and `named-graph-uri`), so the answers
do not depend on what the store makes of its own default graph (Oxigraph's is not the union of its
graphs unless started so; Virtuoso's holds its system graphs too).

Blank nodes are written as skolem IRIs (`GENID`, RDF 1.1 section 3.5) and read back as blank nodes:
a blank node bound to a variable is sent to the store as the IRI that stands for it, never as a
blank node, which a store would read as a new, unknown node.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from csei_graph import admission
from csei_graph.namespaces import BASE
from csei_graph.settings import Settings
from csei_graph.sparql_syntax import GRAPH_FORMS, read_query, with_values
from csei_graph.stores.base import GraphDataset, GraphName, QueryAnswer
from csei_graph.stores.protocol_client import (
    SPARQL_RESULTS_JSON,
    Endpoint,
    ProtocolClient,
    RemoteError,
    Response,
)
from csei_graph.terms import OxTerm

PUSH_RECORD = f"{BASE}graph/pushed"
DEFAULT_GRAPH_HOLDER = f"{BASE}graph/default"
GENID = f"{BASE}.well-known/genid/"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
NOTHING_PUSHED = "nothing pushed here: run csei push"
_RECORD_QUERY = "SELECT ?p ?o WHERE { ?record ?p ?o }"
_COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_SIZES_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class PushedLayout:
    """What `csei push` wrote to a store: the named graphs, where the default graph went, the sizes."""

    named_graphs: tuple[str, ...]
    default_graph_holder: str | None
    triples: Mapping[str, int]

    @property
    def dataset(self) -> GraphDataset:
        """The whole graph as SPARQL sees it locally: every graph merged, the named graphs by name."""
        holder = (self.default_graph_holder,) if self.default_graph_holder else ()
        return GraphDataset((*self.named_graphs, *holder), self.named_graphs)

    def quads(self) -> list[ox.Quad]:
        """The record as quads of the record graph."""
        record = ox.NamedNode(PUSH_RECORD)
        statements = [(record, ox.NamedNode(RDF_TYPE), ox.NamedNode(SD + "Dataset"))]
        if self.default_graph_holder:
            statements.append(
                (record, ox.NamedNode(SD + "defaultGraph"), ox.NamedNode(self.default_graph_holder))
            )
        statements += [(record, ox.NamedNode(SD + "namedGraph"), ox.NamedNode(g)) for g in self.named_graphs]
        statements += [
            (ox.NamedNode(g), ox.NamedNode(VOID_TRIPLES), ox.Literal(str(n), datatype=_XSD_INTEGER))
            for g, n in sorted(self.triples.items())
        ]
        return [ox.Quad(s, p, o, record) for s, p, o in statements]


_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


class RemoteStore:
    """A remote SPARQL 1.1 store holding a graph that `csei push` wrote, queried like the embedded one."""

    def __init__(self, endpoint: Endpoint, settings: Settings | None = None) -> None:
        self.endpoint = endpoint
        self.client = ProtocolClient(endpoint)
        # What the store answers is held to the graph's admission policy, as any other way in.
        self.settings = settings or Settings()

    @cached_property
    def layout(self) -> PushedLayout:
        """The record `csei push` left; RemoteError when there is none (read once per RemoteStore)."""
        return read_layout(self.client)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, OxTerm] | None = None,
        *,
        dataset: GraphDataset | None = None,
    ) -> QueryAnswer:
        """Run a query on the pushed graphs; bindings are sent as a VALUES block of skolemised terms."""
        parsed = read_query(sparql)
        if dataset is None:
            dataset = self._dataset_of(parsed.dataset)
        text = with_values(parsed, {name: skolemised(term) for name, term in (bindings or {}).items()})
        return self._run(text, parsed.form, dataset)

    def _dataset_of(self, stated: object) -> GraphDataset:
        """The dataset a query states (FROM, FROM NAMED), over the pushed graphs only; else all of them."""
        layout = self.layout
        if stated is None:
            return layout.dataset
        known = set(layout.dataset.default_graphs)
        default = tuple(g for g in stated.default_graphs if g in known)  # type: ignore[attr-defined]
        named = tuple(g for g in stated.named_graphs if g in layout.named_graphs)  # type: ignore[attr-defined]
        # A store reads an empty list as "my own default graph": name a graph that holds nothing.
        return GraphDataset(default or (f"{BASE}graph/none",), named)

    def _run(self, text: str, form: str, dataset: GraphDataset) -> QueryAnswer:
        if form in GRAPH_FORMS:
            response = self.client.query(text, accept=GRAPH_TYPES, dataset=dataset)
            quads = _parse_rdf(self.endpoint.query_url, response, self.settings)
            return iter([quad.triple for quad in quads])
        response = self.client.query(text, accept=SPARQL_RESULTS_JSON, dataset=dataset)
        return _parse_results(self.endpoint.query_url, response, self.settings)

    def __len__(self) -> int:
        """Quads of the pushed graphs, counted by the store."""
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each pushed graph (the default graph's holder included), counted by the store."""
        layout = self.layout
        everything = GraphDataset(layout.dataset.default_graphs, layout.dataset.default_graphs)
        solutions = self._run(_SIZES_QUERY, "SELECT", everything)
        assert isinstance(solutions, ox.QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in solutions}

    def graph_names(self) -> list[str]:
        """IRIs of the pushed named graphs, sorted."""
        return sorted(self.layout.named_graphs)

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads of one pushed graph, or of all of them, fetched by the Graph Store Protocol."""
        layout = self.layout
        wanted: list[tuple[str, ox.NamedNode | ox.DefaultGraph]] = []
        whole_or_default = graph is None or isinstance(graph, ox.DefaultGraph)
        if whole_or_default and layout.default_graph_holder:
            wanted.append((layout.default_graph_holder, ox.DefaultGraph()))
        if graph is None:
            wanted += [(name, ox.NamedNode(name)) for name in layout.named_graphs]
        elif isinstance(graph, str) and graph in layout.named_graphs:
            wanted.append((graph, ox.NamedNode(graph)))
        for remote_name, local_name in wanted:
            answer = self.client.get_graph(remote_name)
            for quad in _parse_rdf(self.endpoint.graph_store_url, answer, self.settings):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, local_name)

    def check(self) -> PushedLayout:
        """Make sure this store answers for the pushed graphs, whole, and for nothing else.

        RemoteError when nothing was pushed, when a graph is not the size it was pushed at (a push
        cut short, a graph changed by hand), or when the store ignores the dataset a query states
        (it would answer from other graphs).
        """
        layout = self.layout
        record_only = self._run(_COUNT_QUERY, "SELECT", GraphDataset((PUSH_RECORD,), ()))
        assert isinstance(record_only, ox.QuerySolutions)
        if int(next(iter(record_only))["n"].value) != len(layout.quads()):
            raise RemoteError(
                self.endpoint.query_url,
                "the store ignores the dataset a query states (default-graph-uri): it would answer "
                "from graphs that were not pushed",
                hint="use a SPARQL 1.1 endpoint that honours default-graph-uri and named-graph-uri",
            )
        sizes = self.graph_sizes()
        expected = dict(layout.triples)
        unexpected = sorted(set(sizes) - set(expected))
        if unexpected:
            raise RemoteError(
                self.endpoint.query_url,
                f"the store answers from graphs that were not pushed, such as <{unexpected[0]}>",
                hint="it ignores the dataset a query states (named-graph-uri); use another endpoint URL",
            )
        for name, count in sorted(expected.items()):
            if sizes.get(name, 0) != count:
                raise RemoteError(
                    self.endpoint.query_url,
                    f"graph <{name}> holds {sizes.get(name, 0)} triples where {count} were pushed",
                    hint="a push was cut short or the graph was changed: run csei push again",
                )
        return layout


def read_layout(client: ProtocolClient) -> PushedLayout:
    """The record of what `csei push` wrote to the store; RemoteError saying so when there is none."""
    response = client.query(
        _RECORD_QUERY.replace("?record", f"<{PUSH_RECORD}>"),
        accept=SPARQL_RESULTS_JSON,
        dataset=GraphDataset((PUSH_RECORD,), ()),
    )
    solutions = _parse_results(client.endpoint.query_url, response)
    assert isinstance(solutions, ox.QuerySolutions)
    named: list[str] = []
    holder: str | None = None
    for row in solutions:
        if row["p"].value == SD + "namedGraph":
            named.append(row["o"].value)
        elif row["p"].value == SD + "defaultGraph":
            holder = row["o"].value
    if not named and holder is None:
        raise RemoteError(
            client.endpoint.query_url,
            NOTHING_PUSHED,
            hint=f"the store holds no record of a push (graph <{PUSH_RECORD}>); "
            "csei push --endpoint URL loads the graph and writes it",
        )
    sizes = _sizes(client, [*named, *([holder] if holder else [])])
    return PushedLayout(tuple(sorted(named)), holder, sizes)


def _sizes(client: ProtocolClient, graphs: list[str]) -> dict[str, int]:
    query = f"SELECT ?g ?n WHERE {{ <{PUSH_RECORD}> ?has ?g . ?g <{VOID_TRIPLES}> ?n }}"
    response = client.query(query, accept=SPARQL_RESULTS_JSON, dataset=GraphDataset((PUSH_RECORD,), ()))
    solutions = _parse_results(client.endpoint.query_url, response)
    assert isinstance(solutions, ox.QuerySolutions)
    found = {row["g"].value: int(float(row["n"].value)) for row in solutions}
    return {graph: found.get(graph, 0) for graph in graphs}


def skolemised(term: OxTerm) -> OxTerm:
    """A blank node as the IRI that stands for it in a pushed graph; any other term as it is."""
    return ox.NamedNode(GENID + term.value) if isinstance(term, ox.BlankNode) else term


def unskolemised(term: OxTerm) -> OxTerm:
    """The blank node a skolem IRI stands for; any other term as it is."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(GENID):
        return ox.BlankNode(term.value[len(GENID) :])
    return term


def skolemised_triples(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """Triples with their blank nodes written as skolem IRIs, to be sent to a store."""
    for triple in triples:
        yield ox.Triple(skolemised(triple.subject), triple.predicate, skolemised(triple.object))  # type: ignore[arg-type]


def _parse_rdf(url: str, response: Response, settings: Settings) -> Iterator[ox.Quad]:
    rdf_format = ox.RdfFormat.from_media_type(response.content_type)
    if rdf_format is None:
        raise RemoteError(url, f"the store answered {response.content_type}, not RDF")
    try:
        for quad in ox.parse(response.body, format=rdf_format):
            refused = admission.term_refusal(quad, settings)
            if refused is not None:
                raise _refused(url, refused)
            yield ox.Quad(
                unskolemised(quad.subject), quad.predicate, unskolemised(quad.object), quad.graph_name
            )  # type: ignore[arg-type]
    except SyntaxError as error:
        raise RemoteError(url, f"the store's answer is not valid {rdf_format.name}: {error}") from None


def _refused(url: str, refused: admission.Refusal) -> RemoteError:
    hint = refused.hint if refused.setting else "remove the triple terms from the store"
    return RemoteError(url, f"the store's answer holds what the graph may not: {refused.message}", hint=hint)


def _parse_results(
    url: str, response: Response, settings: Settings | None = None
) -> ox.QuerySolutions | ox.QueryBoolean:
    if response.content_type != SPARQL_RESULTS_JSON:
        raise RemoteError(url, f"the store answered {response.content_type}, not SPARQL results (JSON)")
    settings = settings or Settings()
    try:
        document = json.loads(response.body)
        for row in document.get("results", {}).get("bindings", []):
            for value in row.values():
                _admit_value(url, value, settings)
                if value.get("type") == "uri" and value.get("value", "").startswith(GENID):
                    value["type"], value["value"] = "bnode", value["value"][len(GENID) :]
        return ox.parse_query_results(json.dumps(document), format=ox.QueryResultsFormat.JSON)
    except (ValueError, SyntaxError, AttributeError) as error:
        raise RemoteError(url, f"the store's answer is not valid SPARQL JSON results: {error}") from None


def _admit_value(url: str, value: dict[str, object], settings: Settings) -> None:
    """RemoteError for a value of a SPARQL JSON answer the admission policy refuses: a triple term, an IRI
    or a literal over its limit."""
    kind, text = value.get("type"), value.get("value")
    if kind == "triple":
        raise _refused(url, admission.Refusal("a triple term (RDF 1.2)", "", "", ""))
    if not isinstance(text, str):
        return
    if kind == "uri" and len(text) > settings.max_iri_chars:
        limit, setting, what = settings.max_iri_chars, "max_iri_chars", "an IRI"
    elif kind in ("literal", "typed-literal") and len(text) > settings.max_literal_chars:
        limit, setting, what = settings.max_literal_chars, "max_literal_chars", "a literal"
    else:
        return
    message = f"{what} of {len(text):,} characters exceeds the limit of {limit:,} ({setting})"
    raise _refused(url, admission.Refusal(message, "", setting, "shorten it"))
