"""The folder of bad contributions: each is refused with its exact message and place, nothing written."""

import tomllib

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.workspace import Workspace

from .conftest import BAD, fingerprint

EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))


def test_every_bad_file_has_an_expectation_and_there_are_enough() -> None:
    files = sorted(p.name for p in BAD.iterdir() if p.name != "expected.toml")
    assert sorted(EXPECTED) == files
    assert len(files) >= 30
    assert {case["exit"] for case in EXPECTED.values()} == {1, 2}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_contribution_is_refused(
    name: str, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = EXPECTED[name]
    before = fingerprint(workspace.root)
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(
        main, ["--workspace", str(workspace.root), "contribute", name, "--by", "tester"]
    )
    lines = (result.stdout + result.stderr).splitlines()
    assert result.exit_code == expected["exit"], result.output
    for line in expected["says"]:
        assert line in lines, f"{name}: expected the line\n{line}\nin\n{result.output}"
    for start in expected.get("says_start", []):
        assert any(line.startswith(start) for line in lines), f"{name}: no line starts with\n{start}"
    assert "Traceback" not in result.output
    assert fingerprint(workspace.root) == before


@pytest.mark.parametrize("name", sorted(n for n, case in EXPECTED.items() if case["exit"] == 1))
def test_validate_reports_what_contribute_refuses(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(main, ["validate", name])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    for line in EXPECTED[name]["says"]:
        assert line in lines
    for start in EXPECTED[name].get("says_start", []):
        assert any(line.startswith(start) for line in lines)
