"""Writes the files of a site under its root: never outside it, pages beside their gzip copies.

Every page of `COMPRESS_MIN_BYTES` or more, and every other text file of `LARGE_FILE_BYTES` or more,
gets a `.gz` copy (stable bytes: no name, no time stamp), which `csei serve` and the generated
web-server rules send with `Content-Encoding: gzip` to clients that accept it. A file is always
written anew (unlinked first), so a site sharing files with an earlier one through hard links never
changes that earlier site.
"""

import gzip
import os
from pathlib import Path

from csei_graph.pages import paths

COMPRESS_MIN_BYTES = 1024
# The RDF documents of a resource are mostly small: only large ones are worth a file more.
LARGE_FILE_BYTES = 16 * 1024
COMPRESSED_EXTENSIONS = frozenset({".html", ".ttl", ".jsonld", ".nt", ".json", ".xml", ".txt", ".rq"})
# Fast rather than small: pages are many and each is compressed once per publish.
GZIP_LEVEL = 1
GZIP_SUFFIX = ".gz"


def gzipped(content: bytes) -> bytes:
    """The gzip form of some bytes, the same bytes every time (no file name, no time stamp)."""
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def has_gzip_copy(site_path: str, size: int) -> bool:
    """Whether a file of this name and size gets a gzip copy."""
    name = site_path.rpartition("/")[2]
    extension = "." + name.rpartition(".")[2] if "." in name else ""
    least = COMPRESS_MIN_BYTES if extension == ".html" else LARGE_FILE_BYTES
    return extension in COMPRESSED_EXTENSIONS and size >= least


class SiteWriter:
    """Writes files under the site's root, refusing any path that would leave it."""

    def __init__(self, root: Path, release: str = "") -> None:
        self.root = root
        # Which release of the graph the pages show, said in their footer.
        self.release = release
        self.files = 0
        self.pages: list[str] = []
        self._folders: set[Path] = set()

    def target(self, site_path: str, *, hidden: bool = False) -> Path:
        """The file for a site path, removed if it exists; hidden allows a leading dot (`.htaccess`)."""
        target = self._checked(site_path, hidden=hidden)
        target.unlink(missing_ok=True)
        self.files += 1
        return target

    def text(self, site_path: str, content: str, *, hidden: bool = False) -> None:
        """Write a text file (UTF-8)."""
        self.data(site_path, content.encode("utf-8"), hidden=hidden)

    def data(self, site_path: str, content: bytes, *, hidden: bool = False) -> None:
        """Write a file, and its gzip copy when it is text of some size."""
        self._write(self._checked(site_path, hidden=hidden), content)
        if not hidden and has_gzip_copy(site_path, len(content)):
            self._write(self.root / (site_path + GZIP_SUFFIX), gzipped(content))

    def _checked(self, site_path: str, *, hidden: bool) -> Path:
        checked = site_path.replace("/.", "/") if hidden else site_path
        checked = checked.removeprefix(".") if hidden else checked
        if not paths.is_safe_path(checked) or ".." in site_path:
            raise ValueError(f"refusing to write outside the site: {site_path!r}")
        target = self.root / site_path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def _write(self, target: Path, content: bytes) -> None:
        # A new file each time (never truncated): a hard-linked earlier version is left as it was.
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            target.unlink()
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            remaining = memoryview(content)
            while remaining:
                remaining = remaining[os.write(descriptor, remaining) :]
        finally:
            os.close(descriptor)
        self.files += 1

    def page(self, path: str, html: str) -> None:
        """Write a page."""
        self.text(path, html)
        self.pages.append(path)
