"""`csei publish`: writes the whole static linked-data site into a folder, swapped in when complete.

The site is built in a fresh folder beside OUTDIR and takes OUTDIR's place only once every file is
written, so an interrupted publish leaves the previous site as it was. An existing OUTDIR is replaced
only when it is empty or holds a site an earlier `csei publish` wrote (it has a `.csei-site` file).

Publishing again over a site with a manifest (changes.py) writes anew only the pages of resources
whose statements or neighbours changed; the others are hard-linked from the previous site, and every
other file (listings, home, search index, dumps, catalogue...) is written again, so the new site is
byte for byte what a full publish gives.
"""

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from csei_graph import releases
from csei_graph.export import DUMP_FORMATS, canonical_statements, gzip_writer, serialise
from csei_graph.leftovers import remove_abandoned
from csei_graph.namespaces import BASE, ONTOLOGY_IRI
from csei_graph.pages import paths
from csei_graph.pages.index import GraphIndex, IndexedReader
from csei_graph.progress import StepNames, Steps
from csei_graph.settings import Settings
from csei_graph.site import catalogue, changes, outputs
from csei_graph.site.resources import Part, write_resources
from csei_graph.site.swap import MARKER, checked_outdir, swap_in
from csei_graph.site.writer import SiteWriter
from csei_graph.stores.base import Store
from csei_graph.workspace import Workspace

# A previous site of this many files or more is removed in the background once the new one is in place.
LARGE_SITE_FILES = 50_000
# Below this many resources the site is written by this process alone: starting others costs more.
PARALLEL_FROM = 2000


@dataclass(frozen=True)
class PublishReport:
    """What `publish` wrote: pages and files of the site, how many resource pages were written anew."""

    outdir: Path
    pages: int
    resources: int
    files: int
    seconds: float
    rewritten: int = 0
    incremental: bool = False


def publish(
    store: Store,
    outdir: Path,
    settings: Settings | None = None,
    *,
    shapes: Graph | None = None,
    progress: Steps | Callable[[str], None] | None = None,
    full: bool = False,
    processes: int | None = None,
) -> PublishReport:
    """Build the site for the graph in `outdir` (replacing an earlier site there) and report on it.

    Over an earlier site, only the pages of changed resources are written anew (unless `full`);
    `processes` write the resource pages (by default one per processor).
    """
    settings = settings or Settings()
    started = time.monotonic()
    outdir = checked_outdir(outdir)
    shown = progress if isinstance(progress, Steps) else StepNames(progress or (lambda _: None))
    # Folders of an earlier publish that was killed: named after its process, which is gone.
    remove_abandoned(
        outdir.parent, re.compile(rf"\.{re.escape(outdir.name)}\.(?:building|previous)-(\d+)-.*")
    )
    building = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-{os.getpid()}-", dir=outdir.parent))
    try:
        report = _build(
            store, outdir, building, settings, shapes=shapes, shown=shown, full=full, processes=processes
        )
        swap_in(building, outdir, large=report.files >= LARGE_SITE_FILES)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        shown.close()
    return PublishReport(
        outdir,
        report.pages,
        report.resources,
        report.files,
        time.monotonic() - started,
        report.rewritten,
        report.incremental,
    )


def _build(
    store: Store,
    outdir: Path,
    building: Path,
    settings: Settings,
    *,
    shapes: Graph | None,
    shown: Steps,
    full: bool,
    processes: int | None,
) -> PublishReport:
    shown.step("reading the index of the graph")
    index = GraphIndex(store.quads())
    reader = IndexedReader(store, index, settings)
    iris = [iri for iri in reader.resource_iris() if iri != ONTOLOGY_IRI]
    release = releases.identity(settings)
    state = changes.site_state(index, reader, iris, release)
    previous = None if full else changes.read_state(outdir)
    rewrite = changes.changed_resources(previous, state, index) if previous else None
    linked = 0
    if rewrite is None:
        to_write = iris
    else:
        to_write = sorted(rewrite)
        kept = sorted(set(iris) - rewrite)
        shown.step(f"keeping the {len(kept):,} unchanged resource pages of the previous site")
        linked = changes.link_unchanged(outdir, building, kept, BASE)
    shown.step(
        "writing the pages of resources, listings, dumps and the other pages", len(to_write), unit="resources"
    )
    parts = _parts(store, reader, settings, shapes)
    # Forking worker processes costs more than it saves on small graphs.
    processes = (processes or _processors()) if len(iris) >= PARALLEL_FROM else 1
    pages, written = write_resources(
        building, reader, to_write, shown.advance, processes, release=release, parts=parts
    )
    writer = SiteWriter(building, release)
    writer.pages += [path for iri in iris if (path := paths.page_path(iri, BASE))]
    writer.pages += pages
    shown.step("writing the sitemap and redirect rules")
    meta = catalogue.dataset_metadata(settings)
    outputs.sitemap(writer, meta)
    outputs.rules(writer, settings, meta)
    shutil.copytree(outputs.STATIC_DIR, building / "static")
    stamp = {"generator": f"csei-graph {catalogue.VERSION}", "pages": len(writer.pages)}
    writer.text(MARKER, json.dumps(stamp), hidden=True)
    writer.data(changes.MANIFEST, state.to_bytes(), hidden=True)
    return PublishReport(
        outdir,
        len(writer.pages),
        len(iris),
        writer.files + written + linked + _count_files(building / "static"),
        0.0,
        len(to_write),
        rewrite is not None,
    )


def _parts(store: Store, reader: IndexedReader, settings: Settings, shapes: Graph | None) -> list[Part]:
    """The site's parts other than the resources' pages, the longest first: each is a task of its own,
    so that the worker processes share them out evenly."""

    def listings(writer: SiteWriter) -> None:
        outputs.listing_pages(writer, reader)

    def union_dumps(writer: SiteWriter) -> None:
        _dumps(writer, store, union=True)

    def query_pages(writer: SiteWriter) -> None:
        outputs.query_pages(writer, store, reader, settings)

    def graph_dumps(writer: SiteWriter) -> None:
        _dumps(writer, store, union=False)

    def fixed(writer: SiteWriter) -> None:
        outputs.fixed_pages(writer, store, reader, settings, shapes)

    def metadata(writer: SiteWriter) -> None:
        outputs.metadata(writer, store, settings)
        _release_files(writer, settings)

    return [listings, union_dumps, query_pages, graph_dumps, fixed, metadata]


def _dumps(writer: SiteWriter, store: Store, *, union: bool) -> None:
    """The gzip dumps of the syntaxes that hold the union of the graphs, or of those that keep them."""
    statements = canonical_statements(store, union=union)
    for fmt in DUMP_FORMATS:
        if fmt.holds_graphs != union:
            with writer.target(paths.dump_path(fmt.extension)).open("wb") as raw, gzip_writer(raw) as zipped:
                serialise(statements, fmt, zipped)


def _release_files(writer: SiteWriter, settings: Settings) -> None:
    """The workspace's releases, as the catalogue announces them: releases/VERSION/ and their files."""
    if settings.workspace is None:
        return
    for frozen in releases.releases(Workspace(settings.workspace)):
        for name in releases.published_files():
            writer.data(
                f"{catalogue.RELEASES_FOLDER}/{frozen.version}/{name}", (frozen.folder / name).read_bytes()
            )


def _processors() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())
