"""Atomic writes: whole or not at all, the umask's permissions, leftovers of killed writers removed."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.files import TEMPORARY, atomic_writer, write_atomically


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_an_interrupted_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"previous export")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"half an exp")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_a_complete_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new\nlines\n")
    assert target.read_bytes() == b"new\nlines\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failed_check_replaces_nothing(tmp_path: Path) -> None:
    target = tmp_path / "data.trig"
    target.write_bytes(b"kept")

    def refuse(written: Path) -> None:
        assert written.read_bytes() == b"checked first"
        raise ValueError("does not read back")

    with pytest.raises(ValueError, match="read back"):
        write_atomically(target, b"checked first", check=refuse)
    assert target.read_bytes() == b"kept"
    assert [p.name for p in tmp_path.iterdir()] == ["data.trig"]


def test_written_files_follow_the_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "dump.nq"
    write_atomically(target, b"<a:s> <a:p> <a:o> .\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_missing_folder_is_named_not_the_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        write_atomically(tmp_path / "missing" / "g.nq", b"")
    assert raised.value.filename == str(tmp_path / "missing")
    assert "cannot write g.nq here" in str(raised.value)
    assert ".tmp" not in str(raised.value)


def test_leftovers_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    abandoned = tmp_path / f".site.nq.{dead}.0123abcd.tmp"
    abandoned.write_text("half a file", encoding="utf-8")
    running = tmp_path / f".site.nq.{os.getpid()}.0123abcd.tmp"
    running.write_text("being written", encoding="utf-8")
    assert TEMPORARY.fullmatch(abandoned.name)
    write_atomically(tmp_path / "site.nq", b"")
    assert not abandoned.exists()
    assert running.exists(), "a file of a running process is left alone"
