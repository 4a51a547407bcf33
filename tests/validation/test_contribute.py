"""`csei contribute`: a conforming contribution becomes a file of its own in data/, with provenance."""

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.settings import Settings
from csei_graph.sources import discover, parse
from csei_graph.validation import contribute, template, validate_graph

from .conftest import fingerprint

GOOD = Path(__file__).resolve().parent / "good"
GREEN_VALLEY = GOOD / "green-valley.ttl"
PROV = "http://www.w3.org/ns/prov#"
CSEI = "https://w3id.org/csei/ontology#"


def _contribute(data_copy: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_copy), "contribute", *args])
    return result.exit_code, result.stdout + result.stderr


def _written(data_copy: Path, before: dict[str, str]) -> list[Path]:
    return [data_copy / name for name in sorted(fingerprint(data_copy).keys() - before.keys())]


def _value(quads: list[ox.Quad], subject: ox.NamedNode, predicate: str) -> ox.NamedNode | ox.Literal:
    return next(q.object for q in quads if q.subject == subject and q.predicate.value == predicate)


def test_a_conforming_contribution_is_merged_with_its_provenance(data_copy: Path) -> None:
    before = fingerprint(data_copy)
    code, output = _contribute(data_copy, str(GREEN_VALLEY), "--by", "Jane Doe <jane@example.org>")
    assert code == 0, output
    digest = hashlib.sha256(GREEN_VALLEY.read_bytes()).hexdigest()
    written = _written(data_copy, before)
    assert [p.name for p in written] == [f"contribution-green-valley-{digest[:8]}.trig"]
    assert f"merged into {written[0]}" in output
    assert "jane@example.org" not in written[0].read_text(encoding="utf-8")
    quads = [q for source in discover(written) for q in parse(source)]
    graph = ox.NamedNode(f"https://w3id.org/csei/graph/contribution-green-valley-{digest[:8]}")
    assert {q.graph_name for q in quads if q.subject.value.endswith("/cluster/green-valley")} == {graph}
    assert _value(quads, graph, f"{CSEI}contentHash") == ox.Literal(f"sha256:{digest}")
    assert _value(quads, graph, f"{CSEI}provenanceKind").value.endswith("/provenance-kind/contributed")
    agent = _value(quads, graph, f"{PROV}wasAttributedTo")
    assert agent == ox.NamedNode("https://w3id.org/csei/id/contributor/jane-doe")
    assert _value(quads, agent, "http://www.w3.org/2004/02/skos/core#prefLabel") == ox.Literal(
        "Jane Doe", language="en"
    )
    source = _value(quads, graph, f"{PROV}wasDerivedFrom")
    assert _value(quads, source, "http://purl.org/dc/terms/identifier") == ox.Literal("green-valley.ttl")
    when = _value(quads, graph, f"{PROV}generatedAtTime")
    assert when.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    # The merged graph still conforms, and holds the new cluster.
    report = validate_graph(settings=Settings(data_dir=data_copy))
    assert not [r for r in report.violations if "green-valley" in r.focus or "contribution" in r.focus]


def test_sending_the_same_files_again_changes_nothing(data_copy: Path) -> None:
    assert _contribute(data_copy, str(GREEN_VALLEY), "--by", "Jane Doe")[0] == 0
    after_first = fingerprint(data_copy)
    code, output = _contribute(data_copy, str(GREEN_VALLEY), "--by", "Someone Else")
    assert code == 0
    assert "already contributed" in output and "nothing written" in output
    assert fingerprint(data_copy) == after_first


def test_the_same_contribution_gives_the_same_bytes(tmp_path: Path) -> None:
    when = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    outputs = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        for path in discover([Path(__file__).resolve().parents[2] / "data"]):
            (folder / path.path.name).write_bytes(path.path.read_bytes())
        outcome = contribute([GREEN_VALLEY], by="Jane Doe", settings=Settings(data_dir=folder), now=when)
        assert outcome.written is not None
        outputs.append(outcome.written.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"2026-01-31T12:00:00Z"^^xsd:dateTime' in outputs[0]


def test_a_refused_contribution_writes_nothing(data_copy: Path) -> None:
    before = fingerprint(data_copy)
    code, output = _contribute(data_copy, str(Path(__file__).parent / "bad" / "typo-in-property.ttl"))
    assert code == 1
    assert "refused: nothing was written to the data folder" in output
    assert fingerprint(data_copy) == before


def test_warnings_refuse_a_contribution_only_when_strict(data_copy: Path) -> None:
    members = GOOD / "members-of-coursive-boutaric.ttl"
    before = fingerprint(data_copy)
    code, output = _contribute(data_copy, str(members), "--strict")
    assert code == 1 and "warning: Recommended" in output
    assert fingerprint(data_copy) == before
    assert _contribute(data_copy, str(members))[0] == 0
    assert len(_written(data_copy, before)) == 1


def test_a_filled_in_csv_template_is_contributed_like_rdf(data_copy: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "my-cluster.csv"
    csv_file.write_text(template(), encoding="utf-8")
    before = fingerprint(data_copy)
    code, output = _contribute(data_copy, str(csv_file), "--by", "Cluster Manager")
    assert code == 0, output
    [written] = _written(data_copy, before)
    text = written.read_text(encoding="utf-8")
    assert "Green Valley Cooperation Cluster" in text
    assert "membership" in text and "my-cluster.csv" in text


def test_a_failed_write_leaves_no_file_behind(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint(data_copy)

    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        contribute([GREEN_VALLEY], by="Jane Doe", settings=Settings(data_dir=data_copy))
    assert fingerprint(data_copy) == before


def test_a_temporary_file_left_by_a_killed_contribute_is_removed(data_copy: Path) -> None:
    # A process id that is not running: the highest the kernel hands out, plus one.
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    abandoned = data_copy / f".contribution-x.trig.{dead}.0123abcd.tmp"
    abandoned.write_text("half a file", encoding="utf-8")
    mine = data_copy / f".contribution-x.trig.{os.getpid()}.0123abcd.tmp"
    mine.write_text("a file being written", encoding="utf-8")
    assert contribute([GREEN_VALLEY], by="Jane Doe", settings=Settings(data_dir=data_copy)).written
    assert not abandoned.exists()
    assert mine.exists(), "a temporary file of a running process is left alone"


def test_the_contributor_defaults_to_the_user(data_copy: Path) -> None:
    outcome = contribute([GREEN_VALLEY], settings=Settings(data_dir=data_copy))
    assert outcome.written is not None
    text = outcome.written.read_text(encoding="utf-8")
    assert "prov:wasAttributedTo cseid:contributor\\/" in text
