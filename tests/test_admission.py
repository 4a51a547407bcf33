"""The admission policy's reading of a file's bytes: a file that may hold a blank node is never taken
for one that holds none, and literals with brackets do not cost a second parse."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph import admission
from csei_graph.settings import Settings

PREFIX = "@prefix ex: <http://example.org/> .\n"

# (Turtle text, whether it holds a blank node)
CASES = {
    "brackets in literals": ("ex:a ex:label \"Cluster (2018) [label]\" , 'x (y)' .", False),
    "brackets in an IRI": ("ex:a ex:see <http://example.org/a(b)> .", False),
    "brackets in a comment": ('ex:a ex:label "x" . # see (this) [and that]', False),
    "a property list": ('ex:a ex:label "x" ; ex:site [ ex:city "Lyon" ] .', True),
    "a collection": ("ex:a ex:list ( ex:b ex:c ) .", True),
    "a collection after a string": ("ex:a ex:label 'it is' , \"(x)\" ; ex:list ( 1 ) .", True),
    "a labelled blank node": ("ex:a ex:site _:b1 .", True),
    "an escaped quote before a property list": ('ex:a ex:label "a \\" b" ; ex:site [ ex:c 1 ] .', True),
    "a long string before a property list": ('ex:a ex:note """a\n(b""" ; ex:site [ ex:c 1 ] .', True),
    "no brackets at all": ('ex:a ex:label "x" .', False),
}


@pytest.mark.parametrize("name", CASES)
def test_a_turtle_file_may_hold_a_blank_node_only_where_its_syntax_can(name: str, tmp_path: Path) -> None:
    text, holds_blank = CASES[name]
    path = tmp_path / "data.ttl"
    path.write_text(PREFIX + text + "\n", encoding="utf-8")
    parsed = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    parsed_blank = any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in parsed
    )
    assert parsed_blank == holds_blank, "the case itself is wrong"
    _, may_hold_blank = admission.file_may_hold(path, ox.RdfFormat.TURTLE, Settings())
    # Never a miss; and a literal, IRI or comment with brackets is not taken for a blank node.
    assert may_hold_blank == holds_blank


def test_brackets_are_no_blank_nodes_in_n_triples(tmp_path: Path) -> None:
    path = tmp_path / "data.nt"
    path.write_text('<http://example.org/a> <http://example.org/b> "(x) [y]" .\n', encoding="utf-8")
    assert admission.file_may_hold(path, ox.RdfFormat.N_TRIPLES, Settings()) == (False, False)


def test_past_the_lines_it_reads_a_file_is_taken_as_holding_blank_nodes(tmp_path: Path) -> None:
    lines = [f'ex:a{n} ex:label "cluster ({n})" .' for n in range(admission.MOST_LINES_READ + 1)]
    path = tmp_path / "data.ttl"
    path.write_text(PREFIX + "\n".join(lines) + "\n", encoding="utf-8")
    assert admission.file_may_hold(path, ox.RdfFormat.TURTLE, Settings())[1] is True


EX = "http://example.org/"


def _quads(text: str) -> list[ox.Quad]:
    return list(ox.parse(PREFIX + text, format=ox.RdfFormat.TRIG))


def _store_with(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def test_statements_added_to_a_resource_take_it_over_the_limit() -> None:
    settings = Settings(max_statements_per_resource=3)
    store = _store_with(_quads("ex:a ex:p 1, 2, 3 . ex:b ex:p 1 ."))
    added = _quads("ex:a ex:q 4 . ex:b ex:q 2 .")
    store.extend(added)
    refused = admission.added_refusal(store, added, settings)
    assert refused is not None and "4 statements on <http://example.org/a>" in refused.message
    assert admission.added_refusal(store, added[1:], settings) is None  # ex:b alone stays within


def test_blank_nodes_added_alike_to_the_graphs_are_counted_with_them() -> None:
    settings = Settings(max_alike_blank_nodes=2)
    before = _quads("ex:a ex:site [ ex:city ex:lyon ] , [ ex:city ex:lyon ] .")
    store = _store_with(before)
    assert admission.store_refusal(store, settings) is None
    added = _quads("ex:a ex:site [ ex:city ex:lyon ] .")
    store.extend(added)
    assert admission.added_refusal(store, added, settings) == admission.store_refusal(store, settings)
    assert admission.added_refusal(store, added, settings) is not None
