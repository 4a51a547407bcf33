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

    data_dir: Path | None = _setting(
        None,
        "Folder of data files used instead of the built-in data/ (ontology and shapes stay built in).",
    )
    max_file_bytes: int = _setting(
        50 * 1024 * 1024,
        "Largest contributed, uploaded or validated file accepted, in bytes; larger files are refused "
        "unread. The graph's own data files (the built-in data, data_dir, files given to serve, export "
        "or publish) load whatever their size.",
    )
    max_literal_chars: int = _setting(
        100_000,
        "Longest literal accepted in a contributed or validated file, in characters.",
    )
    validation_engine: str = _setting(
        "shacl",
        "SHACL engine of csei validate and csei contribute: shacl (compiled, fast) or pyshacl (the "
        "reference implementation, slower).",
    )
    store_dir: Path | None = _setting(
        None,
        "Folder of the persistent store: the graph is loaded there once and reopened by every command; "
        "it is rebuilt when any source's content changes. Unset: the graph is loaded in memory.",
    )
    endpoint_timeout: int = _setting(
        30,
        "Seconds to wait for each answer of a remote SPARQL store (csei query --endpoint, push, pull).",
    )
    endpoint_retries: int = _setting(
        2,
        "Times a request to a remote store is sent again after a refused connection or a busy answer "
        "(HTTP 502, 503, 504); only requests that are safe to repeat are.",
    )
    endpoint_user: str | None = _setting(
        None,
        "User name to log in to a remote SPARQL store with; unset: no login.",
    )
    endpoint_password: str | None = _setting(
        None,
        "Password of endpoint_user; read from the environment only, never from the command line.",
    )
    site_url: str = _setting(
        "",
        "Public address of the published site (csei publish); sitemap, catalogue and download links "
        "use it. Empty: the base IRI, which w3id.org redirects to the site.",
    )
    sparql_url: str = _setting(
        "",
        "Public address of the SPARQL endpoint announced in the catalogue and VoID description. "
        "Empty: sparql under the site address (where csei serve answers).",
    )
    release_date: str = _setting(
        "",
        "Date (YYYY-MM-DD) the catalogue gives as the dataset's issue and modification date. "
        "Empty: the day csei publish runs.",
    )
    sparql_timeout: int = _setting(
        10,
        "Seconds a SPARQL query may run on csei serve (/sparql and /queries/...); a query still running "
        "then is stopped and answered with 422.",
    )
    sparql_max_rows: int = _setting(
        10_000,
        "Most rows (or triples, for CONSTRUCT and DESCRIBE) a query on csei serve may give; a query "
        "giving more is stopped and answered with 422.",
    )
    sparql_max_memory_mb: int = _setting(
        1024,
        "Memory in MiB a SPARQL query on csei serve may use beyond the graph itself; a query needing "
        "more is stopped and answered with 422.",
    )
    sparql_workers: int = _setting(
        3,
        "Processes csei serve runs SPARQL queries in; a query over a limit is stopped by ending its "
        "process, and more queries than workers wait for one.",
    )
    max_request_bytes: int = _setting(
        100_000,
        "Largest request body, or query text, csei serve accepts, in bytes; larger ones get 413.",
    )
    page_cache_entries: int = _setting(
        2000,
        "Pages and documents csei serve keeps rendered in memory, least recently used dropped first; "
        "0 keeps none.",
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
