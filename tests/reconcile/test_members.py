"""The loop closed: a member list reconciled by `csei reconcile`, then contributed, reuses the IRIs
of the organisations the graph already has and mints only the new ones."""

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from csei_graph.cli import main
from csei_graph.reconcile import Index
from csei_graph.reconcile.members import AMBIGUOUS, KEPT, MATCHED, NEW, reconcile_members
from csei_graph.sources import SourceError

from .conftest import ID

ARCHER = f"{ID}organisation/groupe-archer"
CRESS = f"{ID}organisation/cress-rhone-alpes"
UNIMOS_FOUNDATION = f"{ID}organisation/unimos-foundation"
UNIMOS_ALLIANCE = f"{ID}organisation/unimos-alliance"
MEMBERS = """record,name,kind,country,role
cluster,Valence Solidarity Cluster,CSEI,FRA,
member,Groupe ARCHER,social-economy-entity,FRA,founder
member,Cress Rhone-Alpes,,,member
member,Unimos,civil-society-organisation,POL,member
member,Brand New Cooperative,social-economy-entity,FRA,member
"""
ORG_MEMBER = ox.NamedNode("http://www.w3.org/ns/org#member")
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _csei(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _iris(text: str) -> dict[str, str]:
    return {row["name"]: row["iri"] for row in csv.DictReader(io.StringIO(text)) if row["record"] == "member"}


def test_members_are_matched_proposed_or_left_new(tmp_path: Path, index: Index) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS, encoding="utf-8")
    reconciled = reconcile_members(path, index)
    outcomes = {m.name: m.outcome for m in reconciled.members}
    assert outcomes == {
        "Groupe ARCHER": MATCHED,
        "Cress Rhone-Alpes": MATCHED,
        "Unimos": AMBIGUOUS,
        "Brand New Cooperative": NEW,
    }
    assert _iris(reconciled.text) == {
        "Groupe ARCHER": ARCHER,
        "Cress Rhone-Alpes": CRESS,
        # The one in Poland first: the row says POL, and the alliance's country is not stated.
        "Unimos": f"{UNIMOS_FOUNDATION} | {UNIMOS_ALLIANCE}",
        "Brand New Cooperative": "",
    }
    # Every other cell is written back as it was, the iri column added at the end.
    original = list(csv.reader(io.StringIO(MEMBERS)))
    written = list(csv.reader(io.StringIO(reconciled.text)))
    assert [row[:-1] for row in written] == original and written[0][-1] == "iri"


def test_an_iri_already_chosen_is_kept(tmp_path: Path, index: Index) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "record,name,iri\ncluster,C,\nmember,Unimos,https://w3id.org/csei/id/organisation/unimos-alliance\n",
        encoding="utf-8",
    )
    reconciled = reconcile_members(path, index)
    assert [m.outcome for m in reconciled.members] == [KEPT]
    assert _iris(reconciled.text) == {"Unimos": UNIMOS_ALLIANCE}


def test_a_file_that_is_not_a_member_list_is_refused(tmp_path: Path, index: Index) -> None:
    path = tmp_path / "members.csv"
    path.write_text("who,what\nx,y\n", encoding="utf-8")
    with pytest.raises(SourceError, match="missing column"):
        reconcile_members(path, index)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A new workspace, for contributions to be accepted into."""
    folder = tmp_path / "workspace"
    assert _csei("init", str(folder)).exit_code == 0
    return folder


def test_a_reconciled_member_list_contributes_without_duplicates(tmp_path: Path, workspace: Path) -> None:
    members, matched = tmp_path / "members.csv", tmp_path / "members-matched.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    reconciled = _csei("--workspace", str(workspace), "reconcile", str(members), "-o", str(matched))
    assert reconciled.exit_code == 0, reconciled.output
    assert "2 matched, 1 to choose, 1 new" in reconciled.stderr
    assert "line 5: 'Unimos' may be one of these" in reconciled.stderr
    assert UNIMOS_ALLIANCE in reconciled.stderr

    # Until the user chooses, the file is refused, with the line to look at.
    undecided = _csei("--workspace", str(workspace), "validate", str(matched))
    assert undecided.exit_code == 2
    assert "members-matched.csv:5: the iri cell lists several candidates" in undecided.stderr
    matched.write_text(
        matched.read_text(encoding="utf-8").replace(f" | {UNIMOS_ALLIANCE}", ""), encoding="utf-8"
    )

    contributed = _csei(
        "--workspace", str(workspace), "contribute", "--accept", "--by", "Tester", str(matched)
    )
    assert contributed.exit_code == 0, contributed.output
    [written] = (workspace / "data").glob("contribution-*.trig")
    quads = list(ox.parse(path=str(written), format=ox.RdfFormat.TRIG))
    members_named = {q.object.value for q in quads if q.predicate == ORG_MEMBER}
    new = f"{ID}organisation/brand-new-cooperative"
    assert members_named == {ARCHER, CRESS, UNIMOS_FOUNDATION, new}
    # The existing organisations are neither renamed nor typed again: only the new one is minted.
    minted = {
        q.subject.value for q in quads if q.predicate == RDF_TYPE and "/organisation/" in q.subject.value
    }
    assert minted == {new}
    renamed = {q.subject.value for q in quads if q.predicate == PREF_LABEL} & {
        ARCHER,
        CRESS,
        UNIMOS_FOUNDATION,
    }
    assert renamed == set()


def test_csei_reconcile_prints_the_csv_and_refuses_to_overwrite(tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    printed = _csei("reconcile", str(members))
    assert printed.exit_code == 0
    assert _iris(printed.stdout)["Groupe ARCHER"] == ARCHER
    refused = _csei("reconcile", str(members), "-o", str(members))
    assert refused.exit_code == 2 and "exists" in refused.stderr
    assert members.read_text(encoding="utf-8") == MEMBERS
    missing = _csei("reconcile", str(tmp_path / "nowhere.csv"))
    assert missing.exit_code == 2 and "nowhere.csv" in missing.stderr
