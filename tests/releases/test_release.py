"""`csei release` and `csei diff`: a workspace's graph frozen with its changelog, and releases compared."""

import gzip
import json
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from csei_graph import releases
from csei_graph.cli import main
from csei_graph.contributions import contribute
from csei_graph.export import DUMP_FORMATS
from csei_graph.settings import Settings
from csei_graph.site.catalogue import dcat_catalogue
from csei_graph.sources import builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation import validate_catalogue
from csei_graph.workspace import Workspace, init
from tests.hostile.corpus import fingerprint

GOOD = Path(__file__).resolve().parents[1] / "validation" / "good"
ID = "https://w3id.org/csei/id/"
DAY = date(2026, 3, 1)
NEW_CLUSTER = """@prefix csei: <https://w3id.org/csei/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/csei/id/cluster/second-wave> a csei:CSEI ; skos:prefLabel "Second Wave"@en ;
    csei:country <http://publications.europa.eu/resource/authority/country/POL> .
"""


def run(workspace: Workspace, *arguments: str) -> Result:
    result = CliRunner().invoke(main, ["--workspace", str(workspace.root), *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def accepted(workspace: Workspace, path: Path) -> str:
    outcome = contribute(
        workspace, [path], by="Jane Doe", settings=Settings(workspace=workspace.root), accept_by="Max"
    )
    assert outcome.accepted is not None and outcome.entry is not None
    return outcome.entry.id


def test_a_release_holds_the_graph_in_every_syntax_its_changelog_and_description(
    workspace: Workspace,
) -> None:
    identifier = accepted(workspace, GOOD / "green-valley.ttl")
    result = run(
        workspace, "release", "2026.1", "--release-date", "2026-03-01", "--notes", "Green Valley joins"
    )
    assert result.exit_code == 0, result.output
    folder = workspace.releases / "2026.1"
    expected = {releases.dump_name(f) for f in DUMP_FORMATS} | {
        "changelog.md",
        "changelog.ttl",
        "release.ttl",
        "release.json",
    }
    assert {p.name for p in folder.iterdir()} == expected
    settings = Settings(workspace=workspace.root)
    [found] = releases.releases(workspace)
    assert (found.version, found.issued, found.previous, found.notes) == (
        "2026.1",
        "2026-03-01",
        None,
        "Green Valley joins",
    )
    changelog = (folder / "changelog.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Release 2026.1\n")
    assert f'- added skos:prefLabel "Green Valley"@en (contribution {identifier})' in changelog
    assert "over the built-in release" in changelog and "eu-country-authority" not in changelog
    rdf = list(ox.parse(path=str(folder / "changelog.ttl"), format=ox.RdfFormat.TURTLE))
    assert any(t.object.value == "http://purl.org/vocab/changeset/schema#ChangeSet" for t in rdf)
    with gzip.open(folder / "csei.nq.gz") as dump:
        assert f"contribution-{identifier}".encode() in dump.read()
    assert releases.identity(settings) == f"release 2026.1 of {workspace.root.name} (2026-03-01)"


def test_the_same_workspace_gives_the_same_release_bytes(tmp_path: Path) -> None:
    frozen = []
    for name in ("one", "two"):
        workspace = init(tmp_path / name)
        (workspace.data / "ours.ttl").write_text(NEW_CLUSTER, encoding="utf-8")
        made = releases.release(workspace, "1.0", Settings(workspace=workspace.root), today=DAY)
        assert made.release is not None
        frozen.append(fingerprint(made.release.folder))
    assert frozen[0] == frozen[1]


def test_a_release_is_refused_when_its_version_exists_or_is_no_name(workspace: Workspace) -> None:
    assert run(workspace, "release", "1.0").exit_code == 0
    before = fingerprint(workspace.root)
    for version, says in (
        ("1.0", "release 1.0 exists already"),
        ("../x", "is not a version name"),
        ("workspace", "not a version name"),
    ):
        result = run(workspace, "release", version)
        assert result.exit_code == 2 and says in result.output
    assert fingerprint(workspace.root) == before


def test_a_graph_that_does_not_conform_is_not_released(workspace: Workspace) -> None:
    (workspace.data / "broken.ttl").write_text(
        "<https://w3id.org/csei/id/cluster/nameless> a <https://w3id.org/csei/ontology#CSEI> .\n",
        encoding="utf-8",
    )
    before = fingerprint(workspace.root)
    result = run(workspace, "release", "1.0")
    assert result.exit_code == 1
    assert "not released: the graph does not conform; nothing was written" in result.stderr
    assert "cluster/nameless" in result.stdout
    assert fingerprint(workspace.root) == before


def test_diff_between_two_releases_lists_exactly_the_accepted_contributions_changes(
    workspace: Workspace, tmp_path: Path
) -> None:
    assert run(workspace, "release", "1.0").exit_code == 0
    first = accepted(workspace, GOOD / "green-valley.ttl")
    (tmp_path / "wave.ttl").write_text(NEW_CLUSTER, encoding="utf-8")
    second = accepted(workspace, tmp_path / "wave.ttl")
    pending = contribute(
        workspace,
        [GOOD / "members-of-coursive-boutaric.ttl"],
        by="Jane",
        settings=Settings(workspace=workspace.root),
    )
    assert pending.filed and pending.accepted is None
    assert run(workspace, "release", "2.0").exit_code == 0
    changes = releases.diff(workspace, "1.0", "2.0", Settings(workspace=workspace.root))
    assert changes.removed == 0
    added = {c.quad for cs in changes.by_resource.values() for c in cs}
    expected = set()
    for identifier in (first, second):
        path = workspace.data / f"contribution-{identifier}.trig"
        expected |= set(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    assert added == expected, "the two accepted contributions and their provenance, nothing else"
    text = run(workspace, "diff", "1.0", "2.0").output
    assert f"(contribution {first})" in text and f"(contribution {second})" in text
    assert "coursive-boutaric" not in text, "a pending contribution is no change"
    assert run(workspace, "diff", "2.0").output.count("\n- ") == 0, "the workspace is release 2.0"
    turtle = run(workspace, "diff", "1.0", "2.0", "--format", "turtle").output
    changesets = [
        t
        for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
        if t.object.value.endswith("#ChangeSet")
    ]
    assert len(changesets) == len(
        {(r, c.quad.graph_name) for r, cs in changes.by_resource.items() for c in cs}
    )


def test_diff_names_the_releases_there_are(workspace: Workspace) -> None:
    result = run(workspace, "diff", "0.9")
    assert result.exit_code == 2 and "no release '0.9'" in result.output and "none yet" in result.output


def test_the_catalogue_lists_each_release_as_a_version_of_the_dataset(workspace: Workspace) -> None:
    assert run(workspace, "release", "1.0", "--release-date", "2026-01-01").exit_code == 0
    (workspace.data / "ours.ttl").write_text(NEW_CLUSTER, encoding="utf-8")
    settings = Settings(workspace=workspace.root)
    assert (
        releases.identity(settings) == f"workspace {workspace.root.name}: release 1.0 and changes made since"
    )
    assert run(workspace, "release", "1.1", "--release-date", "2026-02-01", "--notes", "More").exit_code == 0
    catalogue = dcat_catalogue(GraphStore.from_sources(builtin_sources(settings), settings), settings)
    dcat, dataset = "http://www.w3.org/ns/dcat#", "https://w3id.org/csei/dataset"
    text = catalogue.serialize(format="nt")
    for version in ("1.0", "1.1"):
        iri = f"{dataset}/release/{version}"
        assert f"<{dataset}> <{dcat}hasVersion> <{iri}> ." in text
        assert f'<{iri}> <{dcat}version> "{version}" .' in text
    assert f'<{dataset}/release/1.1> <http://www.w3.org/ns/adms#versionNotes> "More"@en .' in text
    assert f"<{dataset}/release/1.1> <{dcat}previousVersion> <{dataset}/release/1.0> ." in text
    assert "/releases/1.1/csei.nq.gz> ." in text
    report = validate_catalogue(catalogue)
    assert report.conforms, [r.message for r in report.violations]


def test_publish_offers_the_release_files_the_catalogue_announces(
    workspace: Workspace, tmp_path: Path
) -> None:
    assert run(workspace, "release", "1.0").exit_code == 0
    result = run(workspace, "publish", str(tmp_path / "site"), "--quiet", "--release-date", "2026-01-01")
    assert result.exit_code == 0, result.output
    published = tmp_path / "site" / "releases" / "1.0"
    assert sorted(p.name for p in published.iterdir()) == sorted(releases.published_files())
    assert (published / "csei.nq.gz").read_bytes() == (workspace.releases / "1.0" / "csei.nq.gz").read_bytes()
    assert f"This page shows the release 1.0 of {workspace.root.name}" in (
        tmp_path / "site" / "index.html"
    ).read_text(encoding="utf-8")
    described = json.loads((workspace.releases / "1.0" / "release.json").read_text(encoding="utf-8"))
    assert described["base_release"] and described["sequence"] == 1


@pytest.mark.parametrize("command", [["diff", "1.0"], ["info"], ["release", "1.1"]], ids=lambda c: c[0])
def test_a_damaged_release_is_a_clear_error(workspace: Workspace, command: list[str]) -> None:
    assert run(workspace, "release", "1.0").exit_code == 0
    (workspace.releases / "1.0" / "release.json").write_text("{", encoding="utf-8")
    result = run(workspace, *command)
    assert result.exit_code == 2 and "release.json is damaged" in result.output
