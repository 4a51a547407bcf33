"""Commands that check data: `csei validate`, and `csei template` for those who do not write RDF."""

import sys
from pathlib import Path

import click

from csei_graph.cli import EXIT_PROBLEMS, LazyChoice, main, user_errors
from csei_graph.settings import Settings

input_format_option = click.option(
    "--input-format",
    type=LazyChoice("csei_graph.sources", "FORMATS_BY_NAME"),
    help="RDF syntax of the files, whatever their extension says.",
)
engine_option = click.option(
    "--engine",
    type=LazyChoice("csei_graph.validation", "ENGINES"),
    help="SHACL engine: shacl (compiled, fast; the default) or pyshacl (the reference).",
)
report_format_option = click.option(
    "--format",
    "output",
    type=LazyChoice("csei_graph.validation", "FORMATS"),
    default="text",
    show_default=True,
    help="Report as text, a SHACL report in Turtle, JSON, SARIF, or GitHub annotations.",
)
_strict = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@report_format_option
@input_format_option
@engine_option
@_strict
@click.pass_obj
@user_errors
def validate(
    settings: Settings,
    sources: tuple[Path, ...],
    *,
    output: str,
    input_format: str | None,
    engine: str | None,
    strict: bool,
) -> None:
    """Validate the graph in use, or SOURCES (files or folders) together with it; exit 1 on violations."""
    from csei_graph import validation
    from csei_graph.progress import ShownSteps

    shown = ShownSteps()
    try:
        report = validation.validate_graph(
            sources, settings=settings, engine=engine, input_format=input_format, progress=shown
        )
    finally:
        shown.close()
    click.echo(validation.render(report, output, base=Path.cwd()), nl=False)
    if not report.passes(strict):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the template to this new file instead of printing it.",
)
@user_errors
def template(output: Path | None) -> None:
    """Print the CSV template for a cluster and its members (docs/commands.md says what each column holds)."""
    from csei_graph import validation

    text = validation.template()
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise ValueError(f"{output} exists: choose another file name")
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}: fill in one row for the cluster and one per member", err=True)
