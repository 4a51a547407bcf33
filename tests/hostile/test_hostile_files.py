"""The corpus against `csei validate`, `csei contribute` and the CSV template: each file refused or taken
exactly as its case says, with its place, no traceback, and the workspace untouched unless taken."""

import os
import stat
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.contributions.queue import CONTRIBUTION_FILE
from csei_graph.workspace import Workspace
from tests.hostile.corpus import assert_says, cases_of, expand, fingerprint, load_cases, write_input


def invoke(arguments: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, arguments, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(repr(result.exception)) from result.exception
    return result.exit_code, result.stdout + result.stderr


def send_earlier(case: dict[str, Any], workspace: Workspace, folder: Path) -> None:
    """The case's `earlier` contributions (each a file, its content and arguments), sent first."""
    for number, earlier in enumerate(case.get("earlier", [])):
        path = folder / f"earlier-{number}-{earlier['file']}"
        path.write_text(expand(earlier["content"]), encoding="utf-8")
        code, output = invoke(["--workspace", str(workspace.root), "contribute", str(path), *earlier["args"]])
        assert code == 0, output


def run_on_file(case: dict[str, Any], command: str, workspace: Workspace, folder: Path) -> tuple[int, str]:
    """Run the command on the case's file, from the folder that holds it; its exit code and output.

    With `outside`, no workspace is named, as a user would run it in a folder that is none.
    """
    given = write_input(case, folder)
    arguments = [command, given.name, *case.get("args", [])]
    if command == "contribute" and "--by" not in arguments:
        arguments += ["--by", "tester"]
    where = [] if case.get("outside") else ["--workspace", str(workspace.root)]
    return invoke([*where, *arguments], {"CSEI_WORKSPACE": "", **case.get("env", {})})


def assert_workspace_as_expected(case: dict[str, Any], before: dict[str, str], workspace: Workspace) -> None:
    """Untouched, or (for a contribution that is taken) one new pending contribution holding what the
    case keeps, and none of what it must never hold; its files and folders with the umask's modes."""
    after = fingerprint(workspace.root)
    if not case.get("writes"):
        assert after == before, f"{case['id']}: the workspace changed"
        return
    assert {name: after[name] for name in before} == before, "an existing file changed"
    filed = sorted(
        {name.split("/")[1] for name in set(after) - set(before) if name.startswith("contributions/")}
    )
    assert len(filed) == 1, filed
    written = workspace.contributions / filed[0] / CONTRIBUTION_FILE
    text = written.read_text(encoding="utf-8")
    for kept in case.get("kept", []):
        assert kept in text, f"{case['id']}: {kept!r} is not in the contribution as written"
    for subject in case.get("no_statement_about", []):
        statements = ox.parse(path=str(written), format=ox.RdfFormat.TRIG)
        assert not [q for q in statements if q.subject.value == subject], (
            f"{case['id']}: a statement on {subject}"
        )
    if case.get("modes"):
        for path in [written.parent, *written.parent.iterdir()]:
            wanted = case["modes"]["folder" if path.is_dir() else "file"]
            assert oct(stat.S_IMODE(path.stat().st_mode)) == wanted, (
                f"{case['id']}: {path} {oct(path.stat().st_mode)}"
            )


@pytest.mark.parametrize("case", cases_of("validate") + cases_of("contribute") + cases_of("csv"))
def test_a_hostile_file(
    case: dict[str, Any], workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = "validate" if case in load_cases()["validate"] else "contribute"
    folder = tmp_path / "input"
    folder.mkdir()
    monkeypatch.chdir(folder)
    send_earlier(case, workspace, folder)
    before = fingerprint(workspace.root)
    umask = os.umask(int(case["umask"], 8)) if case.get("umask") else None
    try:
        code, output = run_on_file(case, command, workspace, folder)
    finally:
        if umask is not None:
            os.umask(umask)
    assert code == case["exit"], f"{case['id']}: exit {code}\n{output[:3000]}"
    assert_says(case, output)
    assert_workspace_as_expected(case, before, workspace)


def test_a_file_validated_and_refused_is_never_kept(workspace: Workspace, tmp_path: Path) -> None:
    refused = [
        case
        for case in load_cases()["contribute"]
        if case["exit"] != 0 and not case.get("earlier") and not case.get("outside")
    ]
    before = fingerprint(workspace.root)
    for case in refused:
        folder = tmp_path / case["id"]
        folder.mkdir()
        path = write_input(case, folder)
        code, _ = invoke(
            ["--workspace", str(workspace.root), "contribute", str(path), *case.get("args", [])],
            case.get("env"),
        )
        assert code == case["exit"], case["id"]
    assert fingerprint(workspace.root) == before
    assert not list(workspace.root.rglob(".*.tmp")), "no temporary file is left behind"
