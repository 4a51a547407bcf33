"""Commands of releases: `csei release` freezes the workspace's graph, `csei diff` compares two states."""

import sys

import click

from csei_graph.cli import EXIT_PROBLEMS, main, user_errors
from csei_graph.cli.validation import engine_option
from csei_graph.settings import Settings


@main.command("release")
@click.argument("version")
@click.option("--notes", help="What the release brings, for the catalogue (default: counts of changes).")
@click.option("--release-date", help="Date (YYYY-MM-DD) of the release; default: today.")
@engine_option
@click.pass_obj
@user_errors
def release_command(
    settings: Settings, version: str, *, notes: str | None, release_date: str | None, engine: str | None
) -> None:
    """Freeze the workspace's graph as VERSION: dumps in every syntax and the changelog since the last."""
    from csei_graph import releases, validation
    from csei_graph.workspace import require

    workspace = require(settings, "release")
    settings = settings.with_values(release_date=release_date)
    frozen = releases.release(workspace, version, settings, notes=notes, engine=engine)
    if frozen.release is None:
        click.echo(validation.render(frozen.report, "text"), nl=False)
        click.echo("not released: the graph does not conform; nothing was written", err=True)
        sys.exit(EXIT_PROBLEMS)
    made, changes = frozen.release, frozen.changes
    since = f"since release {made.previous}" if made.previous else "(the first release)"
    added, removed = (changes.added, changes.removed) if changes else (0, 0)
    click.echo(
        f"released {made.version} ({made.issued}) in {made.folder}: {made.triples} triples; "
        f"{added} statements added and {removed} removed {since}"
    )


@main.command("diff")
@click.argument("first", metavar="A")
@click.argument("second", metavar="[B]", required=False)
@click.option(
    "--format",
    "output",
    type=click.Choice(["markdown", "turtle"]),
    default="markdown",
    show_default=True,
    help="The changes as Markdown, or as RDF in the Changeset vocabulary.",
)
@click.pass_obj
@user_errors
def diff_command(settings: Settings, first: str, second: str | None, output: str) -> None:
    """Show what changed from release A to release B (default: the workspace as it is now)."""
    from csei_graph import export, releases
    from csei_graph.workspace import require

    second = second or releases.WORKSPACE_STATE
    workspace = require(settings, "diff")
    changes = releases.diff(workspace, first, second, settings)
    if output == "turtle":
        quads = releases.as_rdf(changes, f"{first}..{second}")
        click.echo(export.to_bytes(quads, export.export_format("turtle"), settings).decode("utf-8"), nl=False)
        return
    click.echo(releases.as_markdown(changes, f"Changes from {first} to {second}"), nl=False)
