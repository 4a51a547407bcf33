"""Every command, option and setting is documented, the reference pages written from the code itself."""

import re
from pathlib import Path

import pytest

from csei_graph.docs import commands, help_text, run, stale
from csei_graph.settings import documented

DOCS = Path(__file__).resolve().parents[1] / "docs"


COMMANDS = [name for name, _ in commands()]


def test_the_reference_pages_are_what_the_code_says() -> None:
    assert stale(DOCS) == [], "stale: run python -m csei_graph.docs"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_section_in_the_guide(name: str) -> None:
    guide = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(name)}$", guide, re.MULTILINE), f"no section for {name} in commands.md"


@pytest.mark.parametrize("name", COMMANDS)
def test_the_reference_shows_each_command_with_every_option(name: str) -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = reference.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
    assert help_text(name) in section


def test_a_stale_page_is_named_and_rewritten(tmp_path: Path) -> None:
    for page in ("cli.md", "settings.md"):
        (tmp_path / page).write_text((DOCS / page).read_text(encoding="utf-8"), encoding="utf-8")
    settings = tmp_path / "settings.md"
    settings.write_text(settings.read_text(encoding="utf-8").replace("`CSEI_DATA_DIR`", "`CSEI_DATA`"))
    assert stale(tmp_path) == [settings]
    assert run(["--docs", str(tmp_path), "--check"]) == 1
    assert "`CSEI_DATA`" in settings.read_text(encoding="utf-8"), "--check wrote"
    assert run(["--docs", str(tmp_path)]) == 0
    assert stale(tmp_path) == []


def test_a_settings_page_without_its_markers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cli.md").write_text((DOCS / "cli.md").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "settings.md").write_text("# Settings\n", encoding="utf-8")
    assert run(["--docs", str(tmp_path)]) == 2
    assert (tmp_path / "settings.md").read_text(encoding="utf-8") == "# Settings\n"


@pytest.mark.parametrize(("name", "env", "default", "doc"), documented(), ids=str)
def test_setting_is_documented(name: str, env: str, default: object, doc: str) -> None:
    reference = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert f"| `{name}` | `{env}` |" in reference
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
