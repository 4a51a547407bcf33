"""The commands that name who reviews: `csei maintainer add NAME`."""

import click

from csei_graph.cli import main, user_errors
from csei_graph.settings import Settings


@main.group()
def maintainer() -> None:
    """The workspace's maintainers, who sign in on csei serve to review contributions."""


@maintainer.command("add")
@click.argument("name")
@click.pass_obj
@user_errors
def add(settings: Settings, name: str) -> None:
    """Make NAME a maintainer (listed in csei.toml), or give a maintainer a new password (asked twice)."""
    from csei_graph.contributions import maintainers
    from csei_graph.workspace import require

    workspace = require(settings, "maintainer add")
    maintainers.check_name(name)
    # Asked for, never an option: a password on a command line stays in the shell's history.
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    added = maintainers.add(workspace, name, password)
    click.echo(
        f"{added} is a maintainer of {workspace.root}: listed in csei.toml, the password hash kept in "
        f"{workspace.private / maintainers.PASSWORDS_FILE}",
        err=True,
    )
