"""`csei export` through the command line: streams, files, gzip, and clear errors."""

import gzip
import io
from pathlib import Path

from click.testing import CliRunner

from csei_graph.api import open_graph
from csei_graph.cli import main
from csei_graph.export import export


def _expected(name: str) -> bytes:
    out = io.BytesIO()
    export(open_graph(), name, out)
    return out.getvalue()


def test_export_streams_turtle_to_standard_output_by_default() -> None:
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == _expected("turtle")
    assert result.stdout_bytes.startswith(b"@prefix ")


def test_export_writes_a_gzip_file_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "graph.nq.gz"
    result = CliRunner().invoke(main, ["export", "--format", "nquads", "--gzip", "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    assert gzip.decompress(target.read_bytes()) == _expected("nquads")
    assert f"wrote {target}" in result.stderr
    assert result.stdout == ""


def test_export_to_standard_output_can_be_compressed() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "ntriples", "--gzip"])
    assert result.exit_code == 0, result.stderr
    assert gzip.decompress(result.stdout_bytes) == _expected("ntriples")


def test_an_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "yaml"])
    assert result.exit_code == 2
    assert "'yaml' is not one of" in result.stderr


def test_a_folder_given_as_the_output_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_unreadable_sources_exit_2_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("<https://w3id.org/csei/id/cluster/x> <http://e/p> .\n", encoding="utf-8")
    target = tmp_path / "out.ttl"
    result = CliRunner().invoke(main, ["export", str(bad), "--out", str(target)])
    assert result.exit_code == 2
    assert f"error: {bad}:1:" in result.stderr
    assert "Traceback" not in result.output
    assert not target.exists()
