"""The persistent store: reopened when its sources are unchanged, rebuilt when any byte changed, never
stale, and an interrupted build leaves the previous store in use."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.settings import Settings
from csei_graph.sources import SourceError, discover
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import write_synthetic

EX = "http://example.org/"
VALUE = f"SELECT ?v WHERE {{ <{EX}a> <{EX}p> ?v }}"


def _value(store: GraphStore) -> str:
    return next(iter(store.query(VALUE)))["v"].value


def _write(path: Path, value: str) -> None:
    path.write_text(f'<{EX}a> <{EX}p> "{value}" .\n', encoding="utf-8")


def _open(directory: Path, *paths: Path) -> GraphStore:
    return GraphStore.open(directory, discover(paths))


def test_reopens_without_rebuilding(tmp_path: Path) -> None:
    source = tmp_path / "data.nq"
    write_synthetic(source, 60, 1)
    started = time.perf_counter()
    built = _open(tmp_path / "store", source)
    build_seconds = time.perf_counter() - started
    assert built.rebuilt
    started = time.perf_counter()
    reopened = _open(tmp_path / "store", source)
    reopen_seconds = time.perf_counter() - started
    assert not reopened.rebuilt
    assert reopened.location == built.location
    assert len(reopened) == len(built) > 20_000
    assert reopen_seconds < build_seconds / 3


def test_a_changed_source_is_never_served_stale(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    _write(source, "old")
    first = _open(tmp_path / "store", source)
    assert _value(first) == "old"
    stat = source.stat()
    _write(source, "new")  # same size
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same dates
    assert source.stat().st_size == stat.st_size
    second = _open(tmp_path / "store", source)
    assert second.rebuilt
    assert _value(second) == "new"
    # A process that opened the old build keeps reading it until it reopens the store.
    assert _value(first) == "old"


def test_an_added_or_removed_source_rebuilds(tmp_path: Path) -> None:
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    _write(one, "1")
    _write(two, "2")
    assert len(_open(tmp_path / "store", one)) == 1
    both = _open(tmp_path / "store", one, two)
    assert both.rebuilt
    assert both.graph_names() == ["https://w3id.org/csei/graph/one", "https://w3id.org/csei/graph/two"]
    again = _open(tmp_path / "store", one)
    assert again.rebuilt
    assert len(again) == 1


def test_a_stricter_limit_rebuilds(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    _write(source, "a literal of thirty characters")
    GraphStore.open(tmp_path / "store", discover([source]))
    with pytest.raises(SourceError, match="exceeds the limit of 10"):
        GraphStore.open(tmp_path / "store", discover([source]), Settings(max_literal_chars=10))


def test_a_faulty_source_keeps_the_previous_store(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    _write(source, "good")
    good = _open(tmp_path / "store", source)
    source.write_text(f'<{EX}a> <{EX}p> "unfinished .\n', encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        _open(tmp_path / "store", source)
    assert raised.value.line == 1
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [".lock", good.location.name, "current"]
    _write(source, "good")
    reopened = _open(tmp_path / "store", source)
    assert not reopened.rebuilt
    assert _value(reopened) == "good"


def test_changes_go_to_a_copy_in_memory(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    _write(source, "x")
    store = _open(tmp_path / "store", source)
    quad = ox.Quad(ox.NamedNode(f"{EX}b"), ox.NamedNode(f"{EX}p"), ox.Literal("y"), ox.NamedNode(f"{EX}g"))
    store.add_all([quad])
    assert store.location is None
    assert len(store) == 2
    assert _value(store) == "x"
    reopened = _open(tmp_path / "store", source)
    assert not reopened.rebuilt
    assert list(reopened.quads()) == [q for q in store.quads() if q != quad]


def test_builds_in_use_are_kept_and_unused_ones_removed(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    _write(source, "1")
    first = _open(tmp_path / "store", source)
    _write(source, "2")
    second = _open(tmp_path / "store", source)
    _write(source, "3")
    del second  # no longer in use: removed by the next build
    third = _open(tmp_path / "store", source)
    builds = sorted(p.name for p in (tmp_path / "store").glob("build-*"))
    assert builds == sorted([first.location.name, third.location.name])
    assert _value(first) == "1"


def test_the_store_setting_makes_every_command_reuse_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "extra.ttl", "x")
    settings = Settings(store_dir=tmp_path / "store", data_dir=data)
    arguments = ["--data-dir", str(data), "--store", str(tmp_path / "store"), "info", "--format", "json"]
    first = CliRunner().invoke(main, arguments)
    assert first.exit_code == 0, first.output
    build = (tmp_path / "store" / "current").read_text(encoding="utf-8").strip()
    second = CliRunner().invoke(main, arguments)
    assert second.output == first.output
    assert (tmp_path / "store" / "current").read_text(encoding="utf-8").strip() == build
    reused = GraphStore.from_sources(discover([data / "extra.ttl"]), settings)
    assert reused.location is not None


BUILD_SCRIPT = """
import sys
from pathlib import Path
from csei_graph.sources import discover
from csei_graph.stores.embedded import GraphStore
GraphStore.open(Path(sys.argv[1]), discover([Path(sys.argv[2])]))
"""


@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    directory, small, large = tmp_path / "store", tmp_path / "small.nq", tmp_path / "large.trig"
    write_synthetic(small, 3, 1)
    write_synthetic(large, 500, 2)
    previous = _open(directory, small)
    expected = set(previous.quads())
    builder = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(directory), str(large)])
    try:
        deadline = time.monotonic() + 60
        while not any(directory.glob(".building-*/oxigraph/*.sst")):
            assert builder.poll() is None, "the build ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        builder.send_signal(signal.SIGKILL)
    finally:
        builder.wait()
    assert builder.returncode == -signal.SIGKILL
    assert any(directory.glob(".building-*"))
    reopened = _open(directory, small)
    assert not reopened.rebuilt
    assert reopened.location == previous.location
    assert set(reopened.quads()) == expected
    rebuilt = _open(directory, large)
    assert rebuilt.rebuilt
    assert not any(directory.glob(".building-*"))
