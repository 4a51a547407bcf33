"""The wheel carries the ontology, shapes, data and queries, and the installed tool finds them."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("ontology", "shapes", "data", "queries")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stderr}")
    (path,) = out.glob("csei_graph-*.whl")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS)
def test_wheel_carries_every_resource_file(wheel: Path, folder: str) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"csei_graph/resources/{folder}/{p.relative_to(REPO_ROOT / folder).as_posix()}"
        for p in (REPO_ROOT / folder).rglob("*")
        if p.is_file()
    }
    assert expected, f"{folder}/ is empty"
    assert expected <= names


@pytest.mark.slow
def test_wheel_declares_the_console_script(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
    assert "csei = csei_graph.cli:main" in archive.read(entry_points).decode()
