"""What a contribution may never say, whatever the shapes allow: each refused, with its rule."""

from pathlib import Path

import pytest

from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.validation import validate_graph
from csei_graph.validation.contribute import read_contribution

PREFIXES = """@prefix csei: <https://w3id.org/csei/ontology#> .
@prefix cseid: <https://w3id.org/csei/id/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
"""
ORGANISATION = """<https://w3id.org/csei/id/organisation/new-coop> a org:Organization ;
    skos:prefLabel "New Coop"@en ;
    csei:actorKind <https://w3id.org/csei/id/concept/actor-kind/social-economy-entity> ;"""


def _rules(tmp_path: Path, body: str, name: str = "contribution.ttl") -> set[tuple[str, str | None]]:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return {(result.rule or "", result.path) for result in validate_graph([path]).violations}


def test_a_contribution_may_not_state_a_content_hash_or_a_provenance_kind(tmp_path: Path) -> None:
    """Regression: a contribution stating another file's content hash made csei refuse that file."""
    body = ORGANISATION + ' csei:contentHash "sha256:' + "0" * 64 + '" .'
    assert ("provenance-by-csei", "csei:contentHash") in _rules(tmp_path, body)
    body = ORGANISATION + " csei:provenanceKind <https://w3id.org/csei/id/concept/provenance-kind/stated> ."
    assert ("provenance-by-csei", "csei:provenanceKind") in _rules(tmp_path, body)


def test_a_contribution_may_not_cite_the_graphs_sources_for_its_own_facts(tmp_path: Path) -> None:
    body = ORGANISATION + " dct:source <https://w3id.org/csei/id/source/geces-csei-page> ."
    assert ("claimed-source", "dct:source") in _rules(tmp_path, body)
    body = ORGANISATION + " prov:wasDerivedFrom <https://w3id.org/csei/id/source/unimos-talk-2024> ."
    assert ("claimed-source", "prov:wasDerivedFrom") in _rules(tmp_path, body)


def test_a_contribution_may_cite_a_document_of_its_own(tmp_path: Path) -> None:
    body = (
        ORGANISATION
        + """ dct:source <https://w3id.org/csei/id/source/new-coop-annual-report-2024> .
<https://w3id.org/csei/id/source/new-coop-annual-report-2024> a dct:BibliographicResource ;
    skos:prefLabel "New Coop annual report 2024"@en ; dct:title "Annual report 2024"@en ."""
    )
    assert {rule for rule, _ in _rules(tmp_path, body)} & {"claimed-source", "protected-source"} == set()


def test_a_contribution_may_not_describe_a_source_document_of_the_graph(tmp_path: Path) -> None:
    """Regression: a new title for an existing source was accepted as it was."""
    body = '<https://w3id.org/csei/id/source/geces-csei-page> dct:title "Something else"@en .'
    assert ("protected-source", None) in _rules(tmp_path, body)


@pytest.mark.parametrize(
    "iri",
    [
        "<https://w3id.org/csei/id/contributor/alice-0123456789>",
        "<https://w3id.org/csei/id/source/contribution-0123456789ab>",
        "<https://w3id.org/csei/id/review/x>",
    ],
)
def test_a_contribution_may_not_describe_what_csei_writes(tmp_path: Path, iri: str) -> None:
    assert ("protected-vocabulary", None) in _rules(tmp_path, f'{iri} skos:prefLabel "Mine"@en .')


@pytest.mark.parametrize(
    "literal",
    [
        '"yesterday"^^xsd:gYear',
        '"2015-13"^^xsd:gYearMonth',
        '"2024-02-30"^^xsd:date',
        '"soon"^^xsd:dateTime',
        '"many"^^xsd:integer',
        '"1,5"^^xsd:decimal',
        '"-3"^^xsd:nonNegativeInteger',
        '"tru"^^xsd:boolean',
    ],
)
def test_an_ill_typed_literal_is_refused(tmp_path: Path, literal: str) -> None:
    """Regression: "yesterday"^^xsd:gYear passed both SHACL engines."""
    body = ORGANISATION + f" skos:note {literal} ."
    assert ("ill-typed-literal", "skos:note") in _rules(tmp_path, body)


@pytest.mark.parametrize(
    "literal", ['"2015"^^xsd:gYear', '"2024-02-29"^^xsd:date', '"P1Y"^^xsd:duration', '"7"^^xsd:integer']
)
def test_a_well_typed_literal_passes(tmp_path: Path, literal: str) -> None:
    assert not {r for r, _ in _rules(tmp_path, ORGANISATION + f" skos:note {literal} .")} & {
        "ill-typed-literal"
    }


def test_an_over_long_iri_is_refused_unread_further(tmp_path: Path) -> None:
    """Regression: an IRI of 1,000,000 characters was accepted."""
    path = tmp_path / "long.nt"
    iri = "https://w3id.org/csei/id/organisation/" + "a" * 1_000_000
    path.write_text(f'<{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel> "A"@en .\n', encoding="utf-8")
    with pytest.raises(SourceError, match="an IRI of 1,000,038 characters") as refused:
        read_contribution([path])
    assert len(str(refused.value)) < 500, "the message quotes the IRI's start only"


def test_a_long_csv_cell_is_refused_with_its_row(tmp_path: Path) -> None:
    """Regression: a 120,000-character CSV cell passed the 100,000-character literal limit."""
    path = tmp_path / "long.csv"
    path.write_text(f"record,name,country,description\ncluster,Long,FRA,{'x' * 120_000}\n", encoding="utf-8")
    with pytest.raises(SourceError, match="a literal of 120,000 characters") as refused:
        read_contribution([path])
    assert refused.value.line == 2


def test_a_csv_file_that_never_ends_is_refused_unread(tmp_path: Path) -> None:
    """Regression: a .csv link to /dev/zero was read until the memory ran out."""
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(SourceError, match="a symbolic link"):  # refused as a link, before it is opened
        read_contribution([link])


def test_csv_files_in_a_folder_are_read_like_rdf_files(tmp_path: Path) -> None:
    """Regression: the CSV files of a folder given to contribute were ignored."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "cluster.csv").write_text("record,name,country\ncluster,Folder Cluster,FRA\n", encoding="utf-8")
    (folder / "more.ttl").write_text(PREFIXES + ORGANISATION + " .", encoding="utf-8")
    contribution = read_contribution([folder])
    assert [p.name for p in contribution.files] == ["cluster.csv", "more.ttl"]
    subjects = {q.subject.value.rsplit("/", 1)[1] for q in contribution.quads}
    assert subjects == {"folder-cluster", "new-coop"}


def test_reading_stops_at_the_most_triples_a_contribution_may_hold(tmp_path: Path) -> None:
    path = tmp_path / "many.nt"
    path.write_text(
        "".join(f'<https://w3id.org/csei/id/organisation/o{i}> <urn:x:p> "{i}" .\n' for i in range(1000)),
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="holds more than 100 triples") as refused:
        read_contribution([path], Settings(max_contribution_triples=100))
    assert "CSEI_MAX_CONTRIBUTION_TRIPLES" in str(refused.value)
    assert len(read_contribution([path], Settings(max_contribution_triples=1000)).quads) == 1000


def test_the_same_facts_have_the_same_hash_whatever_their_syntax(tmp_path: Path) -> None:
    (tmp_path / "one.ttl").write_text(PREFIXES + ORGANISATION + " .", encoding="utf-8")
    first = read_contribution([tmp_path / "one.ttl"])
    lines = sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in first.quads)
    (tmp_path / "two.nt").write_text("".join(reversed(lines)), encoding="utf-8")
    second = read_contribution([tmp_path / "two.nt"])
    assert first.content_hash == second.content_hash and first.id == second.id
    assert len(first.id) == 12


@pytest.mark.parametrize(
    "body",
    [
        "<urn:x:s> <urn:x:p> (((((((((())))))))))  .",
        "_:a <urn:x:p> _:b, _:c . _:b <urn:x:p> _:a, _:c . _:c <urn:x:p> _:a, _:b .",
        '<urn:x:s> <urn:x:p> [ <urn:x:v> "same" ], [ <urn:x:v> "same" ] .',
    ],
    ids=["nested-lists", "clique", "twins"],
)
def test_blank_nodes_alike_are_refused_before_any_canonical_form(tmp_path: Path, body: str) -> None:
    """Regression: canonical form of a list of 1,000 nested lists took 343 s, of 8 linked blank nodes
    alike 3 s (every export does it), and 10,000 nested lists ended the process."""
    path = tmp_path / "alike.ttl"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SourceError, match="two blank nodes are described by the same statements"):
        read_contribution([path])


def test_blank_nodes_told_apart_by_their_statements_are_read(tmp_path: Path) -> None:
    path = tmp_path / "apart.ttl"
    path.write_text(
        '<urn:x:s> <urn:x:p> [ <urn:x:v> "one" ], [ <urn:x:v> "two" ] ; <urn:x:q> ("a" "b") .',
        encoding="utf-8",
    )
    assert len(read_contribution([path]).quads) == 9
