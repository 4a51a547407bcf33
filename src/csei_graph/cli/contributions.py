"""Commands of the review queue: `csei contribute`, `review`, `accept` and `reject`."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from csei_graph.cli import EXIT_PROBLEMS, main, user_errors
from csei_graph.cli.validation import engine_option, input_format_option, report_format_option
from csei_graph.settings import Settings

if TYPE_CHECKING:
    from csei_graph import contributions

_despite = click.option(
    "--despite-conflicts",
    is_flag=True,
    help="Accept although it contradicts stated facts (a maintainer's decision; both values are kept).",
)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--by", help="Who sends the contribution (default: git's user.name, else the system user).")
@click.option("--accept", "accept_now", is_flag=True, help="Accept it at once (a maintainer's step).")
@_despite
@report_format_option
@input_format_option
@engine_option
@click.option("--strict", is_flag=True, help="Warnings refuse it too (exit 1).")
@click.pass_obj
@user_errors
def contribute(
    settings: Settings,
    files: tuple[Path, ...],
    *,
    by: str | None,
    accept_now: bool,
    despite_conflicts: bool,
    output: str,
    input_format: str | None,
    engine: str | None,
    strict: bool,
) -> None:
    """Check FILES (RDF or CSV) and, if they conform, file them in the workspace's review queue."""
    from csei_graph import contributions, validation
    from csei_graph.workspace import require

    workspace = require(settings, "contribute")
    outcome = contributions.contribute(
        workspace,
        files,
        by=by or contributions.person(),
        settings=settings,
        engine=engine,
        input_format=input_format,
        strict=strict,
        accept_by=contributions.person() if accept_now else None,
        despite_conflicts=despite_conflicts,
    )
    if outcome.already is not None and outcome.entry is not None:
        known = f"{outcome.entry.id} ({outcome.already})"
        click.echo(f"already contributed as {known}; nothing written", err=True)
        return
    if outcome.report is not None:
        click.echo(validation.render(outcome.report, output, base=Path.cwd()), nl=False)
    _say(outcome, accept_now)


def _say(outcome: "contributions.Outcome", accept_now: bool) -> None:
    from csei_graph import contributions

    conflicts = len(outcome.conflicts)
    if outcome.accepted is not None:
        click.echo(f"accepted: merged into {outcome.accepted}", err=True)
    elif outcome.filed and outcome.entry is not None:
        waiting = f", with {conflicts} conflict(s) for a maintainer to decide" if conflicts else ""
        identifier = outcome.entry.id
        click.echo(f"filed as contribution {identifier}{waiting}; see it: csei review {identifier}", err=True)
        if accept_now:
            sys.exit(EXIT_PROBLEMS)
    elif conflicts and outcome.report is not None and not contributions.blocking(outcome.report):
        click.echo(
            f"refused: it contradicts {conflicts} stated fact(s) (no-redefinition above); nothing was "
            "written. File it for review without --accept, or accept it with --despite-conflicts",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    else:
        click.echo("refused: nothing was written to the workspace", err=True)
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("identifier", required=False, metavar="[ID]")
@click.option("--all", "every", is_flag=True, help="List accepted and rejected contributions too.")
@click.pass_obj
@user_errors
def review(settings: Settings, identifier: str | None, every: bool) -> None:
    """List the contributions waiting for review, or show one (ID) as what it adds and would change."""
    from csei_graph import contributions
    from csei_graph.workspace import require

    workspace = require(settings, "review")
    if identifier is None:
        state = None if every else contributions.PENDING
        click.echo(contributions.as_list(contributions.entries(workspace, state)), nl=False)
        return
    click.echo(contributions.as_text(contributions.review(workspace, identifier, settings)), nl=False)


@main.command()
@click.argument("identifier", metavar="ID")
@click.option("--by", help="The maintainer accepting it (default: git's user.name, else the system user).")
@_despite
@report_format_option
@engine_option
@click.pass_obj
@user_errors
def accept(
    settings: Settings,
    identifier: str,
    *,
    by: str | None,
    despite_conflicts: bool,
    output: str,
    engine: str | None,
) -> None:
    """Merge the pending contribution ID into the workspace's data, with its provenance."""
    from csei_graph import contributions, validation
    from csei_graph.workspace import require

    workspace = require(settings, "accept")
    outcome = contributions.accept(
        workspace,
        identifier,
        by=by or contributions.person(),
        settings=settings,
        engine=engine,
        despite_conflicts=despite_conflicts,
    )
    if outcome.accepted is not None:
        click.echo(f"accepted contribution {outcome.entry.id}: merged into {outcome.accepted}", err=True)  # type: ignore[union-attr]
        return
    if outcome.report is not None:
        click.echo(validation.render(outcome.report, output, base=Path.cwd()), nl=False)
    if outcome.conflicts and not contributions.blocking(outcome.report):  # type: ignore[arg-type]
        click.echo(
            f"not accepted: it contradicts {len(outcome.conflicts)} stated fact(s) (no-redefinition above); "
            "nothing was written. Accept it anyway with --despite-conflicts, or reject it",
            err=True,
        )
    else:
        click.echo("not accepted: it no longer conforms to the graph; nothing was written", err=True)
    sys.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("identifier", metavar="ID")
@click.option("--reason", required=True, help="Why it is refused, for whoever sent it.")
@click.option("--by", help="The maintainer rejecting it (default: git's user.name, else the system user).")
@click.pass_obj
@user_errors
def reject(settings: Settings, identifier: str, *, reason: str, by: str | None) -> None:
    """Refuse the pending contribution ID, keeping it and the reason in the queue."""
    from csei_graph import contributions
    from csei_graph.workspace import require

    workspace = require(settings, "reject")
    entry = contributions.reject(
        workspace, identifier, by=by or contributions.person(), reason=reason, settings=settings
    )
    click.echo(f"rejected contribution {entry.id}; the reason is kept in {entry.folder}", err=True)
