"""The corpus against the workspace commands, as a user runs them in a workspace `csei init` made: each
hostile file, id, name, version or setting refused with its place, no traceback, the workspace untouched."""

from pathlib import Path
from typing import Any

import pytest

from csei_graph.workspace import Workspace
from tests.hostile.corpus import assert_says, cases_of, expand, fingerprint, write_input
from tests.hostile.test_hostile_files import invoke


@pytest.mark.parametrize("case", cases_of("workspace"))
def test_a_hostile_workspace_command(
    case: dict[str, Any], workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    monkeypatch.chdir(folder)
    given = write_input(case, folder) if case.get("file") else None
    if "settings" in case:
        (workspace.root / "csei.toml").write_text(expand(case["settings"]), encoding="utf-8")
    before = fingerprint(workspace.root)
    arguments = [expand(argument).replace("{file}", str(given)) for argument in case["args"]]
    code, output = invoke(["--workspace", str(workspace.root), *arguments], {"CSEI_WORKSPACE": ""})
    assert code == case["exit"], f"{case['id']}: exit {code}\n{output[:3000]}"
    assert_says(case, output)
    assert fingerprint(workspace.root) == before, f"{case['id']}: the workspace changed"
