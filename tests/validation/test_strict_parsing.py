"""Contributions are read strictly: every invalid Turtle document of the W3C suite is refused with its
line and column, and nothing is expanded, fetched or read beyond the limits."""

import os
import socket
import time
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.validation.contribute import read_contribution

TURTLE_SUITE = Path(
    os.environ.get(
        "CSEI_TURTLE_SUITE", Path(__file__).resolve().parents[1] / "conformance" / "w3c" / "turtle"
    )
)
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
NEGATIVE = URIRef("http://www.w3.org/ns/rdftest#TestTurtleNegativeSyntax")


def _negative_tests() -> list[Path]:
    manifest = TURTLE_SUITE / "manifest.ttl"
    if not manifest.is_file():
        return []
    graph = Graph().parse(manifest, format="turtle")
    actions = [graph.value(test, URIRef(f"{MF}action")) for test in graph.subjects(RDF.type, NEGATIVE)]
    return sorted(TURTLE_SUITE / str(action).rsplit("/", 1)[1] for action in actions)


NEGATIVE_TESTS = _negative_tests()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any attempt to open a network connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a network connection was attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_turtle_suite_has_its_94_negative_tests() -> None:
    assert len(NEGATIVE_TESTS) == 94, f"the W3C Turtle suite is not whole at {TURTLE_SUITE}"


@pytest.mark.parametrize("path", NEGATIVE_TESTS, ids=lambda p: p.stem)
def test_invalid_turtle_is_refused_with_line_and_column(path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_contribution([path])
    error = caught.value
    assert error.line is not None and error.column is not None
    assert str(error).startswith(f"{path}:{error.line}:{error.column}: ")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rdfxml_entities_are_refused_unexpanded(tmp_path: Path, no_network: None) -> None:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
    document = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{levels}<!ENTITY x SYSTEM "http://example.org/x">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        '  <rdf:Description rdf:about="http://example.org/a"><ex:p>&l8;&x;</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )
    started = time.monotonic()
    with pytest.raises(SourceError, match="DOCTYPE> declaration is refused") as caught:
        read_contribution([_write(tmp_path, "laughs.rdf", document)])
    assert time.monotonic() - started < 1
    assert (caught.value.line, caught.value.column) == (2, 1)


def test_rdfxml_without_declarations_is_read(tmp_path: Path) -> None:
    document = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>'
    )
    assert len(read_contribution([_write(tmp_path, "plain.rdf", document)]).quads) == 1


@pytest.mark.parametrize(
    "context",
    [
        '"https://schema.org/"',
        '["http://example.org/context.jsonld"]',
        '{"@import": "http://example.org/context.jsonld", "name": "http://schema.org/name"}',
    ],
)
def test_jsonld_remote_contexts_are_never_fetched(tmp_path: Path, no_network: None, context: str) -> None:
    document = f'{{"@context": {context}, "@id": "http://example.org/a", "name": "A"}}'
    with pytest.raises(SourceError, match="nothing is fetched from the web"):
        read_contribution([_write(tmp_path, "remote.jsonld", document)])


def test_files_and_literals_over_the_limits_are_refused(tmp_path: Path) -> None:
    note = "<http://www.w3.org/2004/02/skos/core#note>"
    text = f'<https://w3id.org/csei/id/cluster/long> {note} "{"x" * 500}" .\n'
    path = _write(tmp_path, "long.nt", text)
    with pytest.raises(SourceError, match="over the limit of 100"):
        read_contribution([path], Settings(max_file_bytes=100))
    with pytest.raises(SourceError, match=r"literal of 500 characters .* exceeds the limit of 50"):
        read_contribution([path], Settings(max_literal_chars=50))


def test_every_file_of_a_folder_is_read_and_one_fault_refuses_all(tmp_path: Path) -> None:
    folder = tmp_path / "contribution"
    folder.mkdir()
    _write(
        folder,
        "a.ttl",
        "<https://w3id.org/csei/id/cluster/a> <http://www.w3.org/2004/02/skos/core#prefLabel> 'A'@en .",
    )
    _write(
        folder,
        "b.nt",
        '<https://w3id.org/csei/id/cluster/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "B"@en .\n',
    )
    assert len(read_contribution([folder]).quads) == 2
    _write(folder, "c.ttl", "<https://w3id.org/csei/id/cluster/c> <broken")
    with pytest.raises(SourceError, match=r"c\.ttl:1:"):
        read_contribution([folder])
