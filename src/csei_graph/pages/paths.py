"""Where each IRI's documents live in the site: the IRI policy of docs/publishing.md, in code.

Every function here is pure (no store, no file system) so that `csei publish` and `csei serve` map
IRIs to paths, and paths back to IRIs, in exactly the same way. A site path is relative to the site's
root and uses `/`; a *stem* is a site path without its extension (`doc/cluster/bioeconomy-cluster`),
to which `.html`, `.ttl`, `.jsonld` or `.nt` is added.

| IRI (relative to the base)   | stem                        |
|------------------------------|-----------------------------|
| `id/{kind}/{slug}`           | `doc/{kind}/{slug}`         |
| `graph/{name}`               | `graph/{name}`              |
| `ontology`                   | `ontology`                  |
| `ontology#{Term}`            | `ontology/{Term}`           |
| `shapes#{Shape}`             | none: linked as `shapes.html#{Shape}` |

Any other IRI, and any IRI whose path is not made of safe segments (ASCII letters, digits, `-`, `_`,
at most MAX_SEGMENT characters, not starting with `-` or `_`), has no documents of its own: pages
link to the IRI itself and nothing is written for it (`csei check` reports slugs that long).
"""

import hashlib
import posixpath
import re
from functools import lru_cache

from csei_graph.namespaces import MAX_SEGMENT

SAFE_SEGMENT = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_SEGMENT - 1}}}")
PAGE_EXTENSION = ".html"
DUMP_FOLDER = "dumps"
DUMP_NAME = "csei"
# The site's pages at fixed places.
HOME_PAGE = "index.html"
SEARCH_PAGE = "search.html"
ONTOLOGY_PAGE = "ontology.html"
SHAPES_PAGE = "shapes.html"
NOT_FOUND_PAGE = "404.html"


def _segments_are_safe(path: str) -> bool:
    return bool(path) and all(SAFE_SEGMENT.fullmatch(segment) for segment in path.split("/"))


def document_stem(iri: str, base: str) -> str | None:
    """The stem of the documents about a resource, or None when the site writes none for it."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if rest == "ontology":
        return "ontology"
    if rest.startswith("ontology#"):
        term = rest[len("ontology#") :]
        return f"ontology/{term}" if SAFE_SEGMENT.fullmatch(term) else None
    for prefix, folder in (("id/", "doc/"), ("graph/", "graph/")):
        if rest.startswith(prefix) and _segments_are_safe(rest[len(prefix) :]):
            return folder + rest[len(prefix) :]
    return None


def iri_for_stem(stem: str, base: str) -> str | None:
    """The IRI whose documents have this stem (the inverse of document_stem), or None."""
    for folder, prefix in (("doc/", "id/"), ("graph/", "graph/")):
        if stem.startswith(folder) and _segments_are_safe(stem[len(folder) :]):
            return base + prefix + stem[len(folder) :]
    if stem == "ontology":
        return base + "ontology"
    if stem.startswith("ontology/") and SAFE_SEGMENT.fullmatch(stem[len("ontology/") :]):
        return base + "ontology#" + stem[len("ontology/") :]
    return None


@lru_cache(maxsize=65536)
def page_path(iri: str, base: str) -> str | None:
    """The site path a link to this IRI points at (with a fragment for shapes), or None."""
    if iri.startswith(base + "shapes#"):
        name = iri[len(base + "shapes#") :]
        return f"shapes.html#{name}" if SAFE_SEGMENT.fullmatch(name) else "shapes.html"
    stem = document_stem(iri, base)
    return None if stem is None else stem + PAGE_EXTENSION


def split_document_path(path: str) -> tuple[str, str] | None:
    """(stem, extension without the dot) of a safe site path such as `doc/x/y.ttl`, or None."""
    stem, dot, extension = path.rpartition(".")
    if not dot or not extension.isalnum() or not is_safe_path(path):
        return None
    return stem, extension


_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def is_safe_path(path: str) -> bool:
    """True for a relative path that stays inside the site: no `..`, no absolute or hidden parts."""
    if not path or path.startswith(("/", ".")) or "/." in path or "//" in path or path.endswith("/"):
        return False
    return _CONTROL.search(path) is None


def relative_url(target: str, current_page: str) -> str:
    """The URL of a site path as seen from the page at another site path."""
    path, hash_sign, fragment = target.partition("#")
    if not path:
        return f"#{fragment}"
    if path == current_page:
        return posixpath.basename(path) + hash_sign + fragment
    return _relative(path, current_page.rpartition("/")[0]) + hash_sign + fragment


@lru_cache(maxsize=65536)
def _relative(path: str, folder: str) -> str:
    """A site path relative to a folder of the site. Site paths have no ".", ".." or empty segments:
    the steps up from the folder to the one both share, then down to the path."""
    here = folder.split("/") if folder else []
    there = path.split("/")
    shared = 0
    for mine, theirs in zip(here, there, strict=False):
        if mine != theirs:
            break
        shared += 1
    return "/".join([".."] * (len(here) - shared) + there[shared:]) or "."


def name_segment(iri: str) -> str:
    """A file-name-safe segment naming an IRI: its last segment when safe, else a short hash."""
    last = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return last if SAFE_SEGMENT.fullmatch(last) else hashed_segment(iri)


def hashed_segment(iri: str) -> str:
    """A file-name-safe segment for any IRI: a short hash of it."""
    return "h-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def dump_path(extension: str) -> str:
    """The site path of the gzip dump of the whole graph in the syntax of that file extension."""
    return f"{DUMP_FOLDER}/{DUMP_NAME}.{extension}.gz"
