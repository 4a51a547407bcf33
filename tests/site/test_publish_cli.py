"""`csei publish` through the command line."""

from pathlib import Path

from click.testing import CliRunner

from csei_graph.cli import main

from .conftest import FIXTURE


def test_publish_writes_a_site_and_reports_it(tmp_path: Path) -> None:
    # An empty data folder: the ontology and the made-up facts only, for a quick site.
    (tmp_path / "no-data").mkdir()
    outdir = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(tmp_path / "no-data"),
            "publish",
            str(outdir),
            str(FIXTURE),
            "--site-url",
            "https://csei.example.org/",
            "--release-date",
            "2025-03-01",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("published ")
    assert result.stderr == ""
    assert (outdir / "index.html").is_file()
    assert (outdir / "doc" / "cluster" / "markup-cluster.html").is_file()
    assert "https://csei.example.org/index.html" in (outdir / "sitemap.xml").read_text(encoding="utf-8")
    assert '"2025-03-01"^^xsd:date' in (outdir / "catalog.ttl").read_text(encoding="utf-8")


def test_publish_refuses_a_folder_that_holds_something_else(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["publish", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_publish_refuses_a_bad_release_date_or_site_address(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", str(tmp_path / "a"), "--release-date", "tomorrow"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    result = CliRunner().invoke(main, ["publish", str(tmp_path / "b"), "--site-url", "ftp://x/"])
    assert result.exit_code == 2
    assert "--site-url" in result.stderr
    assert list(tmp_path.iterdir()) == []
