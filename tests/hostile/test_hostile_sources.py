"""The corpus against the team's own sources: a data file that the admission policy refuses stops every
command that loads the graph (in memory or into a persistent store) with the limit and the file, and
writes nothing."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from csei_graph import admission
from csei_graph.cli import main
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources
from csei_graph.stores import disk
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


@pytest.mark.parametrize("limit", admission.LIMITS)
def test_a_persistent_store_built_under_other_limits_is_built_again(limit: str) -> None:
    # A build holds only what the policy let in: reopened under another limit, it could hold more.
    sources = builtin_sources()
    changed = replace(Settings(), **{limit: getattr(Settings(), limit) - 1})
    assert disk.fingerprint(sources, changed) != disk.fingerprint(sources, Settings())
