"""Every command, option and setting is documented: an undocumented one fails the suite."""

import re
from pathlib import Path

import click
import pytest

from csei_graph.cli import main
from csei_graph.settings import documented

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(group: click.Group, prefix: str = "csei") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


COMMANDS = [("csei", main), *_commands(main)]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_is_documented(name: str, command: click.Command) -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(name)}$", reference, re.MULTILINE), f"no section for {name}"
    section = reference.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            long_names = [o for o in param.opts if o.startswith("--")]
            assert any(o in section for o in long_names), f"{name}: option {param.opts} undocumented"


@pytest.mark.parametrize(("name", "env", "default", "doc"), documented(), ids=str)
def test_setting_is_documented(name: str, env: str, default: object, doc: str) -> None:
    reference = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert f"`{name}`" in reference
    assert f"`{env}`" in reference
    assert doc.strip(), f"setting {name} has no documentation string"


def test_readme_names_the_two_setup_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "csei serve" in readme
    assert "pytest" in readme


def test_the_python_example_of_the_readme_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert example, "README.md shows no Python example"
    contribution = DOCS.parent / "tests" / "validation" / "good" / "green-valley.ttl"
    (tmp_path / "my-cluster.ttl").write_bytes(contribution.read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(compile(example.group(1), "README.md", "exec"), {})
    assert (tmp_path / "csei.ttl").read_text(encoding="utf-8").startswith("@prefix")
