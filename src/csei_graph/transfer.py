"""Push and pull of whole graphs between a store and a remote SPARQL store (Graph Store Protocol).

A push writes every named graph, the default graph into a named graph of its own, and last the
record of what it wrote (`stores.remote.PushedLayout`), which the remote store reads to state the
dataset of every query. Pushing again gives the same store: graphs are replaced whole, their blank
nodes written as skolem IRIs made from their canonical labels (the same at every push), and graphs a
previous push wrote that the graph no longer has are removed.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from csei_graph import admission
from csei_graph.export.canonical import canonical_blank_nodes
from csei_graph.progress import Steps
from csei_graph.settings import Settings
from csei_graph.stores.base import GraphName, Store
from csei_graph.stores.protocol_client import Endpoint, ProtocolClient, RemoteError
from csei_graph.stores.remote import (
    DEFAULT_GRAPH_HOLDER,
    PUSH_RECORD,
    PushedLayout,
    RemoteStore,
    read_layout,
    skolemised_triples,
)


@dataclass(frozen=True)
class Transfer:
    """What a push or a pull moved: triples per graph ("" for the default graph)."""

    triples: dict[str, int]

    @property
    def total(self) -> int:
        """Triples moved, all graphs together."""
        return sum(self.triples.values())


def push(
    store: Store,
    endpoint: Endpoint,
    *,
    graphs: Sequence[str] = (),
    default_graph: str = DEFAULT_GRAPH_HOLDER,
    progress: Steps | None = None,
) -> Transfer:
    """Upload graphs to a remote store by the Graph Store Protocol, each replacing the remote one.

    Without `graphs`, every named graph goes, and the default graph into the named graph
    `default_graph`; with them, those graphs only, added to what the store already holds. Each
    graph goes in one request, so its blank nodes (written as skolem IRIs) stay one. A push that
    fails part-way leaves the record of the previous push, which then no longer matches the graphs:
    `csei query --endpoint` and `csei serve --endpoint` say so until the push is run again.
    """
    local = store.graph_names()
    unknown = sorted(set(graphs) - set(local))
    if unknown:
        raise ValueError(f"no graph <{unknown[0]}> in the local store; its graphs are: {', '.join(local)}")
    if default_graph in local or default_graph == PUSH_RECORD:
        raise ValueError(f"<{default_graph}> is a graph of its own: choose another --default-graph")
    shown = progress or Steps()
    client = ProtocolClient(endpoint)
    previous = _previous_layout(client) if graphs else None
    blank = _canonical_blank_statements(store)
    moved: dict[str, int] = {}
    names = graphs or local
    shown.step("pushing the graphs", len(names) + (0 if graphs else 1), unit="graphs")
    for name in names:
        moved[name] = _put(client, name, _triples(store, name, blank))
        shown.advance()
    if not graphs:
        moved[""] = _put(client, default_graph, _triples(store, ox.DefaultGraph(), blank))
        shown.advance()
    shown.step("recording what was pushed")
    layout = _layout_after(previous, moved, default_graph)
    if not graphs:
        stale = set(_known_graphs(client)) - set(layout.triples)
        for name in sorted(stale):
            client.delete_graph(name)
    client.put_graph(
        PUSH_RECORD, ox.serialize([q.triple for q in layout.quads()], format=ox.RdfFormat.N_TRIPLES)
    )
    return Transfer(moved)


def pull(
    endpoint: Endpoint, *, graphs: Sequence[str] = (), settings: Settings | None = None
) -> tuple[ox.Dataset, Transfer]:
    """Download what `csei push` wrote to a remote store: every pushed graph, or only `graphs`.

    The default graph comes back from the named graph that holds it, blank nodes from their skolem IRIs.
    What comes back is held to the graph's admission policy (RemoteError naming the limit otherwise).
    """
    settings = settings or Settings()
    remote = RemoteStore(endpoint, settings)
    layout = remote.layout
    unknown = sorted(set(graphs) - set(layout.named_graphs))
    if unknown:
        raise ValueError(
            f"no graph <{unknown[0]}> was pushed there; its graphs are: {', '.join(layout.named_graphs)}"
        )
    dataset = ox.Dataset()
    moved: dict[str, int] = {}
    wanted: list[str | ox.DefaultGraph] = list(graphs) or [ox.DefaultGraph(), *layout.named_graphs]
    for graph in wanted:
        count = 0
        for quad in remote.quads(graph):
            dataset.add(quad)
            count += 1
        moved["" if isinstance(graph, ox.DefaultGraph) else graph] = count
    refused = admission.first_refusal(dataset, settings)
    if refused is not None:
        raise RemoteError(
            endpoint.graph_store_url,
            f"the pulled graphs hold what the graph may not: {refused.message}",
            hint=refused.hint,
        )
    return dataset, Transfer(moved)


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _canonical_blank_statements(store: Store) -> dict[str, list[ox.Triple]]:
    """The statements holding blank nodes, by graph ("" for the default graph), their blank nodes
    labelled canonically over the whole graph: the labels a parse gives differ at every load, and a
    push with them would write other skolem IRIs each time."""
    canonical = canonical_blank_nodes(quad for quad in store.quads() if _has_blank_node(quad))
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in canonical:
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        by_graph.setdefault(name, []).append(quad.triple)
    return by_graph


def _triples(store: Store, graph: GraphName, blank: dict[str, list[ox.Triple]]) -> Iterator[ox.Triple]:
    """A graph's triples, those holding blank nodes as labelled canonically."""
    yield from (quad.triple for quad in store.quads(graph) if not _has_blank_node(quad))
    yield from blank.get("" if isinstance(graph, ox.DefaultGraph) else str(graph), [])


def _put(client: ProtocolClient, name: str, triples: Iterable[ox.Triple]) -> int:
    """Replace a remote graph by these triples, as N-Triples (Turtle too: every store reads it)."""
    text = ox.serialize(skolemised_triples(triples), format=ox.RdfFormat.N_TRIPLES)
    client.put_graph(name, text)
    # N-Triples holds one triple per line: a line break inside a literal is written as \n.
    return text.count(b"\n")


def _previous_layout(client: ProtocolClient) -> PushedLayout | None:
    try:
        return read_layout(client)
    except RemoteError as error:
        if error.status is not None:
            raise
        return None


def _layout_after(previous: PushedLayout | None, moved: dict[str, int], default_graph: str) -> PushedLayout:
    """The record after a push: what it moved, with what a previous push left when it moved only some."""
    sizes = dict(previous.triples) if previous else {}
    holder = previous.default_graph_holder if previous else None
    for name, count in moved.items():
        if name:
            sizes[name] = count
        else:
            holder = default_graph
            sizes[default_graph] = count
    named = tuple(sorted(g for g in sizes if g != holder))
    return PushedLayout(named, holder, sizes)


def _known_graphs(client: ProtocolClient) -> list[str]:
    """The graphs the previous push wrote (none if nothing was pushed)."""
    previous = _previous_layout(client)
    return list(previous.triples) if previous else []
