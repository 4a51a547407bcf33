"""Strict parsing of sources: every fault is refused with its file, line and column."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from csei_graph.namespaces import CSEIG
from csei_graph.settings import Settings
from csei_graph.sources import (
    Source,
    SourceError,
    builtin_sources,
    discover,
    format_for,
    graph_for,
    parse,
    resource_dir,
)

GOOD_TURTLE = '@prefix ex: <http://example.org/> .\nex:a ex:name "A" .\n'


def _source(tmp_path: Path, name: str, text: str | bytes) -> Source:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return discover([path])[0]


def test_turtle_goes_into_the_graph_named_after_the_file(tmp_path: Path) -> None:
    quads = parse(_source(tmp_path, "my cluster.ttl", GOOD_TURTLE))
    assert len(quads) == 1
    assert quads[0].graph_name == ox.NamedNode("https://w3id.org/csei/graph/my-cluster")


def test_trig_keeps_its_own_graphs(tmp_path: Path) -> None:
    text = "<http://example.org/g> { <http://example.org/a> <http://example.org/p> 1 . }"
    quads = parse(_source(tmp_path, "x.trig", text))
    assert [q.graph_name for q in quads] == [ox.NamedNode("http://example.org/g")]


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    text = '@prefix ex: <http://example.org/> .\nex:a ex:name "A" ;\n  ex:home <not an iri> .\n'
    with pytest.raises(SourceError) as caught:
        parse(_source(tmp_path, "bad.ttl", text))
    error = caught.value
    assert (error.line, error.column) == (3, 11)
    assert str(error).startswith(f"{tmp_path / 'bad.ttl'}:3:11: syntax error:")
    assert "Invalid IRI" in error.message
    assert error.hint


def test_relative_iris_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="syntax error"):
        parse(_source(tmp_path, "rel.ttl", "<a> <b> <c> ."))


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        parse(_source(tmp_path, "latin1.ttl", '<http://e/a> <http://e/p> "caf\xe9" .'.encode("latin-1")))


def test_remote_jsonld_context_is_never_fetched(tmp_path: Path) -> None:
    text = '{"@context": "http://example.org/context.jsonld", "@id": "http://e/a", "name": "A"}'
    with pytest.raises(SourceError, match="nothing is fetched from the web"):
        parse(_source(tmp_path, "remote.jsonld", text))


def test_file_size_limit(tmp_path: Path) -> None:
    source = _source(tmp_path, "big.ttl", GOOD_TURTLE)
    with pytest.raises(SourceError, match="over the limit"):
        parse(source, Settings(max_file_bytes=10))


def test_literal_length_limit(tmp_path: Path) -> None:
    text = f'<http://e/a> <http://e/p> "{"x" * 50}" .'
    with pytest.raises(SourceError, match="exceeds the limit of 10"):
        parse(_source(tmp_path, "long.nt", text), Settings(max_literal_chars=10))


def test_blank_nodes_of_two_files_never_merge(tmp_path: Path) -> None:
    first = parse(_source(tmp_path, "a.ttl", "_:x <http://e/p> 1 ."))
    second = parse(_source(tmp_path, "b.ttl", "_:x <http://e/p> 2 ."))
    assert first[0].subject != second[0].subject


def test_unknown_extension_and_format(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot tell the RDF syntax"):
        format_for(tmp_path / "notes.txt")
    with pytest.raises(SourceError, match="unknown input format"):
        format_for(tmp_path / "x.ttl", "n3-ish")
    assert format_for(tmp_path / "notes.txt", "ntriples") == ox.RdfFormat.N_TRIPLES


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or folder"):
        discover([tmp_path / "absent.ttl"])


def test_folders_are_searched_in_a_stable_order(tmp_path: Path) -> None:
    for name in ("b.ttl", "a.nt", "sub/c.trig", "readme.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [s.path.name for s in discover([tmp_path])] == ["a.nt", "b.ttl", "c.trig"]


def test_the_ontology_has_its_own_graph() -> None:
    assert graph_for(Path("ontology/csei.ttl")) == ox.NamedNode("https://w3id.org/csei/ontology")


def test_builtin_sources_are_the_ontology_the_reference_lists_and_data(tmp_path: Path) -> None:
    folders = {s.path.parent.name for s in builtin_sources()}
    assert folders <= {"ontology", "reference", "data"}
    # A data folder of its own adds to the built-in release: the reference lists and the built-in data stay.
    (tmp_path / "ours.ttl").write_text("", encoding="utf-8")
    own = {s.path.parent for s in builtin_sources(Settings(data_dir=tmp_path))}
    assert {p.name for p in own} == {"ontology", "reference", "data", tmp_path.name}
    assert resource_dir("ontology").is_dir()
    with pytest.raises(ValueError, match="unknown resource folder"):
        resource_dir("secrets")


def test_a_byte_order_mark_is_read_past_and_positions_stay_those_an_editor_shows(tmp_path: Path) -> None:
    marked = tmp_path / "marked.ttl"
    marked.write_bytes(b"\xef\xbb\xbf<https://w3id.org/csei/id/cluster/x> <http://e/p> <http://e/o> .\n")
    assert len(parse(Source(marked, ox.RdfFormat.TURTLE, ox.NamedNode(CSEIG["marked"])))) == 1
    text = b"<https://w3id.org/csei/id/cluster/x> <http://e/p <http://e/o> .\n"
    places = []
    for name, content in (("plain.ttl", text), ("broken.ttl", b"\xef\xbb\xbf" + text)):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(SourceError) as caught:
            parse(Source(tmp_path / name, ox.RdfFormat.TURTLE, ox.NamedNode(CSEIG["broken"])))
        places.append((caught.value.line, caught.value.column))
    assert places[0] == places[1] == (1, 38)
