"""`csei release VERSION`: the workspace's graph frozen in a folder of its own, written whole or not at all.

`releases/VERSION/` holds the graph in every syntax (gzip, the same bytes for the same graph), the
changelog since the previous release (`changelog.md`, and `changelog.ttl` in the Changeset
vocabulary), the release's DCAT description (`release.ttl`) and what csei needs to compare it
(`release.json`: computed values only).
"""

import gzip
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph as ox

from csei_graph.export import (
    DUMP_FORMATS,
    ExportFormat,
    canonical_quads,
    export_format,
    gzip_writer,
    serialise,
    to_bytes,
)
from csei_graph.files import TEMPORARY, atomic_writer, fsync_folder, temporary_path, write_atomically
from csei_graph.leftovers import remove_abandoned
from csei_graph.namespaces import BASE, PREFIXES
from csei_graph.releases.changes import Changes, as_markdown, as_rdf, author, compare
from csei_graph.settings import Settings
from csei_graph.sources import Source, base_sources, builtin_sources
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation.report import Report
from csei_graph.validation.validate import validate_store, whole_graph
from csei_graph.workspace import BUILTIN_RELEASE, Workspace

VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,63}")
WORKSPACE_STATE = "workspace"
DESCRIPTION_FILE = "release.json"
METADATA_FILE = "release.ttl"
CHANGELOG_FILE = "changelog.md"
CHANGELOG_RDF_FILE = "changelog.ttl"
ADMS = "http://www.w3.org/ns/adms#"
DATASET = f"{BASE}dataset"


@dataclass(frozen=True)
class Release:
    """A frozen release of a workspace, as `release.json` and `release.ttl` describe it."""

    version: str
    folder: Path
    issued: str
    sequence: int
    previous: str | None
    base_release: str
    fingerprint: str
    triples: int
    notes: str

    @property
    def iri(self) -> str:
        """The release as a version of the dataset."""
        return version_iri(self.version)

    def dump(self, fmt: ExportFormat) -> Path:
        """Its dump in one syntax."""
        return self.folder / dump_name(fmt)


@dataclass(frozen=True)
class Frozen:
    """What `release` did: the release written, or none when the graph does not conform."""

    release: Release | None
    report: Report
    changes: Changes | None = None


def published_files() -> tuple[str, ...]:
    """The files of a release a site and csei serve offer: its dumps, changelogs and description."""
    return (*(dump_name(fmt) for fmt in DUMP_FORMATS), CHANGELOG_FILE, CHANGELOG_RDF_FILE, METADATA_FILE)


def dump_name(fmt: ExportFormat) -> str:
    """The file name of a release's dump in one syntax."""
    return f"csei.{fmt.extension}.gz"


def version_iri(version: str) -> str:
    """The IRI of a release as a version of the dataset."""
    return f"{DATASET}/release/{version}"


def releases(workspace: Workspace) -> list[Release]:
    """The workspace's releases, oldest first."""
    folder = workspace.releases
    found = (
        [_read(path) for path in folder.iterdir() if (path / DESCRIPTION_FILE).is_file()]
        if folder.is_dir()
        else []
    )
    return sorted(found, key=lambda r: (r.sequence, r.version))


def find(workspace: Workspace, version: str) -> Release:
    """The release of that version; ValueError naming the versions there are."""
    for found in releases(workspace):
        if found.version == version:
            return found
    known = ", ".join(r.version for r in releases(workspace)) or "none yet"
    raise ValueError(f"no release {version!r} in {workspace.releases} (releases: {known})")


def _read(folder: Path) -> Release:
    try:
        described = json.loads((folder / DESCRIPTION_FILE).read_text(encoding="utf-8"))
        return _described(folder, described)
    except (ValueError, TypeError, SyntaxError) as error:
        raise ValueError(
            f"{folder / DESCRIPTION_FILE} is damaged ({error}): restore the release folder from git"
        ) from None


def _described(folder: Path, described: dict[str, object]) -> Release:
    notes = ""
    metadata = folder / METADATA_FILE
    if metadata.is_file():
        for triple in ox.parse(path=str(metadata), format=ox.RdfFormat.TURTLE):
            if triple.predicate.value == f"{ADMS}versionNotes":
                notes = triple.object.value
    return Release(folder=folder, notes=notes, **described)  # type: ignore[arg-type]


def fingerprint(sources: list[Source]) -> str:
    """A hash of the bytes of every source: two states with the same one hold the same graph."""
    digests = sorted(hashlib.sha256(source.path.read_bytes()).hexdigest() for source in sources)
    return "sha256:" + hashlib.sha256("\n".join(digests).encode()).hexdigest()


def quads_of(found: Release) -> list[ox.Quad]:
    """The statements of a release, from its N-Quads dump."""
    with gzip.open(found.dump(export_format("nquads")), "rb") as stream:
        return list(ox.parse(stream, format=ox.RdfFormat.N_QUADS))


def release(
    workspace: Workspace,
    version: str,
    settings: Settings,
    *,
    notes: str | None = None,
    engine: str | None = None,
    today: date | None = None,
) -> Frozen:
    """Freeze the workspace's graph as `version`, if it conforms to the shapes; nothing is written if not."""
    if not VERSION.fullmatch(version) or version == WORKSPACE_STATE:
        raise ValueError(
            f"{version!r} is not a version name: use letters, digits, '.', '_', '+' and '-' "
            f"(such as 2026.1), and not {WORKSPACE_STATE!r}"
        )
    if (workspace.releases / version).exists():
        raise ValueError(
            f"release {version} exists already ({workspace.releases / version}): choose another version"
        )
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    report = validate_store(
        store, whole_graph(store), engine or settings.validation_engine, [s.path for s in sources]
    )
    if not report.conforms:
        return Frozen(None, report)
    earlier = releases(workspace)
    previous = earlier[-1] if earlier else None
    current = list(store.quads())
    # The first release is compared with the built-in release it stands on: its changelog is the team's.
    before = quads_of(previous) if previous else GraphStore.from_sources(base_sources(), settings).quads()
    changes = compare(before, current)
    issued = (today or _release_day(settings)).isoformat()
    described = {
        "version": version,
        "issued": issued,
        "sequence": (previous.sequence + 1) if previous else 1,
        "previous": previous.version if previous else None,
        "base_release": BUILTIN_RELEASE,
        "fingerprint": fingerprint(sources),
        "triples": len(store),
    }
    text = notes or _summary(changes)
    _write(workspace, current, changes, described=described, notes=text, settings=settings)
    return Frozen(find(workspace, version), report, changes)


def _release_day(settings: Settings) -> date:
    return date.fromisoformat(settings.release_date) if settings.release_date else datetime.now(UTC).date()


def _summary(changes: Changes) -> str:
    authors = sorted({author(c.quad.graph_name) for cs in changes.by_resource.values() for c in cs})
    shown = ", ".join(authors[:10]) + (f" and {len(authors) - 10} more" if len(authors) > 10 else "")
    return (
        f"{changes.added} statements added and {changes.removed} removed, on {len(changes.by_resource)} "
        f"resources" + (f", by {shown}." if authors else ".")
    )


def _write(
    workspace: Workspace,
    quads: list[ox.Quad],
    changes: Changes,
    *,
    described: dict[str, object],
    notes: str,
    settings: Settings,
) -> None:
    """Build the release's folder beside its place and move it there once every file is written."""
    version = str(described["version"])
    workspace.releases.mkdir(parents=True, exist_ok=True)
    remove_abandoned(workspace.releases, TEMPORARY)
    target = workspace.releases / version
    building = temporary_path(target)
    building.mkdir()
    try:
        for fmt in DUMP_FORMATS:
            statements = canonical_quads(quads, union=not fmt.holds_graphs)
            with atomic_writer(building / dump_name(fmt)) as raw, gzip_writer(raw) as zipped:
                serialise(statements, fmt, zipped, settings)
        previous = described["previous"]
        preamble = f"Released {described['issued']}, over the built-in release {BUILTIN_RELEASE}; " + (
            f"changes since release {previous}." if previous else "the first release: changes over it."
        )
        write_atomically(building / CHANGELOG_FILE, as_markdown(changes, f"Release {version}", preamble))
        rdf = as_rdf(changes, version, str(described["issued"]))
        write_atomically(building / CHANGELOG_RDF_FILE, to_bytes(rdf, export_format("turtle"), settings))
        metadata = _metadata(version, described, notes)
        write_atomically(building / METADATA_FILE, to_bytes(metadata, export_format("turtle"), settings))
        write_atomically(building / DESCRIPTION_FILE, json.dumps(described, indent=2) + "\n")
        building.rename(target)
        fsync_folder(workspace.releases)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _metadata(version: str, described: dict[str, object], notes: str) -> list[ox.Quad]:
    """The release as a version of the dataset (DCAT 3 and ADMS)."""
    dcat, dct, xsd = PREFIXES["dcat"], PREFIXES["dct"], PREFIXES["xsd"]
    node = ox.NamedNode(version_iri(version))
    triples: list[tuple[str, ox.NamedNode | ox.Literal]] = [
        (f"{PREFIXES['rdf']}type", ox.NamedNode(f"{dcat}Dataset")),
        (f"{dcat}version", ox.Literal(version)),
        (f"{dcat}isVersionOf", ox.NamedNode(DATASET)),
        (f"{ADMS}versionNotes", ox.Literal(notes, language="en")),
        (f"{dct}issued", ox.Literal(str(described["issued"]), datatype=ox.NamedNode(f"{xsd}date"))),
    ]
    if described["previous"]:
        triples.append((f"{dcat}previousVersion", ox.NamedNode(version_iri(str(described["previous"])))))
    return [ox.Quad(node, ox.NamedNode(predicate), value) for predicate, value in triples]
