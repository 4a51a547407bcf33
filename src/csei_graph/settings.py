"""Every setting of csei-graph, its default, its environment variable and its documentation."""

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class Settings:
    """Settings in force; each field is documented in docs/settings.md (a test keeps them in step)."""

    base_iri: str = _setting(
        "https://w3id.org/csei/",
        "Permanent base of every IRI the project mints (resources, graphs, ontology).",
    )
    data_dir: Path | None = _setting(
        None,
        "Folder of data files used instead of the built-in data/ (ontology and shapes stay built in).",
    )
    max_file_bytes: int = _setting(
        50 * 1024 * 1024,
        "Largest contributed or validated file accepted, in bytes; larger files are refused unread.",
    )
    max_literal_chars: int = _setting(
        100_000,
        "Longest literal accepted in a contributed or validated file, in characters.",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read every setting from its CSEI_<NAME> environment variable, falling back to the default."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for setting in fields(cls):
            raw = environ.get(env_var(setting.name))
            if raw is not None:
                values[setting.name] = _convert(setting.name, raw, setting.default)
        return cls(**values)

    def with_values(self, **changes: Any) -> "Settings":
        """Return a copy with the given settings changed; None leaves a setting as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def env_var(name: str) -> str:
    """Name of the environment variable that sets a setting."""
    return f"CSEI_{name.upper()}"


def documented() -> list[tuple[str, str, Any, str]]:
    """(name, environment variable, default, documentation) of every setting."""
    return [(s.name, env_var(s.name), s.default, s.metadata["doc"]) for s in fields(Settings)]


def _convert(name: str, raw: str, default: Any) -> Any:
    if name.endswith("_dir"):
        return Path(raw)
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as error:
            raise ValueError(f"{env_var(name)} must be a whole number, not {raw!r}") from error
    return raw
