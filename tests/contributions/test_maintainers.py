"""Maintainers of a workspace: `csei maintainer add`, their password hashes kept private, sign-in checks."""

import stat
from pathlib import Path

from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.contributions import maintainers
from csei_graph.settings import Settings
from csei_graph.workspace import Workspace, resolve_settings

PASSWORD = "correct horse battery"


def _add(workspace: Workspace, name: str, password: str = PASSWORD) -> object:
    return CliRunner().invoke(
        main,
        ["--workspace", str(workspace.root), "maintainer", "add", name],
        input=f"{password}\n{password}\n",
    )


def test_a_maintainer_is_listed_and_only_the_hash_is_kept_private(workspace: Workspace) -> None:
    result = _add(workspace, "Ada Admin")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    settings = resolve_settings(workspace.root)
    assert settings.maintainers == ("Ada Admin",)
    assert "# Settings of this csei-graph workspace" in workspace.settings_file.read_text(encoding="utf-8")
    hashes = workspace.private / maintainers.PASSWORDS_FILE
    assert stat.S_IMODE(hashes.stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.private.stat().st_mode) == 0o700
    text = hashes.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert "$argon2id$" in text
    assert ".private/" in (workspace.root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert maintainers.verify(workspace, settings, "Ada Admin", PASSWORD)
    assert not maintainers.verify(workspace, settings, "Ada Admin", PASSWORD + "!")
    assert not maintainers.verify(workspace, settings, "Someone Else", PASSWORD)


def test_a_hash_without_the_name_in_csei_toml_does_not_sign_in(workspace: Workspace) -> None:
    maintainers.add(workspace, "Ada Admin", PASSWORD)
    assert not maintainers.verify(workspace, Settings(workspace=workspace.root), "Ada Admin", PASSWORD)


def test_a_short_password_is_refused_and_nothing_is_written(workspace: Workspace) -> None:
    result = _add(workspace, "Ada Admin", "short")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "shorter than 10 characters" in result.output  # type: ignore[attr-defined]
    assert not workspace.private.exists()
    assert resolve_settings(workspace.root).maintainers == ()


def test_without_a_workspace_nothing_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["maintainer", "add", "Ada"], input=f"{PASSWORD}\n{PASSWORD}\n", env={"CSEI_WORKSPACE": ""}
    )
    assert result.exit_code == 2
    assert "csei init" in result.output


def test_the_signing_key_is_made_once_and_kept_private(workspace: Workspace) -> None:
    key = maintainers.signing_key(workspace)
    assert len(key) >= 48
    assert maintainers.signing_key(workspace) == key
    assert stat.S_IMODE((workspace.private / maintainers.SECRET_FILE).stat().st_mode) == 0o600
