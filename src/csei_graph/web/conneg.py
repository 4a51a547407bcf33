"""HTTP content negotiation and caching headers: Accept and ?format=, Vary, Link, ETag, Last-Modified, 304.

Everything here is pure (no request object, no store): the routes pass header values in and get
decisions and header values out, so the rules are tested on their own and the same for every route.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

import mimeparse


@dataclass(frozen=True)
class Representation:
    """A media type the server can answer with, the `?format=` names and file extension that pick it."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    # Other media types a client may ask for to get this one (application/json for JSON-LD).
    also_accepted: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header: text types and JSON say their encoding."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


HTML = Representation("html", "text/html", "html", ("htm",), ("application/xhtml+xml",))
TURTLE = Representation("turtle", "text/turtle", "ttl", ("ttl",), ("application/x-turtle",))
JSONLD = Representation("jsonld", "application/ld+json", "jsonld", ("json-ld",), ("application/json",))
NTRIPLES = Representation("ntriples", "application/n-triples", "nt", ("nt",))
RDFXML = Representation(
    "rdfxml", "application/rdf+xml", "rdf", ("rdf", "xml"), ("application/xml", "text/xml")
)
SPARQL_JSON = Representation(
    "json", "application/sparql-results+json", "srj", ("srj",), ("application/json",)
)
SPARQL_XML = Representation(
    "xml", "application/sparql-results+xml", "srx", ("srx",), ("application/xml", "text/xml")
)
CSV = Representation("csv", "text/csv", "csv")
TSV = Representation("tsv", "text/tab-separated-values", "tsv")

# In the server's order of preference: the first wins when the client likes several equally.
DOCUMENT_REPRESENTATIONS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
RDF_REPRESENTATIONS = (TURTLE, JSONLD, NTRIPLES, RDFXML)
SOLUTION_REPRESENTATIONS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)


class NotAcceptable(Exception):
    """Nothing the client accepts can be sent; says what can."""

    def __init__(self, offered: Sequence[Representation]) -> None:
        names = ", ".join(f"{r.media_type} (?format={r.name})" for r in offered)
        super().__init__(f"none of the media types asked for is available; available: {names}")
        self.offered = tuple(offered)


class UnknownFormat(ValueError):
    """A `?format=` value naming no representation of the resource."""

    def __init__(self, value: str, offered: Sequence[Representation]) -> None:
        names = ", ".join(r.name for r in offered)
        super().__init__(f"unknown format {value!r}: use one of {names}")
        self.offered = tuple(offered)


MediaRange = tuple[str, str, dict[str, str]]


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (type, subtype, parameters with `q`), by the maintained
    parser of python-mimeparse; a missing or empty header accepts anything, malformed ranges are skipped."""
    if not header or not header.strip():
        return [("*", "*", {"q": "1"})]
    ranges = []
    for item in header.lower().split(","):
        try:
            main, sub, parameters = mimeparse.parse_media_range(item)
        except mimeparse.MimeTypeParseException:
            continue
        if main and sub and not (main == "*" and sub != "*"):
            ranges.append((main, sub, parameters))
    return ranges


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The quality the client gives a media type (that of the most specific range covering it), and
    how specifically it named it: 2 for type/subtype, 1 for type/*, 0 for */*, -1 when not at all."""
    quality, fitness = mimeparse.quality_and_fitness_parsed(media_type, ranges)
    if fitness < 0:
        return 0.0, -1
    return quality, int(fitness) // 100 + int(fitness) % 100 // 10


def negotiate(accept: str | None, offered: Sequence[Representation]) -> Representation:
    """The representation the client prefers among those offered (server order breaks ties).

    A media type the client names outright beats one it only reaches through a wildcard, and a
    representation's own media type beats the others it answers to (JSON-LD for application/json
    only if nothing else the client named is available).
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for position, representation in enumerate(offered):
        own_quality, own_specificity = _quality(ranges, representation.media_type)
        candidates = [(own_quality, own_specificity, 1)]
        candidates += [(*_quality(ranges, other), 0) for other in representation.also_accepted]
        quality, specificity, own = max(candidates)
        score = (quality, specificity, own, -position)
        if quality > 0 and (best is None or score > best):
            best, chosen = score, representation
    if chosen is None:
        raise NotAcceptable(offered)
    return chosen


def by_format(value: str, offered: Sequence[Representation]) -> Representation:
    """The representation a `?format=` value (name, alias, extension or media type) picks."""
    wanted = value.strip().lower()
    for representation in offered:
        names = {representation.name, representation.extension, representation.media_type}
        if wanted in names or wanted in representation.aliases:
            return representation
    raise UnknownFormat(value, offered)


def choose(accept: str | None, format_value: str | None, offered: Sequence[Representation]) -> Representation:
    """`?format=` when given, else the Accept header."""
    if format_value:
        return by_format(format_value, offered)
    return negotiate(accept, offered)


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip (named, or through `*`, with a quality above 0)."""
    qualities = {}
    for item in (header or "").lower().split(","):
        coding, _, parameters = item.partition(";")
        quality = parameters.strip().removeprefix("q=").strip() if parameters else "1"
        try:
            qualities[coding.strip()] = float(quality)
        except ValueError:
            qualities[coding.strip()] = 1.0
    return qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0))) > 0


def link_header(alternates: Iterable[tuple[str, Representation]], *, canonical: str | None = None) -> str:
    """A Link header naming each alternate URL with its media type (and the canonical IRI)."""
    links = [f'<{url}>; rel="alternate"; type="{r.media_type}"' for url, r in alternates]
    if canonical:
        links.insert(0, f'<{canonical}>; rel="canonical"')
    return ", ".join(links)


def etag_for(body: bytes) -> str:
    """A strong entity tag for a body: the same bytes, the same tag, whichever process served them."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(timestamp: float) -> str:
    """A time as an HTTP date (RFC 9110 IMF-fixdate)."""
    return formatdate(timestamp, usegmt=True)


def is_not_modified(headers: Mapping[str, str], etag: str, last_modified: float | None) -> bool:
    """Whether a conditional GET or HEAD can be answered with 304 Not Modified.

    If-None-Match decides when present (weak comparison); otherwise If-Modified-Since is compared
    with the last modification time, to the second.
    """
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(last_modified) <= since
