"""Results kept between runs: read back under their key, and never an error when they cannot be kept."""

import os
from pathlib import Path

import platformdirs
import pytest

from csei_graph.cache import APP_NAME, cache_folder, cache_key, recall, remember
from csei_graph.settings import Settings


def test_a_result_is_read_back_under_its_key(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    key = cache_key("text", "code")
    assert recall("kind", key, settings) is None
    remember("kind", key, "SELECT", settings)
    assert recall("kind", key, settings) == "SELECT"
    assert recall("other-kind", key, settings) is None
    assert [p.name for p in (tmp_path / "kind").iterdir()] == [key]


def test_keys_tell_their_parts_apart() -> None:
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert cache_key("a", b"b") == cache_key("a", "b")
    assert cache_key("a") != cache_key("a", "")


def test_a_folder_that_cannot_be_written_keeps_nothing_and_raises_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    settings = Settings(cache_dir=blocked / "cache")
    remember("kind", cache_key("x"), "SELECT", settings)
    assert recall("kind", cache_key("x"), settings) is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_keeps_nothing(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        remember("kind", cache_key("x"), "SELECT", Settings(cache_dir=tmp_path))
        assert not (tmp_path / "kind").exists()
    finally:
        tmp_path.chmod(0o700)


def test_the_folder_is_the_setting_else_the_users_cache(tmp_path: Path) -> None:
    assert cache_folder(Settings(cache_dir=tmp_path)) == tmp_path
    assert cache_folder(Settings()) == Path(platformdirs.user_cache_dir(APP_NAME))
    assert cache_folder(Settings.from_env({"CSEI_CACHE_DIR": str(tmp_path)})) == tmp_path
