"""Stored SPARQL queries: the catalogue and its header format, typed parameters, running, result formats."""

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from csei_graph import export
from csei_graph.namespaces import BASE, COUNTRY, PREFIXES, shorten
from csei_graph.settings import Settings
from csei_graph.sources import SourceError, builtin_sources, line_and_column, resource_dir
from csei_graph.sparql_text import (
    GRAPH_FORMS,
    parameter_misuses,
    query_form,
    tokens,
    variables,
    where_group_start,
)
from csei_graph.store import GraphStore
from csei_graph.terms import OxTerm

QUERY_SUFFIX = ".rq"
PARAMETER_TYPES = ("IRI", "string", "integer", "date", "concept")
HEADER_FIELDS = ("title", "description", "param", "tags")
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples")
UNBOUND = "-"
REQUIRED = "required"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
COUNTRY_TABLE = str(COUNTRY).rstrip("/")

_FIELD_LINE = re.compile(r"# (?P<key>[a-z]+):(?P<value>.*)$")
_CONTINUATION_LINE = re.compile(r"#  +\S")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+): ")


class QueryError(SourceError):
    """A query or a parameter value that cannot be used: what is wrong, where, and how to fix it."""


class Queryable(Protocol):
    """What runs a query: the embedded store, a remote store or the rdflib engine."""

    def query(self, sparql: str, bindings: Mapping[str, OxTerm] | None = None) -> object:
        """Run a query with variables bound to RDF terms."""
        ...


@dataclass(frozen=True)
class Parameter:
    """A parameter of a stored query: a variable of its WHERE group bound to a typed RDF term."""

    name: str
    type: str
    scheme: str | None
    default: str | None
    required: bool
    description: str
    line: int

    @property
    def type_label(self) -> str:
        """The type as the header writes it (`concept actor-kind`)."""
        return f"{self.type} {self.scheme}" if self.scheme else self.type

    @property
    def scheme_iri(self) -> str:
        """IRI of the concept scheme a concept parameter takes its values from."""
        if self.scheme == "country":
            return COUNTRY_TABLE
        return f"{BASE}id/concept/{self.scheme}"


@dataclass(frozen=True)
class StoredQuery:
    """A SPARQL query file with the documentation of its header."""

    name: str
    path: Path
    text: str
    form: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        """The parameter of that name; QueryError naming the known ones if there is none."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(
            self.path,
            f"query {self.name} has no parameter {name!r}",
            line=self.parameters[0].line if self.parameters else 1,
            hint=f"its parameters: {known}; see csei query --explain {self.name}",
        )


@dataclass(frozen=True)
class QueryResult:
    """The whole answer to a query, whichever engine gave it: rows, a boolean or triples."""

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[OxTerm | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def records(self) -> list[dict[str, OxTerm]]:
        """The rows as dictionaries from variable name to term, unbound variables left out."""
        return [
            {name: term for name, term in zip(self.variables, row, strict=True) if term is not None}
            for row in self.rows
        ]


def queries_dir() -> Path:
    """The folder of the stored queries."""
    return resource_dir("queries")


def list_queries() -> list[StoredQuery]:
    """Every stored query, by name."""
    return [load_query(path) for path in sorted(queries_dir().glob(f"*{QUERY_SUFFIX}"), key=lambda p: p.stem)]


def load_query(name_or_path: str | Path) -> StoredQuery:
    """A stored query by name, or any .rq file; its header, if it starts with `# title:`, is checked."""
    path = _query_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(path, f"not UTF-8 text (byte {error.start})", hint="save it as UTF-8") from None
    except OSError as error:
        raise QueryError(path, error.strerror or str(error)) from None
    check_syntax(text, path)
    try:
        form = query_form(text)
    except ValueError as error:
        raise QueryError(path, str(error), line=1, column=1) from None
    header = _parse_header(text, path) if text.startswith("# title:") else {}
    stored = StoredQuery(name=path.stem, path=path, text=text, form=form, **header)
    _check_parameter_use(stored)
    return stored


def check_syntax(text: str, path: Path | str = "<query>") -> None:
    """Raise QueryError with the line and column of the first syntax error of a query.

    A SERVICE clause is refused too: running a query never fetches data from the web.
    """
    try:
        ox.Store().query(text)
    except RuntimeError:
        pass  # the text parses; what fails when it runs (an unknown function) is reported then
    except SyntaxError as error:
        raise _syntax_error(text, path, str(error.msg or error)) from None
    for token in tokens(text):
        if token.kind == "word" and token.text.upper() == "SERVICE":
            line, column = line_and_column(text, token.start)
            raise QueryError(
                path,
                "a SERVICE clause would fetch data from another endpoint while the query runs",
                line=line,
                column=column,
                hint="load that data into the graph, or run the query on that endpoint with --endpoint",
            )


def _syntax_error(text: str, path: Path | str, message: str) -> QueryError:
    """The error at the place a reader looks for it.

    Oxigraph decides what is valid, but often stops only at the end of the text; rdflib's parser, when
    it too rejects the text, points at the start of the statement it could not read.
    """
    position = _ENGINE_POSITION.match(message)
    line, column = (int(position.group(1)), int(position.group(2))) if position else (None, None)
    detail = _ENGINE_POSITION.sub("", message)
    placed = _rdflib_position(text)
    if placed is not None and (line is None or placed < (line, column or 0)):
        stopped = f"line {line}, column {column}: " if line is not None else ""
        return QueryError(
            path,
            f"SPARQL syntax error in what starts here (the parser stopped at {stopped}{detail})",
            line=placed[0],
            column=placed[1],
            hint="fix the query there",
        )
    return QueryError(
        path, f"SPARQL syntax error: {detail}", line=line, column=column, hint="fix the query there"
    )


def _rdflib_position(text: str) -> tuple[int, int] | None:
    # Imported here: rdflib's SPARQL parser is only needed once a query has failed to parse.
    from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415

    try:
        prepareQuery(text)
    except Exception as error:  # rdflib's parser raises pyparsing's errors, which carry the position
        line, column = getattr(error, "lineno", None), getattr(error, "col", None)
        return (line, column) if isinstance(line, int) and isinstance(column, int) else None
    return None


def bind_parameters(
    query: StoredQuery, values: Mapping[str, str], store: Queryable | None = None
) -> dict[str, OxTerm]:
    """Typed RDF terms for the given parameter values and the defaults; concepts checked in the store.

    A parameter with neither value nor default stays unbound, so the query answers for every value.
    """
    for name in values:
        query.parameter(name)
    bindings: dict[str, OxTerm] = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name, parameter.default)
        if raw is None:
            if parameter.required:
                raise QueryError(
                    query.path,
                    f"parameter {parameter.name} is required",
                    line=parameter.line,
                    hint=f"give it with --param {parameter.name}=VALUE ({parameter.type_label})",
                )
            continue
        term = _term_for_value(parameter, raw, query.path)
        if store is not None and parameter.type == "concept":
            _check_concept_exists(query, parameter, term, store)
        bindings[parameter.name] = term
    return bindings


def run_query(
    query: str | Path | StoredQuery,
    params: Mapping[str, str] | None = None,
    *,
    store: Queryable | None = None,
    settings: Settings | None = None,
) -> QueryResult:
    """Run a stored query (by name, path or StoredQuery) on a store, by default the built-in graph."""
    stored = query if isinstance(query, StoredQuery) else load_query(query)
    if store is None:
        store = GraphStore.from_sources(builtin_sources(settings), settings)
    bindings = bind_parameters(stored, params or {}, store)
    try:
        result = to_result(stored.form, store.query(stored.text, bindings))
    except RuntimeError as error:
        raise QueryError(
            stored.path,
            f"the query failed: {error}",
            hint="the embedded engine runs standard SPARQL 1.1: check the functions the query calls",
        ) from None
    return _without_columns(result, {parameter.name for parameter in stored.parameters})


def to_result(form: str, answer: object) -> QueryResult:
    """The QueryResult of an engine's answer (pyoxigraph results, or an iterable of triples)."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(form, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(variable.value for variable in answer.variables)
        # A solution iterates over its values in the order of the variables: much quicker than by name.
        return QueryResult(form, names, tuple(tuple(row) for row in answer))
    if isinstance(answer, Iterable):
        # A graph is a set: a triple stated in several graphs comes once.
        return QueryResult(form, triples=tuple(dict.fromkeys(answer)))
    raise TypeError(f"not a query answer: {answer!r}")


def _without_columns(result: QueryResult, names: set[str]) -> QueryResult:
    """The result less the columns of the parameters: each holds the value that was given."""
    keep = [i for i, name in enumerate(result.variables) if name not in names]
    if len(keep) == len(result.variables):
        return result
    return QueryResult(
        result.form,
        tuple(result.variables[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in result.rows),
    )


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
        lines.append(f"  {parameter.name} ({parameter.type_label}, {_default_label(parameter)})")
        lines.append(f"      {parameter.description}")
    lines += ["", f"# {query.path}", query.text.rstrip("\n")]
    return "\n".join(lines) + "\n"


def catalogue_text(queries: Sequence[StoredQuery]) -> str:
    """The catalogue: each query's name, title, parameters and tags."""
    lines = []
    for query in queries:
        lines.append(f"{query.name}  ({query.form})  {query.title}")
        for parameter in query.parameters:
            lines.append(
                f"    --param {parameter.name}=<{parameter.type_label}>  {_default_label(parameter)}"
            )
        if query.tags:
            lines.append(f"    tags: {', '.join(query.tags)}")
    return "\n".join(lines) + "\n"


def format_result(result: QueryResult, output_format: str | None = None) -> str:
    """The result as text: table/csv/tsv/json/xml for SELECT and ASK, turtle/jsonld/ntriples for graphs."""
    graph_result = result.form in GRAPH_FORMS
    output_format = output_format or ("turtle" if graph_result else "table")
    allowed = GRAPH_FORMATS if graph_result else RESULT_FORMATS
    if output_format not in allowed:
        raise ValueError(
            f"format {output_format!r} does not fit a {result.form} query; use one of {', '.join(allowed)}"
        )
    if graph_result:
        return _graph_text(result.triples, output_format)
    if result.boolean is not None:
        return _boolean_text(result.boolean, output_format)
    writer = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[output_format]
    return writer(result)


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
                "a header line is '# key: value' (key one of title, description, param, tags) "
                "or '#' and two spaces continuing the line above",
                line=number,
                column=1,
                hint="see docs/queries.md for the header format",
            )
    return _header_values(fields, path)


def _header_values(fields: list[tuple[str, str, int]], path: Path) -> dict[str, object]:
    single: dict[str, str] = {}
    for key, value, number in fields:
        if key != "param" and key in single:
            raise QueryError(path, f"the header gives {key} twice", line=number, column=3)
        if key != "param":
            single[key] = value
    parameters = tuple(
        _parse_parameter(value, number, path) for key, value, number in fields if key == "param"
    )
    names = [p.name for p in parameters]
    for parameter in parameters:
        if names.count(parameter.name) > 1:
            raise QueryError(path, f"parameter {parameter.name} is declared twice", line=parameter.line)
    return {
        "title": single["title"],
        "description": single.get("description", ""),
        "parameters": parameters,
        "tags": tuple(tag.strip() for tag in single.get("tags", "").split(",") if tag.strip()),
    }


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
    type_name, _, scheme = type_spec.partition(" ")
    scheme = scheme.strip() or None
    type_column = column + spec.index("|") + 2
    if type_name not in PARAMETER_TYPES or (type_name == "concept") != (scheme is not None):
        raise QueryError(
            path,
            f"unknown parameter type {type_spec!r}",
            line=line,
            column=type_column,
            hint="use IRI, string, integer, date or concept SCHEME (a concept scheme code, or country)",
        )
    if scheme is not None and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", scheme):
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
        _term_for_value(parameter, parameter.default, path)
    return parameter


def _check_parameter_use(query: StoredQuery) -> None:
    """Parameters must be variables the query projects, used where any engine gives them one meaning."""
    if not query.parameters:
        return
    mentioned = variables(query.text)
    for parameter in query.parameters:
        if parameter.name not in mentioned:
            raise QueryError(
                query.path,
                f"parameter {parameter.name} is not a variable of the query",
                line=parameter.line,
                hint=f"use ?{parameter.name} in the query's WHERE group, or remove the parameter",
            )
    try:
        where_group_start(query.text)
    except ValueError as error:
        raise QueryError(query.path, str(error), hint="see docs/queries.md, Parameters") from None
    for name, offset, why in parameter_misuses(query.text, {p.name for p in query.parameters}):
        line, column = line_and_column(query.text, offset)
        raise QueryError(
            query.path,
            f"parameter ?{name} cannot be used here: {why}",
            line=line,
            column=column,
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


def _term_for_value(parameter: Parameter, raw: str, path: Path) -> OxTerm:
    """The RDF term of a parameter value; QueryError at the parameter's declaration if it is ill-typed."""
    try:
        return _typed_term(parameter, raw)
    except ValueError as error:
        raise QueryError(
            path,
            f"parameter {parameter.name} ({parameter.type_label}): {error}",
            line=parameter.line,
            hint=f"give a value of type {parameter.type_label}",
        ) from None


def _typed_term(parameter: Parameter, raw: str) -> OxTerm:
    if parameter.type == "string":
        return ox.Literal(raw)
    if parameter.type == "integer":
        if not _INTEGER.fullmatch(raw.strip()):
            raise ValueError(f"{raw!r} is not a whole number")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(f"{XSD}integer"))
    if parameter.type == "date":
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a date written YYYY-MM-DD") from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(f"{XSD}date"))
    if parameter.type == "concept":
        return _concept(parameter, raw.strip())
    return _iri(raw.strip())


def _iri(raw: str) -> ox.NamedNode:
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if ":" not in value:
        raise ValueError(f"{raw!r} is not an absolute IRI nor a prefixed name such as cseid:cluster/NAME")
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise ValueError(f"{raw!r} is not a valid IRI ({error})") from None


def _concept(parameter: Parameter, raw: str) -> ox.NamedNode:
    namespace = f"{parameter.scheme_iri}/"
    if raw.startswith(namespace):
        raw = raw[len(namespace) :]
    elif raw.startswith("country:") and parameter.scheme == "country":
        raw = raw[len("country:") :]
    if not _CODE.fullmatch(raw):
        raise ValueError(f"{raw!r} is not the code of a concept (such as {_example_code(parameter)})")
    return ox.NamedNode(namespace + raw)


def _example_code(parameter: Parameter) -> str:
    return "POL" if parameter.scheme == "country" else "public-authority"


def _check_concept_exists(query: StoredQuery, parameter: Parameter, term: OxTerm, store: Queryable) -> None:
    known = store.query(
        f"SELECT DISTINCT ?c ?scheme WHERE {{ ?c <{SKOS_IN_SCHEME}> ?scheme }} ORDER BY ?c",
        {"scheme": ox.NamedNode(parameter.scheme_iri)},
    )
    codes = [row["c"].value.rsplit("/", 1)[-1] for row in known]  # type: ignore[attr-defined]
    code = term.value.rsplit("/", 1)[-1]
    if code not in codes:
        raise QueryError(
            query.path,
            f"parameter {parameter.name}: {code!r} is not a concept of {parameter.scheme_iri}",
            line=parameter.line,
            hint=f"known: {', '.join(codes) or 'none in this graph'}",
        )


def _default_label(parameter: Parameter) -> str:
    if parameter.required:
        return "required"
    return f"default {parameter.default}" if parameter.default is not None else "optional"


def _cell(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _table(result: QueryResult) -> str:
    cells = [[_cell(term).replace("\n", " ") for term in row] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.variables)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(result.variables, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _plain(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, lines ending in CRLF."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_plain(term) for term in row] for row in result.rows)
    return output.getvalue()


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: terms in their SPARQL syntax."""
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != f"{XSD}string":
        value["datatype"] = term.datatype.value
    return value


def _json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: _json_term(term) for name, term in zip(result.variables, row, strict=True) if term is not None}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _xml_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != f"{XSD}string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(result: QueryResult) -> str:
    """SPARQL Query Results XML."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
        *(f"    <variable name={quoteattr(name)}/>" for name in result.variables),
        "  </head>",
        "  <results>",
    ]
    for row in result.rows:
        lines.append("    <result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is not None:
                lines.append(f"      <binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _boolean_text(answer: bool, output_format: str) -> str:
    word = "true" if answer else "false"
    if output_format == "json":
        return json.dumps({"head": {}, "boolean": answer}, indent=2) + "\n"
    if output_format == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{word}</boolean>\n</sparql>\n"
        )
    return word + "\n"


def _graph_text(triples: Iterable[ox.Triple], output_format: str) -> str:
    """The triples as the project writes every graph: the same graph always gives the same text."""
    quads = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return export.to_bytes(quads, export.export_format(output_format)).decode("utf-8")
