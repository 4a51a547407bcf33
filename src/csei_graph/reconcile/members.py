"""A member list (the CSV template) matched to the graph: each member's IRI filled in where it is certain."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from csei_graph.reconcile.index import Index
from csei_graph.reconcile.matcher import Candidate, Condition, Query, reconcile
from csei_graph.reconcile.vocabulary import ACTOR_KIND, COUNTRY, ORGANISATION, WEBSITE
from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.validation.csvimport import CANDIDATE_SEPARATOR, csv_rows, read_text

IRI_COLUMN = "iri"
# A candidate scoring this much is worth showing the user; below, the member is taken as new.
CANDIDATE_SCORE = 70.0
SHOWN_CANDIDATES = 5
MATCHED, AMBIGUOUS, NEW, KEPT = "matched", "ambiguous", "new", "kept"
CONDITION_COLUMNS = (("country", COUNTRY), ("kind", ACTOR_KIND), ("website", WEBSITE))


@dataclass(frozen=True)
class MemberRow:
    """What became of one member row: its line, its name, the outcome and the candidates considered."""

    line: int
    name: str
    outcome: str
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Reconciled:
    """The CSV with the IRIs filled in, and what became of each member row."""

    text: str
    members: tuple[MemberRow, ...]

    def count(self, outcome: str) -> int:
        """How many member rows had this outcome."""
        return sum(1 for member in self.members if member.outcome == outcome)


def reconcile_members(path: Path, index: Index, settings: Settings | None = None) -> Reconciled:
    """Match each member row of a filled-in template against the graph.

    A certain match fills in the `iri` column with the organisation's IRI, so that a contribution of
    the file reuses it; an uncertain one lists the candidates' IRIs in the cell (the CSV import then
    asks the user to keep one, or to empty the cell for a new organisation); a member with no
    candidate is left to be added as new. An IRI already in the cell is kept. Every other cell is
    written back as it was.
    """
    reader = csv.DictReader(io.StringIO(read_text(path, settings or Settings()), newline=""), strict=True)
    header = list(reader.fieldnames or [])
    missing = [column for column in ("record", "name") if column not in header]
    if missing:
        raise SourceError(
            path,
            f"missing column(s) {', '.join(missing)} in the header",
            line=1,
            hint="start from `csei template`",
        )
    columns = header if IRI_COLUMN in header else [*header, IRI_COLUMN]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    members = []
    for line, row in csv_rows(path, reader):
        if (row.get("record") or "").strip() == "member" and (row.get("name") or "").strip():
            member = _reconciled(index, line, row)
            members.append(member)
            row[IRI_COLUMN] = _cell(member, row.get(IRI_COLUMN) or "")
        writer.writerow({column: row.get(column) or "" for column in columns})
    return Reconciled(out.getvalue(), tuple(members))


def _reconciled(index: Index, line: int, row: dict[str, str]) -> MemberRow:
    name = row["name"].strip()
    given = (row.get(IRI_COLUMN) or "").strip()
    if given and CANDIDATE_SEPARATOR.strip() not in given:
        return MemberRow(line, name, KEPT)
    conditions = tuple(
        Condition(prop, (row[column].strip(),))
        for column, prop in CONDITION_COLUMNS
        if (row.get(column) or "").strip()
    )
    candidates = reconcile(index, Query(name, (ORGANISATION,), conditions=conditions, limit=SHOWN_CANDIDATES))
    if candidates and candidates[0].match:
        return MemberRow(line, name, MATCHED, (candidates[0],))
    likely = tuple(c for c in candidates if c.score >= CANDIDATE_SCORE)
    return MemberRow(line, name, AMBIGUOUS if likely else NEW, likely)


def _cell(member: MemberRow, given: str) -> str:
    if member.outcome == KEPT:
        return given
    return CANDIDATE_SEPARATOR.join(c.entity.iri for c in member.candidates)


def summary(reconciled: Reconciled, path: Path | str) -> Sequence[str]:
    """Lines telling the user what was matched, and which rows need a choice and between what."""
    lines = [
        f"{path}: {len(reconciled.members)} member rows: {reconciled.count(MATCHED)} matched, "
        f"{reconciled.count(AMBIGUOUS)} to choose, {reconciled.count(NEW)} new, {reconciled.count(KEPT)} kept"
    ]
    for member in reconciled.members:
        if member.outcome == AMBIGUOUS:
            lines.append(
                f"line {member.line}: {member.name!r} may be one of these "
                "(keep one IRI in its iri cell, or empty the cell for a new organisation):"
            )
            lines += [f"  {c.entity.iri}  {c.entity.name!r} (score {c.score:g})" for c in member.candidates]
    return lines
