"""Finds the file, line and column where a resource is written, so that a report can point at it."""

import bisect
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from csei_graph.validation.report import Location

_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
# A full IRI in angle brackets or quotes (Turtle, N-Triples, JSON-LD, RDF/XML), or a prefixed name.
_TOKEN = re.compile(
    r"<(?P<bracketed>[^<>\"\s]+)>"
    r"|\"(?P<quoted>[a-z][a-z0-9+.-]*:[^\"\s]+)\""
    r"|(?<![\w<\"/#.:-])(?P<prefix>[A-Za-z][\w-]*(?:\.[\w-]+)*)?:"
    r"(?P<local>(?:[\w-]|\\.)(?:(?:[\w.-]|\\.)*(?:[\w-]|\\.))?)?"
)


def locate(resources: Iterable[str], files: Sequence[Path]) -> dict[str, Location]:
    """Where each resource IRI is written: the first file that has it as a subject, else the first mention."""
    wanted = {r for r in resources if not r.startswith("_:")}
    as_subject: dict[str, Location] = {}
    mentioned: dict[str, Location] = {}
    for path in files:
        missing = wanted - as_subject.keys()
        if not missing:
            break
        subjects, mentions = _in_file(path, missing)
        as_subject.update(subjects)
        for iri, location in mentions.items():
            mentioned.setdefault(iri, location)
    return {**mentioned, **as_subject}


def _in_file(path: Path, wanted: set[str]) -> tuple[dict[str, Location], dict[str, Location]]:
    """Where the wanted IRIs start a line (a subject, as files are written) and where first written."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}, {}
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    as_subject: dict[str, int] = {}
    mentioned: dict[str, int] = {}
    for match in _TOKEN.finditer(text):
        iri = _iri(match, prefixes)
        if iri not in wanted or iri in as_subject:
            continue
        mentioned.setdefault(iri, match.start())
        line_start = line_starts[bisect.bisect_right(line_starts, match.start()) - 1]
        if not text[line_start : match.start()].strip():
            as_subject[iri] = match.start()

    def located(offsets: dict[str, int]) -> dict[str, Location]:
        return {iri: _location(path, line_starts, offset) for iri, offset in offsets.items()}

    return located(as_subject), located(mentioned)


def _iri(match: re.Match[str], prefixes: dict[str, str]) -> str | None:
    if match.group("bracketed") is not None:
        return match.group("bracketed")
    if match.group("quoted") is not None:
        return match.group("quoted")
    namespace = prefixes.get(match.group("prefix") or "")
    # A local name may escape characters with a backslash (cseid:cluster\/pole-sud).
    local = re.sub(r"\\(.)", r"\1", match.group("local") or "")
    return None if namespace is None else namespace + local


def _location(path: Path, line_starts: list[int], offset: int) -> Location:
    line = bisect.bisect_right(line_starts, offset)
    return Location(str(path), line, offset - line_starts[line - 1] + 1)
