"""`csei accept`, `reject` and `review`: a maintainer's decisions, recorded by csei, conflicts first."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from csei_graph.cli import main
from csei_graph.contributions import ACCEPTED, REJECTED, accept, contribute, entries, review
from csei_graph.contributions.queue import CONTRIBUTION_FILE, REJECTION_FILE
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.validation import validate_graph
from csei_graph.workspace import Workspace
from tests.hostile.corpus import fingerprint

GREEN_VALLEY = Path(__file__).resolve().parents[1] / "validation" / "good" / "green-valley.ttl"
ID = "https://w3id.org/csei/id/"
PREFIXES = """@prefix csei: <https://w3id.org/csei/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
"""
CIRCULARIUM = f"<{ID}cluster/circularium>"
MOVE = PREFIXES + f'{CIRCULARIUM} csei:country country:FRA ; skos:altLabel "Circularium Brussels"@en .\n'
ACCEPTED_AT = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def run(workspace: Workspace, *arguments: str) -> Result:
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def filed(workspace: Workspace, path: Path, by: str = "Jane Doe") -> str:
    outcome = contribute(workspace, [path], by=by, settings=Settings(workspace=workspace.root))
    assert outcome.filed and outcome.entry is not None, outcome.report and outcome.report.results
    return outcome.entry.id


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_accept_merges_a_contribution_as_its_own_graph_with_its_provenance(workspace: Workspace) -> None:
    identifier = filed(workspace, GREEN_VALLEY)
    settings = Settings(workspace=workspace.root)
    outcome = accept(workspace, identifier, by="Max Maintainer", settings=settings, now=ACCEPTED_AT)
    assert outcome.accepted == workspace.data / f"contribution-{identifier}.trig"
    quads = list(ox.parse(path=str(outcome.accepted), format=ox.RdfFormat.TRIG))
    graph = ox.NamedNode(f"https://w3id.org/csei/graph/contribution-{identifier}")
    described = {(q.predicate.value.rsplit("/", 1)[-1], q.object.value) for q in quads if q.subject == graph}
    maintainer = f"{ID}contributor/max-maintainer-{hashlib.sha256(b'Max Maintainer').hexdigest()[:10]}"
    assert ("publisher", maintainer) in described, "accepted by"
    assert ("issued", "2026-02-01T09:30:00Z") in described, "accepted when"
    assert any(p == "prov#wasAttributedTo" for p, _ in described), "sent by"
    assert any(p == "prov#generatedAtTime" for p, _ in described), "sent when"
    source = next(value for p, value in described if p == "prov#wasDerivedFrom")
    assert (ox.NamedNode(source), "green-valley.ttl") in {(q.subject, q.object.value) for q in quads}, (
        "from which file"
    )
    assert entries(workspace)[0].state == ACCEPTED
    assert outcome.accepted in [s.path for s in builtin_sources(settings)], "the workspace's graph holds it"
    report = validate_graph(settings=settings)
    assert not [r for r in report.violations if identifier in r.focus or "green-valley" in r.focus]


def test_a_conflicting_contribution_waits_for_a_maintainer_who_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = run(workspace, "contribute", str(_file(tmp_path, "move.ttl", MOVE)), "--by", "Jane Doe")
    assert result.exit_code == 0, result.output
    assert "with 1 conflict(s) for a maintainer to decide" in result.stderr
    [entry] = entries(workspace)
    shown = run(workspace, "review", entry.id).output
    assert "1 conflict(s) with stated facts" in shown
    assert '! csei:country "France" (country:FRA)' in shown
    assert 'move: the graph states "Belgium" (country:BEL) in cseig:' in shown
    assert '+ skos:altLabel "Circularium Brussels"@en' in shown
    before = fingerprint(workspace.root)
    refused = run(workspace, "accept", entry.id, "--by", "Max")
    assert refused.exit_code == 1
    assert "not accepted: it contradicts 1 stated fact(s)" in refused.stderr
    assert (
        "is already in the country <http://publications.europa.eu/resource/authority/country/BEL>"
        in refused.stdout
    )
    assert fingerprint(workspace.root) == before, "a refusal leaves the workspace byte-identical"
    taken = run(workspace, "accept", entry.id, "--by", "Max", "--despite-conflicts")
    assert taken.exit_code == 0, taken.output
    assert entries(workspace)[0].state == ACCEPTED


def test_contribute_and_accept_in_one_step_refuses_a_conflict(workspace: Workspace, tmp_path: Path) -> None:
    before = fingerprint(workspace.root)
    result = run(workspace, "contribute", str(_file(tmp_path, "move.ttl", MOVE)), "--accept")
    assert result.exit_code == 1
    assert "refused: it contradicts 1 stated fact(s)" in result.stderr
    assert fingerprint(workspace.root) == before
    one_step = run(workspace, "contribute", str(GREEN_VALLEY), "--accept", "--by", "Jane Doe")
    assert one_step.exit_code == 0, one_step.output
    assert "accepted: merged into" in one_step.stderr
    assert [e.state for e in entries(workspace)] == [ACCEPTED]


def test_a_contribution_is_checked_again_against_the_graph_when_it_is_accepted(
    workspace: Workspace, tmp_path: Path
) -> None:
    cluster = f"<{ID}cluster/twice-placed>"
    first = PREFIXES + f'{cluster} a csei:CSEI ; skos:prefLabel "Twice"@en ; csei:country country:FRA .\n'
    second = PREFIXES + f'{cluster} a csei:CSEI ; skos:prefLabel "Twice"@en ; csei:country country:BEL .\n'
    one, other = (
        filed(workspace, _file(tmp_path, "one.ttl", first)),
        filed(workspace, _file(tmp_path, "two.ttl", second)),
    )
    settings = Settings(workspace=workspace.root)
    assert accept(workspace, one, by="Max", settings=settings).accepted
    later = accept(workspace, other, by="Max", settings=settings)
    assert later.accepted is None and [c.kind for c in later.conflicts] == ["move"]
    assert later.conflicts[0].stated[0][1] == (f"https://w3id.org/csei/graph/contribution-{one}",)


def test_reject_keeps_the_reason_and_the_contribution(workspace: Workspace) -> None:
    identifier = filed(workspace, GREEN_VALLEY)
    assert run(workspace, "reject", identifier, "--reason", "").exit_code == 2
    result = run(
        workspace,
        "reject",
        identifier[:6],
        "--reason",
        "Not a CSEI:\nno social-economy member",
        "--by",
        "Max",
    )
    assert result.exit_code == 0, result.output
    [entry] = entries(workspace)
    assert entry.state == REJECTED and (entry.folder / REJECTION_FILE).is_file()
    shown = run(workspace, "review", identifier).output
    assert 'rejected: by "Max" at ' in shown and '"Not a CSEI:\\nno social-economy member"' in shown
    refused = run(workspace, "accept", identifier)
    assert refused.exit_code == 2 and f"contribution {identifier} was rejected" in refused.output
    again = run(workspace, "contribute", str(GREEN_VALLEY))
    assert "(rejected); nothing written" in again.stderr


def test_two_names_differing_in_case_are_two_contributors(workspace: Workspace, tmp_path: Path) -> None:
    """Regression: `--by alice` then `--by Alice` collided on one agent IRI and the second was refused."""
    settings = Settings(workspace=workspace.root)
    for name, by in (("one.ttl", "alice"), ("two.ttl", "Alice")):
        text = (
            PREFIXES
            + f'<{ID}organisation/{name[:3]}-coop> a org:Organization ; skos:prefLabel "{by} coop"@en ;\n'
        )
        text += f"    csei:actorKind <{ID}concept/actor-kind/social-economy-entity> .\n"
        outcome = contribute(
            workspace, [_file(tmp_path, name, text)], by=by, settings=settings, accept_by="Max"
        )
        assert outcome.accepted is not None, outcome.report and [r.message for r in outcome.report.violations]
    agents = {
        q.object.value
        for path in workspace.data.glob("contribution-*.trig")
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
        if q.predicate.value.endswith("wasAttributedTo")
    }
    assert len(agents) == 2


def test_a_contribution_changed_by_hand_is_not_accepted(workspace: Workspace) -> None:
    identifier = filed(workspace, GREEN_VALLEY)
    [entry] = entries(workspace)
    stored = entry.folder / CONTRIBUTION_FILE
    stored.write_text(
        stored.read_text(encoding="utf-8").replace('"Green Valley"@en', '"Grey Valley"@en'), encoding="utf-8"
    )
    result = run(workspace, "accept", identifier)
    assert result.exit_code == 2
    assert "no longer holds the statements filed as" in result.output


def test_review_lists_what_waits_and_finds_an_id_by_its_start(workspace: Workspace) -> None:
    assert run(workspace, "review").output == "no contribution is waiting for review\n"
    identifier = filed(workspace, GREEN_VALLEY)
    listing = run(workspace, "review").output
    assert listing.startswith(f"{identifier}  pending ") and '"Jane Doe"  "green-valley.ttl"' in listing
    found = review(workspace, identifier[:4], Settings(workspace=workspace.root))
    assert found.entry.id == identifier and not found.conflicts
    cluster = next(r for r in found.resources if r.iri.endswith("/cluster/green-valley"))
    assert cluster.label == "Green Valley" and cluster.new
    unknown = run(workspace, "review", "ffff")
    assert (
        unknown.exit_code == 2 and "no contribution 'ffff'" in unknown.output and identifier in unknown.output
    )


@pytest.mark.parametrize("command", ["accept", "reject"])
def test_deciding_needs_an_id_of_the_queue(workspace: Workspace, command: str) -> None:
    result = run(workspace, command, "0123", *(["--reason", "x"] if command == "reject" else []))
    assert result.exit_code == 2 and "no contribution '0123'" in result.output
