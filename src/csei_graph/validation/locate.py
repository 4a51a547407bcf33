"""Finds the file, line and column where a resource is written, so that a report can point at it."""

import itertools
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from csei_graph.sources import lines_and_columns
from csei_graph.validation.report import Location

_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
_LOCAL = r"(?:[\w-]|\\.)(?:(?:[\w.-]|\\.)*(?:[\w-]|\\.))?"
# A full IRI in angle brackets or quotes (Turtle, N-Triples, JSON-LD, RDF/XML), or a prefixed name.
_TOKEN = re.compile(
    r"<(?P<bracketed>[^<>\"\s]+)>"
    r"|\"(?P<quoted>[a-z][a-z0-9+.-]*:[^\"\s]+)\""
    rf"|(?<![\w<\"/#.:-])(?P<prefix>[A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?P<local>{_LOCAL})?"
)
# The first token of a line, where a subject is written as the project's files are laid out. A file is
# searched as bytes (no decoding), with a pattern led by the newline itself: far quicker in a large
# file than one anchored with ^. Non-ASCII bytes stand for the letters `\w` takes in text.
_BRACKETED = rb"<(?P<bracketed>[^<>\"\s]+)>"
_QUOTED = rb"\"(?P<quoted>[a-z][a-z0-9+.-]*:[^\"\s]+)\""
_LOCAL_BYTES = rb"(?:[\w\x80-\xff-]|\\.)(?:(?:[\w.\x80-\xff-]|\\.)*(?:[\w\x80-\xff-]|\\.))?"
_PREFIX_BYTES = re.compile(rb"(?:@prefix|PREFIX)\s+([A-Za-z][\w.\x80-\xff-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
# Up to this many IRIs looked for, a file is searched for them alone rather than for every IRI.
FEW_WANTED = 64


def locate(resources: Iterable[str], files: Sequence[Path]) -> dict[str, Location]:
    """Where each resource IRI is written: the first file that has it as a subject, else the first mention.

    Subjects are looked for first, among the first tokens of lines only; the files are read token by
    token only for what no file has as a subject.
    """
    wanted = {r for r in resources if not r.startswith("_:")}
    as_subject: dict[str, Location] = {}
    for path in files:
        missing = wanted - as_subject.keys()
        if not missing:
            break
        as_subject.update(_subjects_in(path, missing))
    mentioned: dict[str, Location] = {}
    for path in files:
        missing = wanted - as_subject.keys() - mentioned.keys()
        if not missing:
            break
        mentioned.update(_mentions_in(path, missing))
    return {**mentioned, **as_subject}


def _read(path: Path) -> tuple[str, dict[str, str]] | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text, {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}


def _prefixes(data: bytes) -> dict[str, str]:
    """The prefixes a file declares; the word is found first, which is far quicker on a large file."""
    folded = data.lower()  # ASCII letters only: offsets in it are offsets in the data
    prefixes: dict[str, str] = {}
    start = folded.find(b"prefix")
    while start != -1:
        at = start - 1 if data[start - 1 : start] == b"@" else start
        match = _PREFIX_BYTES.match(data, at)
        if match:
            name = (match.group(1) or b"").decode("utf-8", errors="replace")
            prefixes[name] = match.group(2).decode("utf-8", errors="replace")
        start = folded.find(b"prefix", start + 1)
    return prefixes


def _subjects_in(path: Path, wanted: set[str]) -> dict[str, Location]:
    """Where the wanted IRIs first start a line (a subject, as files are written)."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    prefixes = _prefixes(data)
    # Only the prefixes that can abbreviate a wanted IRI are looked for.
    useful = sorted(
        (name for name, namespace in prefixes.items() if any(iri.startswith(namespace) for iri in wanted)),
        key=len,
        reverse=True,
    )
    tokens = _full_iri_tokens(wanted)
    if useful:
        names = b"|".join(re.escape(name.encode()) for name in useful)
        tokens.append(rb"(?P<prefix>" + names + rb"):(?P<local>" + _LOCAL_BYTES + rb")?")
    # One pass, each line's first token tried against each kind of token the IRIs can be written as.
    first_token = rb"(?P<indent>[^\S\n]*)(?:" + b"|".join(tokens) + rb")"
    first_line = re.compile(first_token).match(data)
    offsets: dict[str, int] = {}
    for match in itertools.chain(
        [first_line] if first_line else [], re.compile(rb"\n" + first_token).finditer(data)
    ):
        iri = _iri(match, prefixes)
        if iri in wanted and iri not in offsets:
            offsets[iri] = match.end("indent")
    return _located(path, data, offsets)


def _full_iri_tokens(wanted: set[str]) -> list[bytes]:
    """Patterns of full IRIs in brackets or quotes: of the wanted ones alone when they are few."""
    if len(wanted) > FEW_WANTED:
        return [_BRACKETED, _QUOTED]
    common = os.path.commonprefix(sorted(wanted))  # noqa: RUF071 (IRIs, not paths)
    rests = b"|".join(re.escape(iri[len(common) :].encode()) for iri in sorted(wanted, key=len, reverse=True))
    iris = re.escape(common.encode()) + rb"(?:" + rests + rb")"
    quoted = rb"\"(?=[a-z][a-z0-9+.-]*:[^\"\s]+\")(?P<quoted>" + iris + rb")\""
    return [rb"<(?P<bracketed>" + iris + rb")>", quoted]


def _mentions_in(path: Path, wanted: set[str]) -> dict[str, Location]:
    """Where the wanted IRIs are first written."""
    read = _read(path)
    if read is None:
        return {}
    text, prefixes = read
    offsets: dict[str, int] = {}
    for match in _TOKEN.finditer(text):
        iri = _iri(match, prefixes)
        if iri in wanted and iri not in offsets:
            offsets[iri] = match.start()
    placed = lines_and_columns(text, offsets.values())
    return {iri: Location(str(path), *placed[offset]) for iri, offset in offsets.items()}


def _located(path: Path, data: bytes, offsets: dict[str, int]) -> dict[str, Location]:
    """Line and column (in characters, not bytes) of each byte offset."""
    placed = lines_and_columns(data, offsets.values())
    located = {}
    for iri, offset in offsets.items():
        line, byte_column = placed[offset]
        before = data[offset - byte_column + 1 : offset].decode("utf-8", errors="replace")
        located[iri] = Location(str(path), line, len(before) + 1)
    return located


def _iri(match: re.Match[str] | re.Match[bytes], prefixes: dict[str, str]) -> str | None:
    groups = {
        name: value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
        for name, value in match.groupdict().items()
    }
    if groups.get("bracketed") is not None:
        return groups["bracketed"]
    if groups.get("quoted") is not None:
        return groups["quoted"]
    namespace = prefixes.get(groups.get("prefix") or "")
    # A local name may escape characters with a backslash (cseid:cluster\/pole-sud).
    local = groups.get("local") or ""
    local = re.sub(r"\\(.)", r"\1", local) if "\\" in local else local
    return None if namespace is None else namespace + local
