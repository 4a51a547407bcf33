"""The stored queries: the catalogue, the header that documents each query, and the checks made on reading."""

import hashlib
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from csei_graph import sparql_syntax
from csei_graph.cache import cache_key, recall, remember
from csei_graph.queries.model import Parameter, QueryError, StoredQuery
from csei_graph.queries.parameters import PARAMETER_TYPES, term_for_value
from csei_graph.queries.placement import misuses
from csei_graph.settings import Settings
from csei_graph.sources import resource_dir
from csei_graph.sparql_syntax import (
    PARSED_TEXTS_KEPT,
    QUERY_FORMS,
    ParsedQuery,
    SparqlSyntaxError,
    check_nesting,
    read_query,
)

QUERY_SUFFIX = ".rq"
HEADER_FIELDS = ("title", "description", "param", "example", "tags")
UNBOUND = "-"
REQUIRED = "required"
# The kept results of checks: the form of each text that passed them.
CHECKED_KIND = "checked-queries"

_FIELD_LINE = re.compile(r"# (?P<key>[a-z]+):(?P<value>.*)$")
_CONTINUATION_LINE = re.compile(r"#  +\S")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def queries_dir() -> Path:
    """The folder of the stored queries."""
    return resource_dir("queries")


def list_queries() -> list[StoredQuery]:
    """Every stored query, by name."""
    return [load_query(path) for path in sorted(queries_dir().glob(f"*{QUERY_SUFFIX}"), key=lambda p: p.stem)]


def load_query(name_or_path: str | Path, *, max_nesting: int | None = None) -> StoredQuery:
    """A stored query by name, or any .rq file; its header, if it starts with `# title:`, is checked.

    `max_nesting` is the deepest nesting of brackets taken (the `sparql_max_nesting` setting)."""
    path = _query_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(path, f"not UTF-8 text (byte {error.start})", hint="save it as UTF-8") from None
    except OSError as error:
        raise QueryError(path, error.strerror or str(error)) from None
    limit = Settings().sparql_max_nesting if max_nesting is None else max_nesting
    return _checked_query(text, path, limit)


# A publish loads each stored query for the home page, the list of queries and each of its pages:
# keyed by the text read, a query is checked again only once its file is changed. Checking parses the
# text with rdflib's grammar, a fifth of a second a query: a text that passed is remembered on disk
# (with the code and parsers that passed it), so that the next command does not check it again.
@lru_cache(maxsize=PARSED_TEXTS_KEPT)
def _checked_query(text: str, path: Path, max_nesting: int) -> StoredQuery:
    key = cache_key(text, str(max_nesting), *_checker_identity())
    kept = recall(CHECKED_KIND, key)
    parsed = None if kept in QUERY_FORMS else check_syntax(text, path, max_nesting=max_nesting)
    form = parsed.form if parsed is not None else kept
    header = _parse_header(text, path) if text.startswith("# title:") else {}
    stored = StoredQuery(name=path.stem, path=path, text=text, form=form, **header)  # type: ignore[arg-type]
    if parsed is not None:
        _check_parameter_use(stored, parsed)
        remember(CHECKED_KIND, key, parsed.form)
    return stored


@cache
def _checker_identity() -> tuple[str, ...]:
    """What a check's outcome depends on beside the text: the code that checks, the parsers it uses."""
    code = hashlib.sha256()
    for module in [*sorted(Path(__file__).parent.glob("*.py")), Path(sparql_syntax.__file__)]:
        code.update(module.read_bytes())
    return (code.hexdigest(), *(f"{name} {version(name)}" for name in ("rdflib", "pyparsing", "pyoxigraph")))


def check_syntax(text: str, path: Path | str = "<query>", *, max_nesting: int | None = None) -> ParsedQuery:
    """The parsed query; QueryError with the line and column of its first syntax error.

    The text must be a query both rdflib's parser (which the checks read) and the embedded engine
    accept. A SERVICE clause is refused, before the engine sees the text: running a query never
    fetches data from the web.
    """
    limit = Settings().sparql_max_nesting if max_nesting is None else max_nesting
    try:
        check_nesting(text, limit)
        parsed = read_query(text)
    except SparqlSyntaxError as error:
        raise QueryError(
            path, error.message, line=error.line, column=error.column, hint="fix the query there"
        ) from None
    if parsed.uses_service():
        raise QueryError(
            path,
            "a SERVICE clause would fetch data from another endpoint while the query runs",
            hint="load that data into the graph, or run the query on that endpoint with --endpoint",
        )
    try:
        ox.Store().query(text)
    except RuntimeError:
        pass  # the text parses; what fails when it runs (an unknown function) is reported then
    except SyntaxError as error:
        message = str(error.msg or error)
        position = _ENGINE_POSITION.match(message)
        line, column = (int(position.group(1)), int(position.group(2))) if position else (None, None)
        raise QueryError(
            path,
            f"SPARQL syntax error: {_ENGINE_POSITION.sub('', message)}",
            line=line,
            column=column,
            hint="fix the query there",
        ) from None
    return parsed


def explain_query(name_or_path: str | Path) -> str:
    """The documentation of a query, its parameters and its text."""
    query = load_query(name_or_path)
    lines = [f"{query.name}: {query.title or '(no title)'}", ""]
    if query.description:
        lines += [query.description, ""]
    lines.append(f"form: {query.form}")
    if query.tags:
        lines.append(f"tags: {', '.join(query.tags)}")
    lines.append("parameters:" if query.parameters else "parameters: none")
    for parameter in query.parameters:
        lines.append(f"  {parameter.name} ({parameter.type_label}, {default_label(parameter)})")
        lines.append(f"      {parameter.description}")
    lines += ["", f"# {query.path}", query.text.rstrip("\n")]
    return "\n".join(lines) + "\n"


def catalogue_text(queries: Sequence[StoredQuery]) -> str:
    """The catalogue: each query's name, title, parameters and tags."""
    lines = []
    for query in queries:
        lines.append(f"{query.name}  ({query.form})  {query.title}")
        for parameter in query.parameters:
            lines.append(f"    --param {parameter.name}=<{parameter.type_label}>  {default_label(parameter)}")
        if query.tags:
            lines.append(f"    tags: {', '.join(query.tags)}")
    return "\n".join(lines) + "\n"


def default_label(parameter: Parameter) -> str:
    """How the documentation shows a parameter's default."""
    if parameter.required:
        return "required"
    return f"default {parameter.default}" if parameter.default is not None else "optional"


def _query_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix == QUERY_SUFFIX or len(path.parts) > 1:
        if not path.is_file():
            raise QueryError(path, "no such query file", hint="check the path")
        return path
    stored = queries_dir() / f"{name_or_path}{QUERY_SUFFIX}"
    if not stored.is_file():
        names = ", ".join(p.stem for p in sorted(queries_dir().glob(f"*{QUERY_SUFFIX}")))
        raise QueryError(str(name_or_path), "no stored query of that name", hint=f"stored queries: {names}")
    return stored


def _parse_header(text: str, path: Path) -> dict[str, object]:
    """The fields of a header: `# key: value` lines, continued by lines of `#` and two spaces."""
    fields: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        if line.rstrip() == "#":
            continue
        match = _FIELD_LINE.match(line)
        if match and match.group("key") in HEADER_FIELDS:
            fields.append((match.group("key"), match.group("value").strip(), number))
        elif _CONTINUATION_LINE.match(line) and fields:
            key, value, start = fields[-1]
            fields[-1] = (key, f"{value} {line[1:].strip()}", start)
        else:
            raise QueryError(
                path,
                "a header line is '# key: value' (key one of title, description, param, example, tags) "
                "or '#' and two spaces continuing the line above",
                line=number,
                column=1,
                hint="see docs/queries.md for the header format",
            )
    return _header_values(fields, path)


def _header_values(fields: list[tuple[str, str, int]], path: Path) -> dict[str, object]:
    single: dict[str, str] = {}
    for key, value, number in fields:
        if key not in {"param", "example"} and key in single:
            raise QueryError(path, f"the header gives {key} twice", line=number, column=3)
        if key not in {"param", "example"}:
            single[key] = value
    parameters = [_parse_parameter(value, number, path) for key, value, number in fields if key == "param"]
    names = [p.name for p in parameters]
    for parameter in parameters:
        if names.count(parameter.name) > 1:
            raise QueryError(path, f"parameter {parameter.name} is declared twice", line=parameter.line)
    for key, value, number in fields:
        if key == "example":
            parameters = _with_example(parameters, value, number, path)
    return {
        "title": single["title"],
        "description": single.get("description", ""),
        "parameters": tuple(parameters),
        "tags": tuple(tag.strip() for tag in single.get("tags", "").split(",") if tag.strip()),
    }


def _with_example(parameters: list[Parameter], spec: str, line: int, path: Path) -> list[Parameter]:
    """`example: name=value`: the value the documentation and the tests use for a parameter."""
    name, equals, value = spec.partition("=")
    name, value = name.strip(), value.strip()
    matching = [p for p in parameters if p.name == name]
    if not equals or not matching:
        raise QueryError(
            path,
            "an example is 'name=value', for a parameter declared above",
            line=line,
            column=len("# example: ") + 1,
            hint="declare the parameter with '# param:' first",
        )
    term_for_value(matching[0], value, path)
    return [Parameter(**{**p.__dict__, "example": value}) if p.name == name else p for p in parameters]


def _parse_parameter(spec: str, line: int, path: Path) -> Parameter:
    """`name | type | default | description`: default `-` leaves it unbound, `required` asks for it."""
    parts = [part.strip() for part in spec.split("|", 3)]
    column = len("# param: ") + 1
    if len(parts) != 4:
        raise QueryError(
            path,
            "a parameter is 'name | type | default | description'",
            line=line,
            column=column,
            hint="use - as default to leave it unbound, or required",
        )
    name, type_spec, default, description = parts
    if not _NAME.fullmatch(name):
        raise QueryError(path, f"{name!r} is not a SPARQL variable name", line=line, column=column)
    type_name, _, scheme_text = type_spec.partition(" ")
    scheme = scheme_text.strip() or None
    type_column = column + spec.index("|") + 2
    if type_name not in PARAMETER_TYPES or (type_name == "concept") != (scheme is not None):
        raise QueryError(
            path,
            f"unknown parameter type {type_spec!r}",
            line=line,
            column=type_column,
            hint="use IRI, string, integer, date or concept SCHEME (a concept scheme code, or country)",
        )
    if scheme is not None and not _SCHEME.fullmatch(scheme):
        raise QueryError(path, f"{scheme!r} is not a concept scheme code", line=line, column=type_column)
    parameter = Parameter(
        name=name,
        type=type_name,
        scheme=scheme,
        default=None if default in {UNBOUND, REQUIRED} else default,
        required=default == REQUIRED,
        description=description,
        line=line,
    )
    if parameter.default is not None:
        term_for_value(parameter, parameter.default, path)
    return parameter


def _check_parameter_use(query: StoredQuery, parsed: ParsedQuery) -> None:
    """Parameters must be variables the query projects, used where any engine gives them one meaning."""
    if not query.parameters:
        return
    mentioned = parsed.variables()
    for parameter in query.parameters:
        if parameter.name not in mentioned:
            raise QueryError(
                query.path,
                f"parameter {parameter.name} is not a variable of the query",
                line=parameter.line,
                hint=f"use ?{parameter.name} in the query's WHERE group, or remove the parameter",
            )
    if parsed.group_offset is None:
        raise QueryError(
            query.path,
            "the query has no WHERE group { ... } for its parameters",
            hint="see docs/queries.md, Parameters",
        )
    by_name = {p.name: p for p in query.parameters}
    for name, why in misuses(parsed, set(by_name)):
        raise QueryError(
            query.path,
            f"parameter ?{name} cannot be used here: {why}",
            line=by_name[name].line,
            hint="see docs/queries.md, Parameters, for where a parameter may stand",
        )
    placeholders = {ox.Variable(p.name): ox.NamedNode("urn:csei:parameter") for p in query.parameters}
    try:
        ox.Store().query(query.text, substitutions=placeholders)
    except RuntimeError as error:
        if "projection" not in str(error):
            return
        raise QueryError(
            query.path,
            f"every parameter must be a variable of the query's result: {error}",
            line=query.parameters[0].line,
            hint="add the parameters to the SELECT clause (and to GROUP BY in a query with aggregates)",
        ) from None
