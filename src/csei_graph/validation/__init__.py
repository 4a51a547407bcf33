"""Validation against the project's SHACL shapes: the graph, contributions, CSV files and catalogues."""

from collections.abc import Sequence
from pathlib import Path

from csei_graph.progress import Steps
from csei_graph.settings import Settings
from csei_graph.validation.contribute import check, read_contribution
from csei_graph.validation.csvimport import template
from csei_graph.validation.report import FORMATS, Report, Result, render
from csei_graph.validation.validate import ENGINES, ShapesError, validate_builtin, validate_catalogue


def validate_graph(
    sources: Sequence[Path] = (),
    *,
    settings: Settings | None = None,
    engine: str | None = None,
    input_format: str | None = None,
    progress: Steps | None = None,
) -> Report:
    """Validate the graph in use, or the given files (RDF or CSV) as one contribution together with it.

    `progress` shows the steps of a large graph's validation.
    """
    if not sources:
        return validate_builtin(settings, engine, progress)
    return check(read_contribution(sources, settings, input_format), settings, engine)


__all__ = [
    "ENGINES",
    "FORMATS",
    "Report",
    "Result",
    "ShapesError",
    "render",
    "template",
    "validate_catalogue",
    "validate_graph",
]
