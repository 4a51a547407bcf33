"""Fixtures of the validation tests: a copy of the data folder to contribute into, and its fingerprint."""

import hashlib
import shutil
from pathlib import Path

import pytest

from csei_graph.settings import Settings
from csei_graph.sources import resource_dir

BAD = Path(__file__).resolve().parent / "bad"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder (hidden ones too) and the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the built-in data folder; contributions go there, never into the real data/."""
    copy = tmp_path / "data"
    shutil.copytree(resource_dir("data"), copy)
    return copy


@pytest.fixture
def copy_settings(data_copy: Path) -> Settings:
    """Settings that read and write the data copy."""
    return Settings(data_dir=data_copy)
