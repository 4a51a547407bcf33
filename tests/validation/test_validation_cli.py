"""`csei validate`, `csei contribute` and `csei template` through the command line: options and exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.namespace import SH

from csei_graph.cli import main
from csei_graph.workspace import Workspace

from .conftest import BAD, fingerprint

GOOD = Path(__file__).resolve().parent / "good"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_a_conforming_file_exits_0() -> None:
    result = _run("validate", str(GOOD / "green-valley.ttl"))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("conforms: 0 violations, 0 warnings (shacl engine)\n")


def test_violations_exit_1_and_warnings_only_under_strict() -> None:
    assert _run("validate", str(BAD / "typo-in-class.ttl")).exit_code == 1
    with_warnings = str(GOOD / "members-of-coursive-boutaric.ttl")
    assert _run("validate", with_warnings).exit_code == 0
    strict = _run("validate", "--strict", with_warnings)
    assert strict.exit_code == 1
    assert "conforms: 0 violations, 2 warnings on 1 resource" in strict.stdout


@pytest.mark.parametrize("engine", ["shacl", "pyshacl"])
def test_the_engine_can_be_chosen(engine: str) -> None:
    result = _run("validate", "--engine", engine, str(BAD / "dates-out-of-order.ttl"))
    assert result.exit_code == 1
    assert f"({engine} engine)" in result.stdout
    assert "  violation: It ends (2018) before it starts (2019-05-01): check both dates." in result.stdout


def test_machine_formats_are_parseable() -> None:
    bad = str(BAD / "website-as-text.ttl")
    turtle = _run("validate", "--format", "turtle", bad)
    assert turtle.exit_code == 1
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    assert (None, SH.conforms, None) in graph
    document = json.loads(_run("validate", "--format", "json", bad).stdout)
    assert document["violations"] == 1
    sarif = json.loads(_run("validate", "--format", "sarif", bad).stdout)
    assert sarif["runs"][0]["results"][0]["level"] == "error"
    github = _run("validate", "--format", "github", bad).stdout
    assert github.startswith("::error ")


def test_a_folder_is_validated_as_one_contribution(tmp_path: Path) -> None:
    (tmp_path / "cluster.ttl").write_bytes((GOOD / "green-valley.ttl").read_bytes())
    (tmp_path / "awards.ttl").write_bytes((GOOD / "label-renewed.ttl").read_bytes())
    assert _run("validate", str(tmp_path)).exit_code == 0


def test_input_format_overrides_the_extension(tmp_path: Path) -> None:
    text = tmp_path / "cluster.txt"
    text.write_bytes((GOOD / "green-valley.ttl").read_bytes())
    assert _run("validate", str(text)).exit_code == 2
    result = _run("validate", "--input-format", "turtle", str(text))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["validate", "no-such-file.ttl"], "error: no-such-file.ttl: no such file or folder"),
        (["validate", "--format", "pdf"], "Invalid value for '--format'"),
        (["validate", "--engine", "fast"], "Invalid value for '--engine'"),
        (["contribute"], "Missing argument 'FILES...'"),
        (["validate", "--input-format", "n3", "x.n3"], "Invalid value for '--input-format'"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(args: list[str], says: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_contribute_reports_in_the_chosen_format_and_writes_nothing_when_refused(
    workspace: Workspace,
) -> None:
    before = fingerprint(workspace.root)
    result = _run(
        "--workspace", str(workspace.root), "contribute", "--format", "sarif", str(BAD / "typo-in-class.ttl")
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["runs"][0]["results"][0]["ruleId"] == "cseish:Terms-defined"
    assert "refused: nothing was written" in result.stderr
    assert fingerprint(workspace.root) == before
