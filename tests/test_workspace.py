"""Workspaces: how one is made and found, the settings of its csei.toml, the built-in release beneath."""

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.settings import Settings, file_keys, file_template
from csei_graph.sources import SourceError, base_sources, builtin_sources
from csei_graph.workspace import (
    BUILTIN_RELEASE,
    NotAWorkspace,
    Workspace,
    describe,
    find,
    init,
    resolve_settings,
)

WRITING_COMMANDS = (
    ["contribute", "x.ttl"],
    ["review"],
    ["accept", "abc"],
    ["reject", "abc", "--reason", "no"],
    ["release", "1.0"],
    ["diff", "1.0"],
)


def test_init_makes_every_folder_and_a_settings_file_that_reads_as_the_defaults(tmp_path: Path) -> None:
    made = init(tmp_path / "graph")
    assert sorted(p.name for p in made.root.iterdir()) == [
        ".gitignore",
        "contributions",
        "csei.toml",
        "data",
        "releases",
    ]
    for folder in (made.data, made.contributions, made.releases):
        assert (folder / "README.md").is_file(), "git keeps a folder only with a file in it"
    assert Settings.from_file(made.settings_file) == Settings()


def test_the_settings_file_documents_every_setting_but_the_workspace() -> None:
    text = file_template()
    for key in file_keys():
        assert f"\n# {key} = " in text
    assert "workspace =" not in text
    # A setting's line is `# key = value`; prose may hold " = " too (safe_csv's, say).
    setting_line = re.compile(r"^# [a-z_]+ = ")
    uncommented = "\n".join(line.removeprefix("# ") for line in text.splitlines() if setting_line.match(line))
    assert set(tomllib.loads(uncommented)) == set(file_keys()), "each line, uncommented, is valid TOML"


def test_init_refuses_a_workspace_twice_and_keeps_existing_files(tmp_path: Path) -> None:
    folder = tmp_path / "repository"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "README.md").write_text("ours", encoding="utf-8")
    init(folder)
    assert (folder / "data" / "README.md").read_text(encoding="utf-8") == "ours"
    with pytest.raises(ValueError, match="already a workspace"):
        init(folder)


def test_a_workspace_is_found_by_option_then_environment_then_upwards(tmp_path: Path) -> None:
    one, two = init(tmp_path / "one"), init(tmp_path / "two")
    inner = one.data / "deeper"
    inner.mkdir()
    assert find(cwd=inner, environ={}) == one.root
    assert find(cwd=inner, environ={"CSEI_WORKSPACE": str(two.root)}) == two.root
    assert find(two.root, cwd=inner, environ={"CSEI_WORKSPACE": str(one.root)}) == two.root
    assert find(cwd=tmp_path, environ={}) is None


def test_a_folder_named_as_a_workspace_that_is_none_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(NotAWorkspace, match=r"holds no csei\.toml") as refused:
        find(tmp_path, environ={})
    assert refused.value.fix == f"make it one with `csei init {tmp_path}`"


def test_options_beat_the_environment_which_beats_the_file(tmp_path: Path) -> None:
    made = init(tmp_path / "graph")
    made.settings_file.write_text(
        'max_file_bytes = 1000\nmax_literal_chars = 20\nstore_dir = "store"\nsite_url = "https://a.example/"\n',
        encoding="utf-8",
    )
    environ = {"CSEI_MAX_LITERAL_CHARS": "30", "CSEI_SITE_URL": "https://b.example/"}
    settings = resolve_settings(made.root, {"site_url": "https://c.example/"}, environ)
    assert settings.max_file_bytes == 1000, "from the file"
    assert settings.max_literal_chars == 30, "the environment beats the file"
    assert settings.site_url == "https://c.example/", "an option beats both"
    assert settings.store_dir == made.root / "store", "a folder is relative to the file"
    assert settings.workspace == made.root


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("max_file_bytes = 'lots'", "max_file_bytes must be a whole number, not 'lots'"),
        ("workspace = 'elsewhere'", "'workspace' is not a setting of csei.toml"),
        ("max_file_byte = 3", "'max_file_byte' is not a setting of csei.toml; its settings are data_dir"),
        ("data_dir = 3", "data_dir must be a folder name in quotes, not 3"),
        ("max_file_bytes = ", "not a valid settings file"),
    ],
)
def test_a_bad_settings_file_is_a_clear_error(tmp_path: Path, line: str, says: str) -> None:
    made = init(tmp_path / "graph")
    made.settings_file.write_text(line + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--workspace", str(made.root), "info"])
    assert result.exit_code == 2
    assert says in result.output and str(made.settings_file) in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("arguments", WRITING_COMMANDS, ids=lambda a: a[0])
def test_outside_a_workspace_a_writing_command_stops_and_names_the_fix(
    arguments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSEI_WORKSPACE", raising=False)
    (tmp_path / "x.ttl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2, result.output
    assert f"csei {arguments[0]} writes into a workspace, and none is in use" in result.output
    assert "nothing is ever written into the installed package" in result.output
    assert "csei init ." in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.ttl"]


def test_info_names_the_graph_in_use(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSEI_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    outside = CliRunner().invoke(main, ["info"])
    assert f"graph: the built-in release {BUILTIN_RELEASE}, read-only" in outside.output
    monkeypatch.chdir(workspace.data)
    inside = CliRunner().invoke(main, ["info"])
    assert (
        f"graph: the workspace {workspace.root} (over the built-in release {BUILTIN_RELEASE})"
        in inside.output
    )
    assert describe(Settings()) == f"the built-in release {BUILTIN_RELEASE}, read-only"


def test_the_workspace_adds_its_data_to_the_built_in_release(workspace: Workspace) -> None:
    (workspace.data / "ours.ttl").write_text(
        '<https://w3id.org/csei/id/cluster/ours> <http://www.w3.org/2004/02/skos/core#prefLabel> "O"@en .\n',
        encoding="utf-8",
    )
    sources = builtin_sources(Settings(workspace=workspace.root))
    assert sources[: len(base_sources())] == base_sources()
    assert [s.path.name for s in sources[len(base_sources()) :]] == ["ours.ttl"]


def test_a_data_folder_adds_to_the_release_and_never_drops_its_vocabularies(tmp_path: Path) -> None:
    """Regression: --data-dir replaced the built-in data, so the concept schemes the shapes need were
    gone and a conforming file was refused with 4 violations."""
    extra = tmp_path / "extra"
    extra.mkdir()
    names = {s.path.name for s in builtin_sources(Settings(data_dir=extra))}
    assert "project-vocabularies.trig" in names
    good = Path(__file__).parent / "validation" / "good" / "green-valley.ttl"
    result = CliRunner().invoke(main, ["--data-dir", str(extra), "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "conforms: 0 violations" in result.output


def test_a_team_file_may_not_pour_its_triples_into_a_graph_of_the_release(workspace: Workspace) -> None:
    (workspace.data / "sources.ttl").write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="would go into the named graph <https://w3id"):
        builtin_sources(Settings(workspace=workspace.root))


def test_a_settings_file_is_read_where_the_command_runs(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.settings_file.write_text("max_file_bytes = 10\n", encoding="utf-8")
    (workspace.root / "big.ttl").write_text("# more than ten bytes\n", encoding="utf-8")
    monkeypatch.chdir(workspace.root)
    monkeypatch.delenv("CSEI_MAX_FILE_BYTES", raising=False)
    result = CliRunner().invoke(main, ["validate", "big.ttl"], env={"CSEI_WORKSPACE": ""})
    assert result.exit_code == 2
    assert "over the limit of 10" in result.output
