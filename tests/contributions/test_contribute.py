"""`csei contribute`: a conforming contribution is filed in the review queue, whole, with its record."""

import hashlib
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from csei_graph.cli import main
from csei_graph.contributions import PENDING, contribute, entries
from csei_graph.contributions.queue import CONTRIBUTION_FILE, REPORT_FILE
from csei_graph.settings import Settings
from csei_graph.validation import template
from csei_graph.validation.contribute import read_contribution
from csei_graph.workspace import Workspace, init
from tests.hostile.corpus import fingerprint

GOOD = Path(__file__).resolve().parents[1] / "validation" / "good"
GREEN_VALLEY = GOOD / "green-valley.ttl"
BAD = Path(__file__).resolve().parents[1] / "validation" / "bad"
PROV = "http://www.w3.org/ns/prov#"
CSEI = "https://w3id.org/csei/ontology#"
WHEN = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def run(workspace: Workspace, *arguments: str) -> Result:
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def settings_of(workspace: Workspace) -> Settings:
    return Settings(workspace=workspace.root)


def _value(quads: list[ox.Quad], subject: ox.NamedNode, predicate: str) -> ox.NamedNode | ox.Literal:
    return next(q.object for q in quads if q.subject == subject and q.predicate.value == predicate)  # type: ignore[return-value]


def test_a_conforming_contribution_is_filed_for_review_with_what_csei_records(workspace: Workspace) -> None:
    result = run(workspace, "contribute", str(GREEN_VALLEY), "--by", "Jane Doe <jane@example.org>")
    assert result.exit_code == 0, result.output
    [entry] = entries(workspace)
    assert entry.state == PENDING
    assert f"filed as contribution {entry.id}" in result.stderr
    assert sorted(p.name for p in entry.folder.iterdir()) == [CONTRIBUTION_FILE, REPORT_FILE]
    assert sorted(p.name for p in workspace.data.iterdir()) == ["README.md"], "nothing is merged yet"
    text = (entry.folder / CONTRIBUTION_FILE).read_text(encoding="utf-8")
    assert "jane@example.org" not in text, "an e-mail address is never written"
    quads = entry.quads
    graph = entry.graph
    assert graph.value == f"https://w3id.org/csei/graph/contribution-{entry.id}"
    assert {q.graph_name for q in quads if q.subject.value.endswith("/cluster/green-valley")} == {graph}
    content_hash = _value(quads, graph, f"{CSEI}contentHash")
    assert content_hash.value.removeprefix("sha256:").startswith(entry.id)
    agent = _value(quads, graph, f"{PROV}wasAttributedTo")
    digest = hashlib.sha256(b"Jane Doe").hexdigest()[:10]
    assert agent == ox.NamedNode(f"https://w3id.org/csei/id/contributor/jane-doe-{digest}")
    assert entry.submitter == "Jane Doe" and entry.files == ["green-valley.ttl"]
    report = (entry.folder / REPORT_FILE).read_text(encoding="utf-8")
    assert "<http://www.w3.org/ns/shacl#conforms> true" in report


def test_the_same_content_sent_again_is_recognised_whatever_its_form(
    workspace: Workspace, tmp_path: Path
) -> None:
    assert run(workspace, "contribute", str(GREEN_VALLEY), "--by", "Jane Doe").exit_code == 0
    after_first = fingerprint(workspace.root)
    ntriples = tmp_path / "again.nt"
    parsed = ox.parse(path=str(GREEN_VALLEY), format=ox.RdfFormat.TURTLE)
    ntriples.write_bytes(ox.serialize(reversed(list(parsed)), format=ox.RdfFormat.N_TRIPLES) or b"")
    result = run(workspace, "contribute", str(ntriples), "--by", "Someone Else")
    assert result.exit_code == 0
    assert "already contributed as" in result.stderr and "(pending); nothing written" in result.stderr
    assert fingerprint(workspace.root) == after_first


def test_the_same_contribution_gives_the_same_bytes(tmp_path: Path) -> None:
    written = []
    for name in ("first", "second"):
        workspace = init(tmp_path / name)
        outcome = contribute(
            workspace, [GREEN_VALLEY], by="Jane Doe", settings=settings_of(workspace), now=WHEN
        )
        assert outcome.entry is not None
        written.append((outcome.entry.folder / CONTRIBUTION_FILE).read_bytes())
    assert written[0] == written[1]
    assert b'"2026-01-31T12:00:00Z"^^xsd:dateTime' in written[0]


def test_a_refused_contribution_writes_nothing(workspace: Workspace) -> None:
    before = fingerprint(workspace.root)
    result = run(workspace, "contribute", str(BAD / "typo-in-property.ttl"))
    assert result.exit_code == 1
    assert "refused: nothing was written to the workspace" in result.stderr
    assert fingerprint(workspace.root) == before


def test_warnings_refuse_a_contribution_only_when_strict(workspace: Workspace) -> None:
    members = GOOD / "members-of-coursive-boutaric.ttl"
    before = fingerprint(workspace.root)
    result = run(workspace, "contribute", str(members), "--strict")
    assert result.exit_code == 1 and "warning: Recommended" in result.output
    assert fingerprint(workspace.root) == before
    assert run(workspace, "contribute", str(members)).exit_code == 0
    assert len(entries(workspace)) == 1


def test_a_filled_in_csv_template_is_contributed_like_rdf(workspace: Workspace, tmp_path: Path) -> None:
    csv_file = tmp_path / "my-cluster.csv"
    csv_file.write_text(template(), encoding="utf-8")
    result = run(workspace, "contribute", str(csv_file), "--by", "Cluster Manager")
    assert result.exit_code == 0, result.output
    [entry] = entries(workspace)
    text = (entry.folder / CONTRIBUTION_FILE).read_text(encoding="utf-8")
    assert "Green Valley Cooperation Cluster" in text and "org:Membership" in text
    assert entry.files == ["my-cluster.csv"]


def test_a_file_name_with_a_line_break_adds_no_statement(workspace: Workspace, tmp_path: Path) -> None:
    """Regression: file names were written into a comment of the merged file, and a line break in one
    added statements that were never validated."""
    # A name cannot hold "/", but an IRI can spell it \u002F.
    cluster = "<https:\\u002F\\u002Fw3id.org\\u002Fcsei\\u002Fid\\u002Fcluster\\u002Fcoursive-boutaric>"
    forged = f"\n{cluster} csei:country country:BEL .\n#.ttl"
    path = tmp_path / forged
    path.write_bytes(GREEN_VALLEY.read_bytes())
    outcome = contribute(workspace, [path], by="tester", settings=settings_of(workspace))
    assert outcome.entry is not None
    quads = ox.parse(path=str(outcome.entry.folder / CONTRIBUTION_FILE), format=ox.RdfFormat.TRIG)
    assert not [q for q in quads if q.subject.value.endswith("coursive-boutaric")]
    assert outcome.entry.files == [path.name], "the name is kept as text, whole"


def test_written_files_and_folders_follow_the_umask(workspace: Workspace) -> None:
    """Regression: merged files were written with mode 0600, which a server of another user cannot read."""
    previous = os.umask(0o002)
    try:
        outcome = contribute(workspace, [GREEN_VALLEY], by="tester", settings=settings_of(workspace))
    finally:
        os.umask(previous)
    assert outcome.entry is not None
    assert stat.S_IMODE(outcome.entry.folder.stat().st_mode) == 0o775
    for path in outcome.entry.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path


def test_a_failed_write_leaves_no_folder_behind(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(workspace.root)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        contribute(workspace, [GREEN_VALLEY], by="tester", settings=settings_of(workspace))
    assert fingerprint(workspace.root) == before
    assert sorted(p.name for p in workspace.contributions.iterdir()) == ["README.md"]


def test_what_a_killed_contribute_left_is_removed_by_the_next(workspace: Workspace) -> None:
    # A process id that is not running: the highest the kernel hands out, plus one.
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    abandoned = workspace.contributions / f".0123456789ab.{dead}.0123abcd.tmp"
    abandoned.mkdir()
    (abandoned / CONTRIBUTION_FILE).write_text("half a file", encoding="utf-8")
    mine = workspace.contributions / f".ba9876543210.{os.getpid()}.0123abcd.tmp"
    mine.mkdir()
    assert contribute(workspace, [GREEN_VALLEY], by="tester", settings=settings_of(workspace)).filed
    assert not abandoned.exists()
    assert mine.exists(), "what a running process writes is left alone"


def test_the_contributor_defaults_to_the_user(workspace: Workspace) -> None:
    result = run(workspace, "contribute", str(GREEN_VALLEY))
    assert result.exit_code == 0
    [entry] = entries(workspace)
    assert entry.submitter
    assert "prov:wasAttributedTo cseid:contributor\\/" in (entry.folder / CONTRIBUTION_FILE).read_text(
        encoding="utf-8"
    )


def test_a_contribution_cannot_mark_another_as_already_sent(workspace: Workspace, tmp_path: Path) -> None:
    """Regression: a contribution stating another file's content hash made csei refuse that file."""
    settings = settings_of(workspace)
    their_hash = read_contribution([GREEN_VALLEY]).content_hash
    spoof = tmp_path / "spoof.ttl"
    spoof.write_text(
        "<https://w3id.org/csei/id/organisation/spoof> <https://w3id.org/csei/ontology#contentHash> "
        f'"{their_hash}" .\n',
        encoding="utf-8",
    )
    refused = contribute(workspace, [spoof], by="mallory", settings=settings)
    assert refused.refused and any(r.rule == "provenance-by-csei" for r in refused.report.results)  # type: ignore[union-attr]
    assert contribute(workspace, [GREEN_VALLEY], by="tester", settings=settings).filed


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        (
            "<https://w3id.org/csei/id/organisation/new-coop> "
            "<http://purl.org/dc/terms/source> <https://w3id.org/csei/id/source/geces-csei-page> .",
            "dct:source",
        ),
        (
            "<https://w3id.org/csei/id/source/geces-csei-page> "
            '<http://purl.org/dc/terms/title> "Something else"@en .',
            "geces-csei-page",
        ),
    ],
    ids=["cites-a-source-of-the-graph", "retitles-a-source-of-the-graph"],
)
def test_a_contribution_claiming_the_graphs_sources_is_refused_and_writes_nothing(
    workspace: Workspace, tmp_path: Path, statement: str, says: str
) -> None:
    spoof = tmp_path / "spoof.ttl"
    spoof.write_text(statement + "\n", encoding="utf-8")
    before = fingerprint(workspace.root)
    result = run(workspace, "contribute", str(spoof), "--by", "mallory")
    assert result.exit_code == 1
    assert says in result.output and "refused: nothing was written to the workspace" in result.stderr
    assert fingerprint(workspace.root) == before
