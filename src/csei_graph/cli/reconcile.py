"""The command that matches a member list to the graph: `csei reconcile FILE.csv`."""

from pathlib import Path

import click

from csei_graph.cli import main, user_errors
from csei_graph.settings import Settings


@main.command("reconcile")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the CSV to this new file instead of printing it.",
)
@click.pass_obj
@user_errors
def reconcile_command(settings: Settings, file: Path, output: Path | None) -> None:
    """Fill in the iri column of a member list (the CSV template) with the organisations the graph has."""
    from csei_graph import api
    from csei_graph.files import write_atomically
    from csei_graph.reconcile import build_index
    from csei_graph.reconcile.members import reconcile_members, summary

    if output is not None and output.exists():
        raise ValueError(f"{output} exists: choose another file name")
    reconciled = reconcile_members(file, build_index(api.open_graph(settings=settings)), settings)
    if output is None:
        click.echo(reconciled.text, nl=False)
    else:
        write_atomically(output, reconciled.text)
    for line in summary(reconciled, file):
        click.echo(line, err=True)
