"""Every setting of csei-graph: its default, environment variable, `csei.toml` key and documentation."""

import json
import os
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

SETTINGS_FILE = "csei.toml"
# The largest whole number a setting may hold: larger ones overflow the sockets, timers and stores
# they are handed to, far from the file that named them.
LARGEST_NUMBER = 2**63 - 1


def _setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class Settings:
    """Settings in force; each field is documented in docs/settings.md (a test keeps them in step)."""

    workspace: Path | None = _setting(
        None,
        "Folder of the workspace whose graph the commands use (it holds csei.toml); found by "
        "--workspace, else this variable, else the nearest csei.toml at or above the current folder. "
        "Unset: the built-in release, read-only, and the commands that write stop with exit 2. Also "
        "csei --workspace; not a key of csei.toml.",
    )
    data_dir: Path | None = _setting(
        None,
        "Folder of data files added to the graph, over the built-in release and the workspace's data/ "
        "(it never replaces them: the concept schemes the shapes need are always there). Also "
        "csei --data-dir.",
    )
    max_file_bytes: int = _setting(
        50 * 1024 * 1024,
        "Largest contributed, uploaded or validated file accepted, in bytes; larger files are refused "
        "unread. The graph's own data files (the built-in data, data_dir, files given to serve, export "
        "or publish) load whatever their size.",
    )
    max_literal_chars: int = _setting(
        100_000,
        "Longest literal the graph may hold, in characters (inside a triple term too); checked on every "
        "way in: the graph's sources, contributions, CSV rows, a remote store read back.",
    )
    max_iri_chars: int = _setting(
        4_000,
        "Longest IRI the graph may hold, in characters; checked on every way in, as max_literal_chars.",
    )
    max_blank_node_depth: int = _setting(
        50,
        "Deepest nesting of blank nodes the graph may hold (a blank node inside a blank node ..., the "
        "cells of a list counting as one level); deeper ones are refused on every way in, so that no "
        "output (canonical labels, pages, exports) meets them. Give deeply nested nodes IRIs.",
    )
    max_list_items: int = _setting(
        10_000,
        "Most items of one RDF list (rdf:first/rdf:rest) the graph may hold; checked on every way in.",
    )
    max_alike_blank_nodes: int = _setting(
        50,
        "Most blank nodes the graph may hold that are described by the same statements (the cells of a "
        "list of items alike, a chain of nodes alike); checked on every way in. Their canonical labels "
        "(every export) take time growing as the cube of their number (50, 0.05 s; 300, 10 s).",
    )
    max_alike_blank_nodes_total: int = _setting(
        200,
        "Most blank nodes, in all, that share their statements with another blank node, so that many "
        "groups alike cannot add up to a slow export either; checked on every way in.",
    )
    max_alike_neighbours: int = _setting(
        3,
        "Most blank nodes described alike that one blank node described alike may be linked to (3: "
        "lists, chains, rings, trees); more make canonical labels take exponential time (5 nodes alike "
        "linked to each other, 12 ms; 8, 6 s). Checked on every way in.",
    )
    max_statements_per_resource: int = _setting(
        50_000,
        "Most statements with one resource as their subject the graph may hold, so that no page or "
        "document of a resource grows without end; checked on every way in.",
    )
    max_contribution_triples: int = _setting(
        200_000,
        "Most triples one contribution may hold; reading stops and refuses it at the next one, so a "
        "larger contribution never fills the memory. Split larger ones.",
    )
    validation_engine: str = _setting(
        "shacl",
        "SHACL engine of csei validate and csei contribute: shacl (compiled, fast) or pyshacl (the "
        "reference implementation, slower). Also --engine.",
    )
    store_dir: Path | None = _setting(
        None,
        "Folder of the persistent store: the graph is loaded there once and reopened by every command; "
        "it is rebuilt when any source's content changes (docs/scaling.md). Unset: the graph is loaded in "
        "memory. Also csei --store.",
    )
    cache_dir: Path | None = _setting(
        None,
        "Folder where csei keeps results it would otherwise work out again in every command (the checks "
        "of the stored queries, which take seconds), each under a key naming the text, code and library "
        "versions it was made from, so a kept result is never stale. Removing it is always safe. Unset: "
        "the user's cache folder (~/.cache/csei-graph on Linux).",
    )
    endpoint_timeout: int = _setting(
        30,
        "Seconds to wait for each answer of a remote SPARQL store (csei query --endpoint, push, pull). "
        "Also --timeout.",
    )
    endpoint_retries: int = _setting(
        2,
        "Times a request to a remote store is sent again after a refused connection or a busy answer "
        "(HTTP 502, 503, 504); only requests that are safe to repeat are (queries, downloads, graph "
        "replacements).",
    )
    endpoint_user: str | None = _setting(
        None,
        "User name to log in to a remote SPARQL store with; unset: no login. Also --user.",
    )
    endpoint_password: str | None = _setting(
        None,
        "Password of endpoint_user; never from the command line. Set it in the environment, or in a "
        "csei.toml that is never shared (not in a workspace kept in git).",
    )
    site_url: str = _setting(
        "",
        "Public address of the published site (csei publish); the sitemap, the catalogue's download links "
        "and the schema.org description use it. Empty: the base IRI, which the w3id.org rules redirect to "
        "the site (docs/publishing.md). Also csei publish --site-url.",
    )
    sparql_url: str = _setting(
        "",
        "Public address of the SPARQL endpoint announced in the catalogue and VoID description. "
        "Empty: sparql under the site address (where csei serve answers).",
    )
    release_date: str = _setting(
        "",
        "Date (YYYY-MM-DD) the catalogue gives as the dataset's issue and modification date, and csei "
        "release as the release's; set it for a reproducible site. Empty: the day csei publish runs. "
        "Also csei publish --release-date and csei release --release-date.",
    )
    sparql_timeout: int = _setting(
        10,
        "Seconds a SPARQL query may run on csei serve (/sparql and /queries/...); a query still running "
        "then is stopped (its worker process is ended) and answered with 422. Also csei serve --timeout; "
        "see SECURITY.md.",
    )
    sparql_max_rows: int = _setting(
        10_000,
        "Most rows (or triples, for CONSTRUCT and DESCRIBE) a query on csei serve may give; a query "
        "giving more is stopped and answered with 422 (add LIMIT and OFFSET to page). Also csei serve "
        "--max-rows.",
    )
    sparql_max_memory_mb: int = _setting(
        1024,
        "Memory in MiB a SPARQL query on csei serve may use beyond the graph itself; a query needing "
        "more is stopped and answered with 422.",
    )
    sparql_workers: int = _setting(
        3,
        "Processes csei serve runs SPARQL queries in; a query over a limit is stopped by ending its "
        "process, and more queries than workers wait for one (within the time limit).",
    )
    sparql_max_nesting: int = _setting(
        100,
        "Deepest nesting of brackets ({, ( and [) a SPARQL query may have, checked before any parser "
        "reads it (csei serve answers 400, csei query exits 2): the parsers recurse once per level.",
    )
    safe_csv: bool = _setting(
        True,
        "Neutralise spreadsheet formulas in every CSV and TSV csei writes (csei query, /sparql and "
        "/queries/... results): a cell starting with = + - @, a tab or a carriage return gets a leading "
        "' (OWASP's rule). false: the values exactly as they are, for machine consumers.",
    )
    max_request_bytes: int = _setting(
        100_000,
        "Largest request body, or query text, csei serve accepts, in bytes; larger ones are answered with "
        "413 unread.",
    )
    max_upload_bytes: int = _setting(
        5 * 1024 * 1024,
        "Largest file csei serve accepts at /contribute/upload, in bytes (the whole request); larger "
        "uploads get 413, unread past the limit.",
    )
    maintainers: tuple[str, ...] = _setting(
        (),
        "Names of the workspace's maintainers, who sign in on csei serve to review contributions; "
        "`csei maintainer add NAME` adds one, its password hash kept in .private/ (never in csei.toml).",
    )
    login_attempts: str = _setting(
        "5/minute",
        "Most sign-in attempts csei serve accepts from one client address, and for one maintainer name, "
        "in a moving window (such as 5/minute or 20/hour); more get 429 until the window moves on.",
    )
    header_timeout: int = _setting(
        10,
        "Seconds csei serve gives a client to send a request's headers, from the connection's start or the "
        "end of the previous answer; a connection still sending them then is closed.",
    )
    max_connections: int = _setting(
        1000,
        "Connections (and requests in progress) csei serve takes at once; a request beyond them is "
        "answered 503. Per-client limits are the reverse proxy's (SECURITY.md).",
    )
    render_timeout: int = _setting(
        30,
        "Seconds csei serve may take to make one page or document (HTML, RDF, the search index); one still "
        "being made then is stopped (its render worker process is ended) and answered with 503.",
    )
    dump_timeout: int = _setting(
        900,
        "Seconds csei serve may take to write one dump of the whole graph (/dumps/...); past them the "
        "render worker is ended and the request answered with 503.",
    )
    render_workers: int = _setting(
        2,
        "Processes csei serve makes pages, documents and dumps in, apart from the one answering requests: "
        "a heavy page or a dump then never holds up the others. More requests than workers wait for one "
        "(within the render time limit).",
    )
    page_cache_entries: int = _setting(
        2000,
        "Pages and documents csei serve keeps rendered in memory, least recently used dropped first; "
        "0 keeps none. The graph cannot change while the server runs, so a kept page is never stale (with "
        "--endpoint, nothing is kept).",
    )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, under: "Settings | None" = None
    ) -> "Settings":
        """Every setting from its CSEI_<NAME> environment variable, else as in `under` (else the default)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for setting in fields(cls):
            raw = environ.get(env_var(setting.name))
            if raw is not None:
                values[setting.name] = _convert(setting.name, raw)
        return replace(under or cls(), **values)

    @classmethod
    def from_file(cls, path: Path) -> "Settings":
        """The settings a `csei.toml` file sets, the others at their defaults; folders are relative to it.

        ValueError, naming the file and the key, for a file that is not TOML, an unknown key or a value
        of the wrong type.
        """
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: not a valid settings file: {error}") from None
        kinds = _kinds()
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in kinds or key not in file_keys():
                known = ", ".join(file_keys())
                raise ValueError(f"{path}: {key!r} is not a setting of csei.toml; its settings are {known}")
            values[key] = _from_toml(path, key, value, kinds[key])
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


def file_keys() -> list[str]:
    """The settings a `csei.toml` may set: all but the workspace, which is where the file is."""
    return [s.name for s in fields(Settings) if s.name != "workspace"]


def file_template() -> str:
    """A `csei.toml` that documents every setting it may hold, each commented out at its default."""
    lines = [
        "# Settings of this csei-graph workspace. Every key is optional: uncomment one to change it.",
        "# An environment variable (CSEI_<NAME>) beats this file, and a command-line option beats both.",
        "# Folders are relative to this file. Every setting is described in docs/settings.md.",
    ]
    for setting in fields(Settings):
        if setting.name not in file_keys():
            continue
        lines += ["", *_comment(setting.metadata["doc"])]
        lines.append(f"# {setting.name} = {_toml_value(setting.default)}")
    return "\n".join(lines) + "\n"


def _comment(text: str, width: int = 98) -> list[str]:
    lines, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "#"
        line += " " + word
    return [*lines, line]


def _toml_value(value: Any) -> str:
    # A TOML basic string is a JSON string; integers and booleans are written alike in both. An empty
    # string stands for a setting left unset.
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps("" if value is None else str(value) if isinstance(value, Path) else value)


@cache
def _kinds() -> dict[str, type]:
    """The type each setting holds (`Path | None` gives Path)."""
    kinds = {}
    for name, hint in get_type_hints(Settings).items():
        optional = get_origin(hint) in (Union, types.UnionType)
        kinds[name] = next(a for a in get_args(hint) if a is not type(None)) if optional else hint
        if get_origin(hint) is tuple:
            kinds[name] = tuple  # a list of names in csei.toml, separated by commas in the environment
    return kinds


def _from_toml(path: Path, key: str, value: Any, kind: type) -> Any:
    expected = {
        Path: "a folder name in quotes",
        int: "a whole number",
        str: "text in quotes",
        bool: "true or false",
    }
    if kind is tuple:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ValueError(
            f'{path}: {key} must be a list of names in quotes, such as ["Jane Doe"], not {value!r}'
        )
    if kind is Path and isinstance(value, str):
        return path.parent / Path(value).expanduser() if value else None
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if value > LARGEST_NUMBER:
            raise ValueError(f"{path}: {key} must be a whole number up to {LARGEST_NUMBER}, not {value}")
        return value
    if kind in (str, bool) and type(value) is kind:
        return value
    raise ValueError(f"{path}: {key} must be {expected[kind]}, not {value!r}")


def _convert(name: str, raw: str) -> Any:
    kind = _kinds()[name]
    if kind is Path:
        return Path(raw)
    if kind is tuple:
        return tuple(name.strip() for name in raw.split(",") if name.strip())
    if kind is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    if kind is int:
        try:
            number = int(raw)
        except ValueError as error:
            raise ValueError(f"{env_var(name)} must be a whole number, not {raw!r}") from error
        if number > LARGEST_NUMBER:
            raise ValueError(f"{env_var(name)} must be a whole number up to {LARGEST_NUMBER}, not {raw!r}")
        return number
    return raw
