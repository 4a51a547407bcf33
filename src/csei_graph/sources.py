"""Finds and strictly parses the graph's sources; every error names the file, line and column."""

import json
import re
import stat
import xml.parsers.expat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from csei_graph import admission
from csei_graph.namespaces import BASE, ONTOLOGY_IRI
from csei_graph.settings import Settings

FORMATS_BY_NAME: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
FORMATS_BY_SUFFIX: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
RESOURCE_FOLDERS = ("ontology", "reference", "shapes", "data", "queries")
# The folder of a workspace holding the team's own sources.
WORKSPACE_DATA = "data"


class SourceError(Exception):
    """A source that cannot be read: what is wrong, where, and how to fix it."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.path = str(path)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str:
        """`file:line:column`, as far as it is known."""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Source:
    """One file of RDF, its syntax, and the named graph its triples go into."""

    path: Path
    format: ox.RdfFormat
    graph: ox.NamedNode


def line_and_column(text: str | bytes, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of the character or byte at `offset` of a text."""
    return lines_and_columns(text, [offset])[offset]


def lines_and_columns(text: str | bytes, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Line and column of each offset, counting the lines once through the text."""
    newline: Any = "\n" if isinstance(text, str) else b"\n"
    placed: dict[int, tuple[int, int]] = {}
    line, counted = 1, 0
    for offset in sorted(set(offsets)):
        line += text.count(newline, counted, offset)
        counted = offset
        placed[offset] = (line, offset - (text.rfind(newline, 0, offset) + 1) + 1)
    return placed


def resource_dir(name: str) -> Path:
    """Folder of a built-in resource: inside the installed package, else at the repository's top."""
    if name not in RESOURCE_FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}")
    packaged = Path(str(resources.files("csei_graph"))) / "resources" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def graph_for(path: Path) -> ox.NamedNode:
    """The named graph a triple file goes into; quad files name their own graphs."""
    if path.parent.name == "ontology" and path.stem == "csei":
        return ox.NamedNode(ONTOLOGY_IRI)
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "unnamed"
    return ox.NamedNode(f"{BASE}graph/{slug}")


def format_for(path: Path, input_format: str | None = None) -> ox.RdfFormat:
    """The syntax of a file: the one asked for, else the one its extension says."""
    if input_format:
        try:
            return FORMATS_BY_NAME[input_format]
        except KeyError:
            names = ", ".join(FORMATS_BY_NAME)
            raise SourceError(
                path, f"unknown input format {input_format!r}", hint=f"use one of {names}"
            ) from None
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMATS_BY_SUFFIX))
        raise SourceError(
            path,
            f"cannot tell the RDF syntax of a {path.suffix or 'extension-less'} file",
            hint=f"name it with one of {known}, or pass --input-format",
        )
    return fmt


def files_in(paths: Iterable[Path], suffixes: Iterable[str]) -> list[Path]:
    """The files named, and those with one of `suffixes` in the folders named (searched recursively).

    SourceError for a path that does not exist or is not a regular file (a device, a pipe): such a
    file never ends, or changes as it is read.
    """
    wanted = {suffix.lower() for suffix in suffixes}
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in wanted and p.is_file())
        elif path.is_file():
            found.append(path)
        elif path.exists() or path.is_symlink():
            raise SourceError(
                path, "not a regular file (a device, a pipe or a broken link)", hint="give a file of data"
            )
        else:
            raise SourceError(path, "no such file or folder", hint="check the path")
    return found


def discover(paths: Iterable[Path], input_format: str | None = None) -> list[Source]:
    """Sources for files and folders (searched recursively for RDF files), in a stable order."""
    named = set(paths := list(paths))
    return [
        Source(path, format_for(path, input_format if path in named else None), graph_for(path))
        for path in files_in(paths, FORMATS_BY_SUFFIX)
    ]


def base_sources() -> list[Source]:
    """The built-in release: the ontology, the reference lists the shapes check values against (the
    EU country authority table, the NUTS regions) and the data files of the installed package, read-only."""
    return discover([resource_dir("ontology"), resource_dir("reference"), resource_dir("data")])


def builtin_sources(settings: Settings | None = None) -> list[Source]:
    """The sources of the graph in use: the built-in release, then the workspace's data/ and data_dir.

    The workspace's files and data_dir add to the built-in release and never replace it, so the
    vocabularies the shapes need are always there and upgrading the package brings its new facts. A
    triple file whose name would put its triples into a graph of the release is refused.
    """
    settings = settings or Settings()
    base = base_sources()
    added = [settings.workspace / WORKSPACE_DATA] if settings.workspace is not None else []
    added += [settings.data_dir] if settings.data_dir is not None else []
    loaded = {source.path.resolve() for source in base}
    extra = [
        source
        for source in discover([folder for folder in added if folder.is_dir() or settings.data_dir == folder])
        if source.path.resolve() not in loaded
    ]
    owned = {source.graph for source in base}
    for source in extra:
        if not source.format.supports_datasets and source.graph in owned:
            raise SourceError(
                source.path,
                f"its triples would go into the named graph <{source.graph.value}> of the built-in release",
                hint="rename the file: a team's data goes into graphs of its own",
            )
    return base + extra


def parse(
    source: Source, settings: Settings | None = None, *, own: bool = False, max_triples: int | None = None
) -> list[ox.Quad]:
    """Parse one source strictly, within the size limits; raise SourceError on any fault.

    A file of the team's `own` sources (the graph's data files) may be of any size: the size limit
    protects the server from contributed and validated files, not the team from its own data. With
    `max_triples`, reading stops with a SourceError as soon as the source holds more, so a huge file
    never fills the memory.
    """
    settings = settings or Settings()
    if not own:
        _check_size(source.path, settings.max_file_bytes)
    if source.format == ox.RdfFormat.RDF_XML:
        _refuse_xml_declarations(source.path)
        _check_well_formed_xml(source.path)
    if source.format == ox.RdfFormat.JSON_LD:
        _refuse_deep_json(source.path)
    quads = []
    for quad in _read(source):
        quads.append(quad)
        if max_triples is not None and len(quads) > max_triples:
            raise too_many_triples(source.path, max_triples)
    admit(source.path, quads, settings)
    return quads


def too_many_triples(path: Path, limit: int) -> SourceError:
    """The error of a contribution over the `max_contribution_triples` limit."""
    return SourceError(
        path,
        f"the contribution holds more than {limit:,} triples, the most one contribution may hold",
        hint="split it into several contributions, or raise CSEI_MAX_CONTRIBUTION_TRIPLES",
    )


def _read(source: Source) -> Iterator[ox.Quad]:
    in_named_graph = not source.format.supports_datasets
    try:
        # No base IRI: a relative IRI in a source is an error, not a path on someone's disk.
        # Blank nodes are renamed so that two files using the same label never share a node.
        text = _without_byte_order_mark(source.path)
        for parsed in ox.parse(**text, format=source.format, rename_blank_nodes=True):
            if in_named_graph:
                yield ox.Quad(parsed.subject, parsed.predicate, parsed.object, source.graph)
            else:
                yield parsed
    except SyntaxError as error:
        raise _syntax_error(source.path, error) from None
    except UnicodeDecodeError as error:
        raise SourceError(
            source.path,
            f"not UTF-8 text (byte {error.start})",
            hint="save the file as UTF-8",
        ) from None
    except OSError as error:
        raise SourceError(source.path, error.strerror or str(error)) from None


UTF8_BOM = b"\xef\xbb\xbf"


def _without_byte_order_mark(path: Path) -> dict[str, str | bytes]:
    # Some editors start UTF-8 files with a byte order mark, which the parsers read as text.
    with path.open("rb") as stream:
        starts_with_mark = stream.read(len(UTF8_BOM)) == UTF8_BOM
    if starts_with_mark:
        return {"input": path.read_bytes()[len(UTF8_BOM) :]}
    return {"path": str(path)}


_POSITION = re.compile(r"line (\d+)(?: between columns (\d+)| column (\d+))?")


def _syntax_error(path: Path, error: SyntaxError) -> SourceError:
    message = str(error.msg if error.msg else error)
    line, column = error.lineno, error.offset
    if line is None:
        match = _POSITION.search(message)
        if match:
            line = int(match.group(1))
            column = int(match.group(2) or match.group(3) or 0) or None
    detail = re.sub(r"^Parser error at line \d+ (between columns \d+ and \d+|column \d+): ", "", message)
    if "LoadDocumentCallback" in detail:
        detail = "a remote JSON-LD @context cannot be loaded: nothing is fetched from the web"
        hint = "inline the context in the document"
    else:
        hint = "fix the syntax at that place; the whole file was rejected and nothing was loaded"
    return SourceError(path, f"syntax error: {detail}", line=line, column=column, hint=hint)


def _check_size(path: Path, limit: int) -> None:
    try:
        status = path.stat()
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from None
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(
            path, "not a regular file (a device, a pipe or a socket)", hint="give a file of data"
        )
    if status.st_size > limit:
        raise SourceError(
            path,
            f"file is {status.st_size:,} bytes, over the limit of {limit:,}",
            hint="split it, or raise CSEI_MAX_FILE_BYTES",
        )


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; SourceError otherwise, having read no more."""
    _check_size(path, limit)
    try:
        with path.open("rb") as stream:
            content = stream.read(limit + 1)
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from None
    if len(content) > limit:  # it grew since it was measured
        raise SourceError(path, f"file is over the limit of {limit:,} bytes", hint="split it")
    return content


def _file_bytes(path: Path) -> bytes:
    """A source's bytes; SourceError naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from None


_XML_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)")


def _refuse_xml_declarations(path: Path) -> None:
    # Entities are expanded by the parser: nested ones blow up (billion laughs), external ones read
    # files or URLs. RDF/XML never needs them, so a document declaring any is refused unparsed.
    text = _file_bytes(path)
    match = _XML_DECLARATION.search(text)
    if match:
        line, column = line_and_column(text, match.start())
        raise SourceError(
            path,
            f"RDF/XML with a <!{match.group(1).decode()}> declaration is refused: "
            "entities are never expanded or fetched",
            line=line,
            column=column,
            hint="remove the DOCTYPE and write the entities' values out in full",
        )


def _check_well_formed_xml(path: Path) -> None:
    # The RDF/XML parser stops quietly at the end of a truncated document and keeps what it read:
    # a document cut short must be refused whole. Entities were refused above, so none is expanded.
    checker = xml.parsers.expat.ParserCreate()
    try:
        checker.Parse(_file_bytes(path), True)
    except xml.parsers.expat.ExpatError as error:
        raise SourceError(
            path,
            f"not well-formed XML: {xml.parsers.expat.ErrorString(error.code)}",
            line=error.lineno,
            column=error.offset + 1,
            hint="fix the XML there: a file cut short lacks its closing tags, and text must be UTF-8",
        ) from None


# Python's JSON reader refuses about as deep a document (its recursion limit), so both agree.
MAX_JSON_DEPTH = 1000
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _refuse_deep_json(path: Path) -> None:
    # The JSON-LD parser recurses once per level of nesting: a few thousand levels overflow the
    # native stack and end the whole process, so deep documents are refused before it sees them.
    # A document Python's own JSON reader takes is shallow enough (and that reader is fast); only the
    # others are scanned.
    text = _file_bytes(path)
    try:
        json.loads(text)
        return
    except (RecursionError, ValueError):
        pass
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line, column = line_and_column(text, token.start())
                raise SourceError(
                    path,
                    f"JSON nested more than {MAX_JSON_DEPTH} levels deep",
                    line=line,
                    column=column,
                    hint="flatten the document: give nested nodes an @id and describe them at the top level",
                )
        elif bracket in (b"]", b"}"):
            depth -= 1


def admit(
    path: Path,
    statements: Iterable[ox.Triple | ox.Quad],
    settings: Settings,
    lines: Mapping[str, int] | None = None,
) -> None:
    """SourceError for the first thing in a file's statements that the graph's admission policy refuses
    (`csei_graph.admission`): the file, the line where known, the limit and how to raise it.

    `lines` gives the line each subject is written on, where the caller knows it (a CSV row).
    """
    refused = admission.first_refusal(statements, settings)
    if refused is not None:
        raise refusal_error(path, refused, lines)


def refusal_error(
    path: Path | str, refused: admission.Refusal, lines: Mapping[str, int] | None = None
) -> SourceError:
    """The SourceError of an admission refusal found in a file."""
    line = (lines or {}).get(refused.focus.strip("<>"))
    hint = refused.hint if refused.setting else "state it as plain statements (or an rdf:Statement)"
    return SourceError(path, refused.message, line=line, hint=hint)
