"""The corpus against `csei publish`: hostile IRIs never place a file outside the site, labels are escaped
in the pages, and a publish that fails leaves the previous site as it was."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markupsafe import escape

from csei_graph.cli import main
from csei_graph.pages import paths
from csei_graph.sources import resource_dir
from tests.hostile.corpus import assert_says, cases_of, fingerprint, write_input

BASE = "https://w3id.org/csei/"
# The vocabularies the pages need, without the rest of the data: a publish then takes a second or two.
SMALL_DATA = ("project-vocabularies.trig",)


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in SMALL_DATA:
        shutil.copy(resource_dir("data") / name, folder / name)
    return folder


def previous_site(outdir: Path) -> None:
    """What an earlier publish left: its marker file and a page."""
    outdir.mkdir()
    (outdir / ".csei-site").write_text('{"generator": "csei-graph", "pages": 1}', encoding="utf-8")
    (outdir / "index.html").write_text("<p>the previous site</p>", encoding="utf-8")


def everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


@pytest.mark.parametrize("case", cases_of("publish"))
def test_a_hostile_graph_is_published_safely(case: dict[str, Any], small_data: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "input"
    inputs.mkdir()
    source = write_input(case, inputs)
    outdir = tmp_path / "site"
    if case["exit"] != 0:
        previous_site(outdir)
    before_data, before_site = fingerprint(small_data), fingerprint(outdir) if outdir.exists() else {}
    result = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(small_data),
            "publish",
            str(outdir),
            str(source),
            "--quiet",
            "--release-date",
            "2025-01-01",
        ],
    )
    output = result.stdout + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), output
    assert result.exit_code == case["exit"], f"{case['id']}: exit {result.exit_code}\n{output}"
    assert_says(case, output)
    assert fingerprint(small_data) == before_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "input", "site"], "nothing beside the site"
    if case["exit"] != 0:
        assert fingerprint(outdir) == before_site, "a failed publish leaves the previous site as it was"
        return
    root = outdir.resolve()
    for path in everything_under(outdir):
        assert path.resolve().is_relative_to(root), f"{path} leads outside the site"
        assert all(ord(c) >= 32 and c not in "\\ " for c in path.name), f"an unsafe file name: {path.name!r}"
    if "page" in case:
        page = (outdir / paths.page_path(case["page"], BASE)).read_text(encoding="utf-8")
        for raw in case.get("escaped", []):
            assert str(escape(raw)) in page and raw not in page, f"{raw!r} is not escaped in the page"
        for shown in case.get("page_holds", []):
            assert shown in page, f"{case['id']}: {shown!r} is not in the page"
        assert len(page.encode()) < case.get("page_bytes_under", 10**9), f"{case['id']}: a page too large"
