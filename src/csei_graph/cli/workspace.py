"""The command that makes a workspace: `csei init`."""

from pathlib import Path

import click

from csei_graph.cli import main, user_errors


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@user_errors
def init(folder: Path) -> None:
    """Make FOLDER (default: this one) a workspace: csei.toml, data/, contributions/ and releases/."""
    from csei_graph import workspace

    made = workspace.init(folder)
    click.echo(f"made {made.root} a workspace: csei.toml (its settings), data/, contributions/, releases/")
    click.echo("next: csei template -o my-cluster.csv, fill it in, csei contribute my-cluster.csv", err=True)
