"""The SPARQL query editor's page: where it is served, the query it opens with, the stored queries.

Template `editor.html` (its script and style are served by `csei serve` under `/editor`).
"""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class EditorView:
    """The query editor page: where it is served, the query it opens with, the stored queries."""

    template: ClassVar[str] = "editor.html"

    path: str
    title: str
    query: str
    autorun: bool
    stored_json: str
    base_iri: str
    timeout: int
    max_rows: int
    prefixes: tuple[tuple[str, str], ...] = ()
