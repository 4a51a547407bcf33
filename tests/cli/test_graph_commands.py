"""`csei info` and `csei check` through the command line."""

import json
from pathlib import Path

from click.testing import CliRunner

from csei_graph.cli import main


def test_info_prints_counts() -> None:
    result = CliRunner().invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("graph: the built-in release ")
    assert "read-only" in result.output.splitlines()[0]
    assert "\ntriples: " in result.output
    assert "clusters per country:" in result.output
    assert "Poland" in result.output


def test_info_as_json() -> None:
    result = CliRunner().invoke(main, ["info", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["triples"] > 0
    assert summary["graph"].startswith("the built-in release")
    assert summary["clusters_per_country"]["Poland"] >= 1


def test_check_builtin_graph_passes() -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_check_reports_problems_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "typo.ttl").write_text(
        "<https://w3id.org/csei/id/cluster/x> <https://w3id.org/csei/ontology#nmae> 'X' .",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert "<https://w3id.org/csei/ontology#nmae>: term used but not defined" in result.output


def test_unreadable_input_exits_2_with_place_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("<https://w3id.org/csei/id/cluster/x> <http://e/p> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["info", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}:1:" in result.output
    assert "Traceback" not in result.output


def test_unknown_extension_exits_2(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(notes)])
    assert result.exit_code == 2
    assert "cannot tell the RDF syntax" in result.output
