"""The corpus against `csei validate`, `csei contribute` and the CSV template: each file refused or taken
exactly as its case says, with its place, no traceback, and the data folder untouched unless taken."""

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from tests.hostile.corpus import assert_says, cases_of, fingerprint, load_cases, write_input


def run_on_file(case: dict[str, Any], command: str, data_copy: Path, folder: Path) -> tuple[int, str]:
    """Run the command on the case's file, from the folder that holds it; its exit code and output."""
    write_input(case, folder)
    arguments = ["--data-dir", str(data_copy), command, case["file"], *case.get("args", [])]
    if command == "contribute":
        arguments += ["--by", "tester"]
    result = CliRunner().invoke(main, arguments, env=case.get("env"))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case['id']}: {result.exception!r}") from result.exception
    return result.exit_code, result.stdout + result.stderr


def assert_data_as_expected(case: dict[str, Any], before: dict[str, str], data_copy: Path) -> None:
    """Untouched, or (for a contribution that is taken) one new file holding what the case keeps."""
    after = fingerprint(data_copy)
    if not case.get("writes"):
        assert after == before, f"{case['id']}: the data folder changed"
        return
    added = sorted(set(after) - set(before))
    assert len(added) == 1 and added[0].startswith("contribution-"), added
    assert {name: after[name] for name in before} == before, "an existing data file changed"
    text = (data_copy / added[0]).read_text(encoding="utf-8")
    for kept in case["kept"]:
        assert kept in text, f"{case['id']}: {kept!r} is not in the contribution as written"


@pytest.mark.parametrize("case", cases_of("validate") + cases_of("contribute") + cases_of("csv"))
def test_a_hostile_file(
    case: dict[str, Any], data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = "validate" if case in load_cases()["validate"] else "contribute"
    folder = tmp_path / "input"
    folder.mkdir()
    monkeypatch.chdir(folder)
    before = fingerprint(data_copy)
    code, output = run_on_file(case, command, data_copy, folder)
    assert code == case["exit"], f"{case['id']}: exit {code}\n{output[:3000]}"
    assert_says(case, output)
    assert_data_as_expected(case, before, data_copy)


def test_a_file_validated_and_refused_is_never_kept(data_copy: Path, tmp_path: Path) -> None:
    refused = [case for case in load_cases()["contribute"] if case["exit"] != 0]
    before = fingerprint(data_copy)
    for case in refused:
        path = write_input(case, tmp_path)
        result = CliRunner().invoke(
            main, ["--data-dir", str(data_copy), "contribute", str(path)], env=case.get("env")
        )
        assert result.exit_code == case["exit"]
    assert fingerprint(data_copy) == before
    assert not list(data_copy.glob(".*.tmp")), "no temporary file is left behind"
