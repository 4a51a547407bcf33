"""What a killed command left behind is removed, and only that."""

import os
import re
from pathlib import Path

from csei_graph.leftovers import process_running, remove_abandoned

PATTERN = re.compile(r"\.work-(\d+)-.*")


def _dead_pid() -> int:
    return int(Path("/proc/sys/kernel/pid_max").read_text(encoding="utf-8")) + 1


def test_a_process_is_running_while_it_exists() -> None:
    assert process_running(os.getpid())
    assert not process_running(_dead_pid())


def test_only_the_leftovers_of_gone_processes_are_removed(tmp_path: Path) -> None:
    gone_file = tmp_path / f".work-{_dead_pid()}-a.tmp"
    gone_file.write_text("half", encoding="utf-8")
    gone_folder = tmp_path / f".work-{_dead_pid()}-b"
    (gone_folder / "inner").mkdir(parents=True)
    alive = tmp_path / f".work-{os.getpid()}-c.tmp"
    alive.write_text("mine", encoding="utf-8")
    unrelated = tmp_path / "work-1-d.tmp"
    unrelated.write_text("keep", encoding="utf-8")
    assert remove_abandoned(tmp_path, PATTERN) == sorted([gone_file, gone_folder])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, unrelated.name])


def test_a_missing_folder_has_no_leftovers(tmp_path: Path) -> None:
    assert remove_abandoned(tmp_path / "absent", PATTERN) == []
