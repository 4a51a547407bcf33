"""The review queue of a workspace: contributions sent, reviewed, and accepted or rejected by a maintainer."""

from csei_graph.contributions.decide import Outcome, accept, blocking, contribute, reject
from csei_graph.contributions.provenance import person
from csei_graph.contributions.queue import ACCEPTED, PENDING, REJECTED, Entry, entries, entry
from csei_graph.contributions.review import Review, as_list, as_text, review

__all__ = [
    "ACCEPTED",
    "PENDING",
    "REJECTED",
    "Entry",
    "Outcome",
    "Review",
    "accept",
    "as_list",
    "as_text",
    "blocking",
    "contribute",
    "entries",
    "entry",
    "person",
    "reject",
    "review",
]
