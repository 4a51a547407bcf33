"""The review queue of a workspace: one folder per contribution, named by its id, written whole or not at all.

`contributions/ID/` holds `contribution.trig` (the validated statements in their named graph, and
the description csei wrote of them), `report.ttl` (the validation report) and, once rejected,
`rejection.trig`. A contribution is accepted when the workspace's `data/contribution-ID.trig`
exists. Ids and hashes are what csei computed from the content, never what a contribution says.
"""

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from csei_graph.contributions import provenance
from csei_graph.export import export_format, to_bytes
from csei_graph.files import TEMPORARY, fsync_folder, temporary_path, write_atomically
from csei_graph.leftovers import remove_abandoned
from csei_graph.settings import Settings
from csei_graph.validation.contribute import ID_LENGTH, Contribution, content_hash_of, contribution_graph
from csei_graph.workspace import Workspace

CONTRIBUTION_FILE = "contribution.trig"
REPORT_FILE = "report.ttl"
REJECTION_FILE = "rejection.trig"
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


@dataclass(frozen=True)
class Entry:
    """A contribution of the queue: its folder, its statements and what csei recorded about it."""

    workspace: Workspace
    id: str

    @property
    def folder(self) -> Path:
        """Its folder in the queue."""
        return self.workspace.contributions / self.id

    @property
    def graph(self) -> ox.NamedNode:
        """Its named graph."""
        return contribution_graph(self.id)

    @property
    def data_file(self) -> Path:
        """The data file of the workspace it becomes once accepted."""
        return accepted_file(self.workspace, self.id)

    @property
    def state(self) -> str:
        """pending, accepted or rejected."""
        if self.data_file.exists():
            return ACCEPTED
        return REJECTED if (self.folder / REJECTION_FILE).exists() else PENDING

    @cached_property
    def quads(self) -> list[ox.Quad]:
        """Its statements (in its named graph) and their description (in the default graph)."""
        return _read(self.folder / CONTRIBUTION_FILE)

    @property
    def statements(self) -> list[ox.Quad]:
        """Its statements, without csei's description of them."""
        return [quad for quad in self.quads if quad.graph_name == self.graph]

    @property
    def description(self) -> list[ox.Quad]:
        """csei's description of the contribution: who sent it, when, from which files."""
        return [quad for quad in self.quads if quad.graph_name != self.graph]

    def contribution(self) -> Contribution:
        """The contribution as the checks take it; ValueError if its file no longer holds what was filed."""
        statements = self.statements
        content_hash = content_hash_of(statements)
        if not content_hash.removeprefix("sha256:").startswith(self.id):
            raise ValueError(
                f"{self.folder / CONTRIBUTION_FILE} no longer holds the statements filed as {self.id}: "
                "it was changed by hand. Restore it (git checkout), or contribute the new content."
            )
        return Contribution((self.folder / CONTRIBUTION_FILE,), tuple(statements), content_hash, {})

    def value(self, predicate: ox.NamedNode, subject: ox.NamedNode | None = None) -> str | None:
        """One value csei recorded about the contribution (or about `subject`), as text."""
        wanted = subject or self.graph
        found = sorted(
            q.object.value for q in self.description if q.subject == wanted and q.predicate == predicate
        )
        return found[0] if found else None

    def values(self, predicate: ox.NamedNode, subject: ox.NamedNode) -> list[str]:
        """Every value csei recorded of `predicate` about `subject`, as text, sorted."""
        return sorted(
            q.object.value for q in self.description if q.subject == subject and q.predicate == predicate
        )

    @property
    def submitter(self) -> str:
        """The name of who sent it."""
        who = self.value(provenance.ATTRIBUTED_TO)
        return (who and self.value(provenance.PREF_LABEL, ox.NamedNode(who))) or who or "someone"

    @property
    def files(self) -> list[str]:
        """The names of the files it was sent in."""
        return self.values(provenance.IDENTIFIER, provenance.source_of(self.id))

    @property
    def submitted(self) -> str:
        """When it was sent (xsd:dateTime, UTC)."""
        return self.value(provenance.GENERATED_AT) or ""

    @property
    def content_hash(self) -> str:
        """The content hash csei computed when it was sent."""
        return self.value(provenance.CONTENT_HASH) or ""

    @cached_property
    def rejection(self) -> list[ox.Quad]:
        """The record of its rejection (empty unless rejected)."""
        path = self.folder / REJECTION_FILE
        return _read(path) if path.exists() else []


def accepted_file(workspace: Workspace, identifier: str) -> Path:
    """The data file of the workspace an accepted contribution becomes."""
    return workspace.data / f"contribution-{identifier}.trig"


def entries(workspace: Workspace, state: str | None = None) -> list[Entry]:
    """The contributions of the queue (of one state), oldest first."""
    found = [Entry(workspace, folder.name) for folder in _folders(workspace)]
    found = [entry for entry in found if state is None or entry.state == state]
    return sorted(found, key=lambda entry: (entry.submitted, entry.id))


def _folders(workspace: Workspace) -> Iterator[Path]:
    folder = workspace.contributions
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_dir() and len(path.name) == ID_LENGTH and (path / CONTRIBUTION_FILE).is_file():
            yield path


def entry(workspace: Workspace, identifier: str) -> Entry:
    """The contribution of that id (or the only one whose id starts so); ValueError naming the others."""
    ids = [folder.name for folder in _folders(workspace)]
    matching = [i for i in ids if i == identifier] or [
        i for i in ids if identifier and i.startswith(identifier)
    ]
    if len(matching) == 1:
        return Entry(workspace, matching[0])
    if matching:
        raise ValueError(
            f"{identifier!r} is the start of several ids ({', '.join(sorted(matching))}): give more"
        )
    pending = [e.id for e in entries(workspace, PENDING)]
    listing = f"pending: {', '.join(pending)}" if pending else "none is pending"
    raise ValueError(
        f"no contribution {identifier!r} in {workspace.contributions} ({listing}); see csei review"
    )


def file(
    workspace: Workspace,
    contribution: Contribution,
    description: Sequence[ox.Quad],
    report: Sequence[ox.Quad],
    settings: Settings,
) -> Entry:
    """Put a checked contribution in the queue: its folder appears whole, or not at all."""
    queue = workspace.contributions
    queue.mkdir(parents=True, exist_ok=True)
    remove_abandoned(queue, TEMPORARY)
    target = queue / contribution.id
    building = temporary_path(target)
    building.mkdir()  # with the umask's mode, as any folder a program makes
    try:
        write_atomically(building / CONTRIBUTION_FILE, trig([*contribution.quads, *description], settings))
        write_atomically(building / REPORT_FILE, to_bytes(report, export_format("turtle"), settings))
        building.rename(target)
        fsync_folder(queue)
    except BaseException as error:
        shutil.rmtree(building, ignore_errors=True)
        if isinstance(error, OSError) and (target / CONTRIBUTION_FILE).is_file():
            return Entry(workspace, contribution.id)  # the same content, filed at the same moment by another
        raise
    return Entry(workspace, contribution.id)


def trig(quads: Sequence[ox.Quad], settings: Settings) -> bytes:
    """Statements as TriG in the project's canonical form: the same statements give the same bytes."""
    return to_bytes(quads, export_format("trig"), settings)


def _read(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
