"""The page and RDF documents of each resource, written by several processes at once for large graphs,
together with the site's other parts (listings, fixed pages, dumps...), which then run beside them."""

import ctypes
import io
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path

from csei_graph.export import DOCUMENT_FORMATS, ExportFormat, Statements, canonical_quads, serialise
from csei_graph.pages import paths
from csei_graph.pages.reader import Reader
from csei_graph.pages.render import render
from csei_graph.pages.resource import resource_page
from csei_graph.site.writer import GZIP_SUFFIX, SiteWriter

BATCH = 200
_PR_SET_PDEATHSIG = 1
# What the worker processes inherit when they fork: the site's root, the reader and the parts.
_WORK: dict[str, object] = {}
# A part of the site other than the resources' pages: it writes its files with the writer it is given.
Part = Callable[[SiteWriter], None]


def document_paths(stem: str) -> list[str]:
    """The site paths a resource's page and documents may take, gzip copies included."""
    names = [f"{stem}{paths.PAGE_EXTENSION}", *(f"{stem}.{f.extension}" for f in DOCUMENT_FORMATS)]
    return [*names, *(name + GZIP_SUFFIX for name in names)]


def write_resource(writer: SiteWriter, reader: Reader, iri: str) -> bool:
    """Write the page and documents of a resource; False when it has none."""
    stem = paths.document_stem(iri, reader.base)
    view = resource_page(reader, iri) if stem is not None else None
    if view is None or stem is None:
        return False
    writer.page(view.path, render(view, writer.release))
    statements = canonical_quads(reader.describe(iri), union=True)
    for fmt in DOCUMENT_FORMATS:
        writer.data(f"{stem}.{fmt.extension}", serialised(statements, fmt))
    return True


def serialised(statements: Statements, fmt: ExportFormat) -> bytes:
    """Canonical statements in one syntax (all of them in the union graph)."""
    buffer = io.BytesIO()
    serialise(statements, fmt, buffer)
    return buffer.getvalue()


def write_resources(
    root: Path,
    reader: Reader,
    iris: Sequence[str],
    advance: Callable[[int], None],
    processes: int,
    *,
    release: str = "",
    parts: Sequence[Part] = (),
) -> tuple[list[str], int]:
    """Write the pages of these resources under root (their footer naming the `release`), then the
    `parts`; the pages the parts wrote and the number of files of all.

    With several `processes`, the parts are the first tasks of the worker processes (the longest
    first), so that the resources' batches even out the work of each; which process writes a file
    changes nothing in it.
    """
    if processes < 2:
        writer = SiteWriter(root, release)
        for start in range(0, len(iris), BATCH):
            for iri in iris[start : start + BATCH]:
                write_resource(writer, reader, iri)
            advance(len(iris[start : start + BATCH]))
        others = SiteWriter(root, release)
        for part in parts:
            part(others)
        return others.pages, writer.files + others.files
    _WORK.update(root=root, reader=reader, release=release, parts=parts)
    tasks: list[int | list[str]] = [*range(len(parts))]
    tasks += [list(iris[start : start + BATCH]) for start in range(0, len(iris), BATCH)]
    pages: list[str] = []
    files = 0
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(processes, initializer=_die_with_parent) as pool:
            for written, count, size in pool.imap_unordered(_run_task, tasks):
                pages += written
                files += count
                advance(size)
    finally:
        _WORK.clear()
    return pages, files


def _run_task(task: int | list[str]) -> tuple[list[str], int, int]:
    """A part (by its number), or a batch of resources: the part's pages, the files, the resources."""
    writer = SiteWriter(_WORK["root"], _WORK["release"])  # type: ignore[arg-type]
    if isinstance(task, int):
        _WORK["parts"][task](writer)  # type: ignore[index]
        return writer.pages, writer.files, 0
    reader: Reader = _WORK["reader"]  # type: ignore[assignment]
    for iri in task:
        write_resource(writer, reader, iri)
    return [], writer.files, len(task)


def _die_with_parent() -> None:
    """A worker ends with the publish that started it (killed or not), never writing on alone."""
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        return
    if os.getppid() == 1:
        os._exit(1)
