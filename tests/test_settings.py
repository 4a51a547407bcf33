"""Settings come from defaults, then the environment, then explicit values."""

from pathlib import Path

import pytest

from csei_graph.settings import Settings, documented, env_var


def test_defaults_without_environment() -> None:
    assert Settings.from_env({}) == Settings()


def test_environment_overrides_defaults() -> None:
    settings = Settings.from_env({"CSEI_MAX_FILE_BYTES": "123", "CSEI_DATA_DIR": "/tmp/d"})
    assert settings.max_file_bytes == 123
    assert settings.data_dir == Path("/tmp/d")


def test_explicit_values_override_and_none_keeps() -> None:
    settings = Settings(max_literal_chars=5).with_values(max_literal_chars=None, max_file_bytes=9)
    assert (settings.max_literal_chars, settings.max_file_bytes) == (5, 9)


def test_a_bad_number_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="CSEI_MAX_FILE_BYTES must be a whole number"):
        Settings.from_env({"CSEI_MAX_FILE_BYTES": "lots"})


def test_every_setting_has_an_environment_variable_and_doc() -> None:
    for name, env, _default, doc in documented():
        assert env == env_var(name) == f"CSEI_{name.upper()}"
        assert doc


def test_maintainers_are_a_list_in_csei_toml_and_names_separated_by_commas_in_the_environment(
    tmp_path: Path,
) -> None:
    settings_file = tmp_path / "csei.toml"
    settings_file.write_text('maintainers = ["Ada Admin", "Bo Bell"]\n', encoding="utf-8")
    assert Settings.from_file(settings_file).maintainers == ("Ada Admin", "Bo Bell")
    assert Settings.from_env({"CSEI_MAINTAINERS": "Ada Admin, Bo Bell,"}).maintainers == (
        "Ada Admin",
        "Bo Bell",
    )
    settings_file.write_text('maintainers = "Ada Admin"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="maintainers must be a list of names"):
        Settings.from_file(settings_file)
