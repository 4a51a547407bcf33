"""A resource page reads the values it shows and counts the others: the same values from the store as from
the index (`bounds`), ties at the boundary included, and never every value of a large property."""

from collections.abc import Iterator, Mapping

import pyoxigraph as ox
import pytest

from csei_graph.namespaces import BASE
from csei_graph.pages import resource
from csei_graph.pages.bounds import boundary, sort_key
from csei_graph.pages.index import GraphIndex, IndexedReader
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import render
from csei_graph.pages.resource import resource_page
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import OxTerm

NODE = ox.NamedNode(f"{BASE}id/bounded/node")
VALUE = ox.NamedNode("http://example.org/value")
POINTS = ox.NamedNode("http://example.org/points")
OTHER = ox.NamedNode("http://example.org/other")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPHS = [ox.NamedNode(f"{BASE}graph/bounded-{n}") for n in range(3)]


def _large() -> list[ox.Quad]:
    """2,000 values of one property (IRIs, literals, blank nodes, some in two graphs) and 300 subjects
    pointing at the node, with a few small properties beside them."""
    quads = [
        ox.Quad(NODE, LABEL, ox.Literal("The node"), GRAPHS[0]),
        ox.Quad(NODE, OTHER, ox.Literal("small"), GRAPHS[1]),
        ox.Quad(NODE, OTHER, ox.Literal("small"), ox.DefaultGraph()),
    ]
    for n in range(2000):
        kind = n % 4
        if kind == 0:
            value: OxTerm = ox.NamedNode(f"{BASE}id/bounded/v{(n * 7919) % 2000:04d}")
            quads.append(ox.Quad(value, LABEL, ox.Literal(f"value {n}", language="en"), GRAPHS[2]))  # type: ignore[arg-type]
        elif kind == 1:
            value = ox.Literal(f"{BASE}id/bounded/v{n:04d}", language="en" if n % 3 else "fr")
        elif kind == 2:
            value = ox.Literal(str((n * 31) % 997), datatype=ox.NamedNode(XSD + "integer"))
        else:
            value = ox.BlankNode(f"b{n}") if n < 40 else ox.Literal(f"text {n % 600}")
        quads.append(ox.Quad(NODE, VALUE, value, GRAPHS[n % 2]))
        if n % 5 == 0:
            quads.append(ox.Quad(NODE, VALUE, value, GRAPHS[2]))
    for n in range(300):
        subject: ox.NamedNode | ox.BlankNode = (
            ox.BlankNode(f"s{n}") if n % 50 == 0 else ox.NamedNode(f"{BASE}id/bounded/s{(n * 37) % 300:03d}")
        )
        quads.append(ox.Quad(subject, POINTS, NODE, GRAPHS[n % 3]))
        quads.append(ox.Quad(subject, LABEL, ox.Literal(f"pointer {n}"), GRAPHS[0]))
    return quads


def _store(quads: list[ox.Quad]) -> GraphStore:
    raw = ox.Store()
    raw.extend(quads)
    return GraphStore(raw)


@pytest.fixture(scope="module")
def large() -> GraphStore:
    return _store(_large())


def _distinct(store: GraphStore, predicate: ox.NamedNode, outgoing: bool) -> set[OxTerm]:
    pattern = (NODE, predicate, None) if outgoing else (None, predicate, NODE)
    return {t.object if outgoing else t.subject for t in store.triples_matching(*pattern)}


def _expected(store: GraphStore, shown: int, predicate: ox.NamedNode, outgoing: bool) -> set[OxTerm]:
    """The rule written out: every distinct value whose string value is at most the `shown`-th smallest."""
    values = _distinct(store, predicate, outgoing)
    keys = sorted(sort_key(v) for v in values)
    last = keys[shown - 1] if len(keys) > shown else keys[-1]
    return {v for v in values if sort_key(v) <= last}


def _both(store: GraphStore) -> tuple[Reader, IndexedReader]:
    return Reader(store), IndexedReader(store, GraphIndex(store.quads()))


def _same_pages(store: GraphStore, iri: str) -> str:
    live, indexed = _both(store)
    served = render(resource_page(live, iri))
    assert served == render(resource_page(indexed, iri))
    return served


def test_a_large_property_shows_the_rules_values_and_counts_the_others(large: GraphStore) -> None:
    for reader in _both(large):
        facts, counts = reader.outgoing(NODE, resource.VALUES_SHOWN)
        total = len(_distinct(large, VALUE, outgoing=True))
        assert total > 1000 and counts == {VALUE.value: total, OTHER.value: 1, LABEL.value: 1}
        read = {o for p, o, _ in facts if p == VALUE}
        assert read == _expected(large, resource.VALUES_SHOWN, VALUE, outgoing=True)
        assert {(p, o) for p, o, _ in facts if p != VALUE} == {
            (OTHER, ox.Literal("small")),
            (LABEL, ox.Literal("The node")),
        }
        subjects, pointing = reader.incoming(NODE, resource.BACKLINKS_SHOWN)
        assert pointing == {POINTS.value: 300}
        assert set(subjects[POINTS.value]) == _expected(
            large, resource.BACKLINKS_SHOWN, POINTS, outgoing=False
        )
    view = resource_page(Reader(large), NODE.value)
    assert view is not None
    (row,) = [r for r in view.properties if r.property.iri == VALUE.value]
    assert (
        len(row.values) == resource.VALUES_SHOWN
        and row.more == len(_distinct(large, VALUE, outgoing=True)) - resource.VALUES_SHOWN
    )
    (backlinks,) = view.backlinks
    assert backlinks.count == 300 and len(backlinks.subjects) == resource.BACKLINKS_SHOWN
    _same_pages(large, NODE.value)


def test_the_graphs_of_the_values_shown_are_all_read(large: GraphStore) -> None:
    def graphs(reader: Reader) -> dict[tuple[str, str], set[str]]:
        # As a page reads them: the named graphs of each fact (the default graph is none of them).
        found: dict[tuple[str, str], set[str]] = {}
        for p, o, g in reader.outgoing(NODE, resource.VALUES_SHOWN)[0]:
            found.setdefault((p.value, str(o)), set()).update([g] if g else [])
        return found

    live, indexed = _both(large)
    assert graphs(live) == graphs(indexed)
    assert any(len(named) == 2 for named in graphs(live).values())


def test_values_tied_at_the_boundary_are_all_shown_by_both_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource, "VALUES_SHOWN", 6)
    monkeypatch.setattr(resource, "BACKLINKS_SHOWN", 2)
    tied = "http://example.org/tied"
    values: list[OxTerm] = [
        ox.BlankNode("first"),
        ox.BlankNode("second"),
        ox.BlankNode("third"),
        ox.Literal("a"),
        ox.Literal("\U0001f600 astral"),
        ox.Literal("\ufb00 ligature"),
        ox.Literal("é"),
        ox.Literal(tied),
        ox.Literal(tied, language="en"),
        ox.Literal(tied, language="de"),
        ox.Literal(tied, datatype=ox.NamedNode(XSD + "anyURI")),
        ox.NamedNode(tied),
        ox.Literal("zz"),
        ox.Literal("Z upper"),
    ]
    quads = [ox.Quad(NODE, VALUE, v, GRAPHS[0]) for v in values]  # type: ignore[arg-type]
    pointers = [ox.NamedNode(f"{BASE}id/bounded/p{n}") for n in (1, 2, 2, 3)]
    quads += [ox.Quad(p, POINTS, NODE, g) for p, g in zip(pointers, GRAPHS + GRAPHS, strict=False)]
    quads += [ox.Quad(ox.BlankNode("pointer"), POINTS, NODE, GRAPHS[0])]
    store = _store(quads)
    live, indexed = _both(store)
    # Wherever the boundary falls: among blank nodes (all ranked ""), tied terms, or characters past
    # U+FFFF, which the store and Python order alike (by code point).
    for shown in range(1, len(values) + 1):
        chosen = _expected(store, shown, VALUE, outgoing=True)
        assert {o for _, o, _ in live.outgoing(NODE, shown)[0]} == chosen, shown
        assert {o for _, o, _ in indexed.outgoing(NODE, shown)[0]} == chosen, shown
    expected = _expected(store, 6, VALUE, outgoing=True)
    assert ox.NamedNode(tied) in expected and ox.Literal(tied, language="de") in expected
    for reader in _both(store):
        facts, counts = reader.outgoing(NODE, 6)
        assert {o for _, o, _ in facts} == expected and counts == {VALUE.value: len(values)}
        subjects, pointing = reader.incoming(NODE, 2)
        assert set(subjects[POINTS.value]) == _expected(store, 2, POINTS, outgoing=False)
        assert pointing == {POINTS.value: 4}
    _same_pages(store, NODE.value)
    view = resource_page(Reader(store), NODE.value)
    assert view is not None
    assert [(len(r.values), r.more) for r in view.properties] == [(6, len(values) - 6)]
    assert [(b.count, len(b.subjects)) for b in view.backlinks] == [(4, 2)]


def test_a_node_with_more_labels_than_shown_has_its_best_label_from_both_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(resource, "VALUES_SHOWN", 3)
    labels = [ox.Literal(f"a label {n}", language="fr") for n in range(6)] + [
        ox.Literal("zz English", language="en-GB"),
        ox.Literal("zz plain"),
    ]
    store = _store([ox.Quad(NODE, LABEL, label, GRAPHS[0]) for label in labels])
    live, indexed = _both(store)
    assert live.outgoing(NODE, 3)[1] == {LABEL.value: len(labels)}
    assert live.label(NODE) == indexed.label(NODE) == "zz English"
    _same_pages(store, NODE.value)


class CountingStore(GraphStore):
    """A store that counts the solutions its queries hand over."""

    rows = 0

    def query(self, sparql: str, bindings: Mapping[str, OxTerm] | None = None, **options: object):  # type: ignore[no-untyped-def, override]
        found = super().query(sparql, bindings, **options)  # type: ignore[arg-type]
        return self._counted(found) if isinstance(found, ox.QuerySolutions) else found

    def _counted(self, solutions: ox.QuerySolutions) -> Iterator[ox.QuerySolution]:
        for solution in solutions:
            self.rows += 1
            yield solution


def test_the_store_hands_over_no_more_than_the_values_shown() -> None:
    raw = ox.Store()
    raw.extend(ox.Quad(NODE, VALUE, ox.Literal(f"value {n:05d}"), GRAPHS[0]) for n in range(20_000))
    raw.extend(
        ox.Quad(ox.NamedNode(f"{BASE}id/bounded/s{n}"), POINTS, NODE, GRAPHS[1]) for n in range(20_000)
    )
    store = CountingStore(raw)
    view = resource_page(Reader(store), NODE.value)
    assert view is not None and view.properties[0].more == 20_000 - resource.VALUES_SHOWN
    assert view.backlinks[0].count == 20_000
    assert 0 < store.rows < 2_000


def test_the_boundary_is_the_key_of_the_last_value_shown() -> None:
    terms = [ox.Literal("b"), ox.BlankNode(), ox.NamedNode("http://example.org/a"), ox.Literal("a")]
    assert boundary(terms, 4) is None
    assert boundary(terms, 1) == ""
    assert boundary(terms, 2) == "a"
    assert boundary(terms, 3) == "b"
