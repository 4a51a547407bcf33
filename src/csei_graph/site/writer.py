"""Writes the files of a site under its root: never outside it, each text file beside its gzip copy.

Pages and other text files of `COMPRESS_MIN_BYTES` or more get a `.gz` copy (stable bytes: no name,
no time stamp), which `csei serve` and the generated web-server rules send with `Content-Encoding:
gzip` to clients that accept it. A file is always written anew (unlinked first), so a site that
shares files with an earlier one through hard links never changes that earlier site.
"""

import gzip
from pathlib import Path

from csei_graph.pages import paths

COMPRESS_MIN_BYTES = 1024
COMPRESSED_EXTENSIONS = frozenset({".html", ".ttl", ".jsonld", ".nt", ".json", ".xml", ".txt", ".rq"})
# Fast rather than small: pages are many and each is compressed once per publish.
GZIP_LEVEL = 4
GZIP_SUFFIX = ".gz"


def gzipped(content: bytes) -> bytes:
    """The gzip form of some bytes, the same bytes every time (no file name, no time stamp)."""
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def is_compressed_kind(site_path: str) -> bool:
    """Whether files of this name get a gzip copy when large enough."""
    name = site_path.rpartition("/")[2]
    return "." in name and "." + name.rpartition(".")[2] in COMPRESSED_EXTENSIONS


class SiteWriter:
    """Writes files under the site's root, refusing any path that would leave it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.pages: list[str] = []

    def target(self, site_path: str, *, hidden: bool = False) -> Path:
        """The file for a site path, removed if it exists; hidden allows a leading dot (`.htaccess`)."""
        checked = site_path.replace("/.", "/") if hidden else site_path
        checked = checked.removeprefix(".") if hidden else checked
        if not paths.is_safe_path(checked) or ".." in site_path:
            raise ValueError(f"refusing to write outside the site: {site_path!r}")
        target = self.root / site_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        self.files += 1
        return target

    def text(self, site_path: str, content: str, *, hidden: bool = False) -> None:
        """Write a text file (UTF-8)."""
        self.data(site_path, content.encode("utf-8"), hidden=hidden)

    def data(self, site_path: str, content: bytes, *, hidden: bool = False) -> None:
        """Write a file, and its gzip copy when it is text of some size."""
        self.target(site_path, hidden=hidden).write_bytes(content)
        if not hidden and len(content) >= COMPRESS_MIN_BYTES and is_compressed_kind(site_path):
            self.target(site_path + GZIP_SUFFIX).write_bytes(gzipped(content))

    def page(self, path: str, html: str) -> None:
        """Write a page."""
        self.text(path, html)
        self.pages.append(path)
