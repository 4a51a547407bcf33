"""The corpus against `csei query --param`: values are bound as terms, never pasted into the query, and
a value that does not fit is refused naming the parameter and the line that declares it."""

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.stores.embedded import GraphStore
from tests.hostile.corpus import assert_says, cases_of, fingerprint, write_input


@pytest.mark.parametrize("case", cases_of("query"))
def test_a_hostile_query_parameter(case: dict[str, Any], data_copy: Path, tmp_path: Path) -> None:
    if "file" in case:
        write_input(case, tmp_path)
    arguments = [argument.replace("{dir}", str(tmp_path)) for argument in case["args"]]
    before = fingerprint(data_copy)
    result = CliRunner().invoke(
        main, ["--data-dir", str(data_copy), "query", *arguments], env=case.get("env")
    )
    output = result.stdout + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), output
    assert result.exit_code == case["exit"], f"{case['id']}: exit {result.exit_code}\n{output}"
    assert_says(case, output)
    assert fingerprint(data_copy) == before


def test_an_injected_string_is_searched_for_as_it_is(store: GraphStore, data_copy: Path) -> None:
    injected = 'x" } } INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> } #'
    result = CliRunner().invoke(
        main,
        ["--data-dir", str(data_copy), "query", "search", "--param", f"text={injected}", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [], "nothing in the graph holds the injected text"
    assert not bool(store.query("ASK { <urn:x:a> ?p ?o }")), "nothing was inserted"
