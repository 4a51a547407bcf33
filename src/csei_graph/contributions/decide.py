"""Contributions sent, accepted and rejected: each step checks against the graph as it is, then writes one
thing whole (a folder of the queue, a data file, a rejection record) or nothing.

These are library functions taking who acts (`by`): the command line passes `--by` or git's
user.name; a web page for maintainers passes the identity of whoever signed in.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from csei_graph.contributions import provenance, queue
from csei_graph.contributions.queue import ACCEPTED, PENDING, REJECTED, Entry
from csei_graph.files import write_atomically
from csei_graph.settings import Settings
from csei_graph.sources import Source, builtin_sources, graph_for, parse
from csei_graph.stores.embedded import GraphStore
from csei_graph.terms import to_store
from csei_graph.validation import conflicts
from csei_graph.validation.conflicts import CONFLICT_RULE, Conflict
from csei_graph.validation.contribute import Contribution, check_in, read_contribution
from csei_graph.validation.report import Report, Result
from csei_graph.workspace import Workspace


@dataclass(frozen=True)
class Outcome:
    """What a step did: the report it checked with, the conflicts, and what it wrote (if anything)."""

    report: Report | None
    entry: Entry | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    filed: bool = False
    accepted: Path | None = None
    already: str | None = None

    @property
    def refused(self) -> bool:
        """Whether the step refused and wrote nothing."""
        return not (self.filed or self.accepted or self.already)


def blocking(report: Report, strict: bool = False) -> list[Result]:
    """The results that refuse a contribution: violations other than conflicts (and warnings, if strict)."""
    return [r for r in report.results if (r.blocking or strict) and r.rule != CONFLICT_RULE]


def contribute(
    workspace: Workspace,
    paths: Sequence[Path],
    *,
    by: str,
    settings: Settings,
    engine: str | None = None,
    input_format: str | None = None,
    strict: bool = False,
    now: datetime | None = None,
    accept_by: str | None = None,
    despite_conflicts: bool = False,
) -> Outcome:
    """Check files and, if they conform, file them as a pending contribution (accepted at once with
    `accept_by`, the maintainer doing so). Content sent before is recognised by its hash and written
    again nowhere. Conflicts with stated facts are filed for a maintainer to decide, never accepted
    in the same step unless `despite_conflicts`.
    """
    contribution = read_contribution(paths, settings, input_format)
    earlier = Entry(workspace, contribution.id)
    if (earlier.folder / queue.CONTRIBUTION_FILE).is_file():
        if accept_by is not None and earlier.state == PENDING:
            return accept(workspace, earlier.id, by=accept_by, settings=settings, engine=engine, now=now)
        return Outcome(None, earlier, already=earlier.state)
    moment = now or datetime.now(UTC)
    description = provenance.submission(contribution, by, moment)
    report, found = _checked(contribution, description, settings, engine)
    if blocking(report, strict) or (found and accept_by is not None and not despite_conflicts):
        return Outcome(report, conflicts=found)
    entry = queue.file(workspace, contribution, description, _report_quads(report), settings)
    if accept_by is None:
        return Outcome(report, entry, found, filed=True)
    decided = accept(
        workspace, entry.id, by=accept_by, settings=settings, engine=engine, now=now, despite_conflicts=True
    )
    return Outcome(decided.report, entry, decided.conflicts, filed=True, accepted=decided.accepted)


def accept(
    workspace: Workspace,
    identifier: str,
    *,
    by: str,
    settings: Settings,
    engine: str | None = None,
    now: datetime | None = None,
    despite_conflicts: bool = False,
) -> Outcome:
    """Merge a pending contribution into the workspace's data, as its own named graph with its provenance.

    It is checked again against the graph as it is now; it is refused (nothing written) when it no
    longer conforms, or when it contradicts stated facts and the maintainer did not say
    `despite_conflicts`.
    """
    entry = queue.entry(workspace, identifier)
    _require_pending(entry)
    contribution = entry.contribution()
    description = [*entry.description, *provenance.acceptance(entry.graph, by, now or datetime.now(UTC))]
    report, found = _checked(contribution, description, settings, engine)
    if blocking(report) or (found and not despite_conflicts):
        return Outcome(report, entry, found)
    target = entry.data_file
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(
        target,
        queue.trig([*contribution.quads, *description], settings),
        check=lambda written: parse(Source(written, ox.RdfFormat.TRIG, graph_for(target)), settings),
    )
    return Outcome(report, entry, found, accepted=target)


def reject(
    workspace: Workspace,
    identifier: str,
    *,
    by: str,
    reason: str,
    settings: Settings,
    now: datetime | None = None,
) -> Entry:
    """Record that a maintainer refused a pending contribution, and why; it stays in the queue."""
    if not reason.strip():
        raise ValueError("give the reason for the rejection (--reason TEXT): the contributor is owed one")
    entry = queue.entry(workspace, identifier)
    _require_pending(entry)
    record = provenance.rejection(entry.graph, entry.id, by, reason.strip(), now or datetime.now(UTC))
    write_atomically(entry.folder / queue.REJECTION_FILE, queue.trig(record, settings))
    return entry


def _require_pending(entry: Entry) -> None:
    state = entry.state
    if state == ACCEPTED:
        raise ValueError(f"contribution {entry.id} is already accepted ({entry.data_file})")
    if state == REJECTED:
        raise ValueError(
            f"contribution {entry.id} was rejected; `csei review {entry.id}` shows why. To decide again, "
            f"remove {entry.folder / queue.REJECTION_FILE}"
        )


def _checked(
    contribution: Contribution, description: Sequence[ox.Quad], settings: Settings, engine: str | None
) -> tuple[Report, list[Conflict]]:
    """The report of a contribution against the graph in use, and its conflicts with stated facts."""
    sources = builtin_sources(settings)
    store = GraphStore.from_sources(sources, settings)
    found = conflicts.find(store, contribution.quads)
    report = check_in(store, sources, contribution, settings=settings, engine=engine, provenance=description)
    return report, found


def _report_quads(report: Report) -> list[ox.Quad]:
    return [ox.Quad(to_store(s), to_store(p), to_store(o)) for s, p, o in report.graph]  # type: ignore[arg-type]
