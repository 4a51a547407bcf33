"""The corpus against the team's own sources: a data file that the admission policy refuses stops every
command that loads the graph (in memory or into a persistent store) with the limit and the file, and
writes nothing."""

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from tests.hostile.corpus import assert_says, cases_of, expand, fingerprint, write_input


@pytest.mark.parametrize("case", cases_of("source"))
def test_a_hostile_source(case: dict[str, Any], data_copy: Path, tmp_path: Path) -> None:
    write_input(case, data_copy)
    for extra in case.get("more", []):
        (data_copy / extra["file"]).write_text(expand(extra["content"]), encoding="utf-8")
    out = tmp_path / "out"
    store = ["--store", str(tmp_path / "store")] if case.get("store") else []
    arguments = [argument.replace("{out}", str(out)) for argument in case["args"]]
    before = fingerprint(data_copy)
    result = CliRunner().invoke(main, ["--data-dir", str(data_copy), *store, *arguments], env=case.get("env"))
    output = result.stdout + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), output
    assert result.exit_code == case["exit"], f"{case['id']}: exit {result.exit_code}\n{output[:3000]}"
    assert_says(case, output)
    assert fingerprint(data_copy) == before
    assert not out.exists(), "nothing is written"
