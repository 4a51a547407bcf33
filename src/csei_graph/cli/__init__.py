"""The `csei` command line: each command parses its options, calls one API function, prints.

The commands live in one module per capability; importing them registers them on `main`. Those
modules import only click at their top and the library inside each command, so that `csei --help`
and any one command load only what they use.
"""

import importlib
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
# As a program ended by SIGPIPE (128 + 13), the shell's convention for output no one read to its end.
EXIT_BROKEN_PIPE = 141


def user_errors(command: F) -> F:
    """Turn a user's mistake into a clear message and exit 2, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            # The reader stopped reading (`csei info | head -1`): no error of csei's, nothing to say.
            # Standard output goes nowhere from now on, so that the flush at exit fails no more.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except _mistakes() as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_USAGE)
        except OSError as error:
            # A full disk or a folder that cannot be written to: every write is atomic, so the
            # message is all there is to report.
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _mistakes() -> tuple[type[Exception], ...]:
    # Evaluated only when a command raises: starting the command line does not load the sources.
    from csei_graph.sources import SourceError

    return (SourceError, ValueError)


class LazyChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among names a library module defines, read from it only when the option is used or shown."""

    def __init__(self, module: str, *names: str) -> None:
        # Not Choice.__init__, which would read the names at once.
        self.where = (module, names)
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        module, names = self.where
        loaded = importlib.import_module(module)
        return tuple(choice for name in names for choice in getattr(loaded, name))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="csei-graph")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Use the workspace in this folder (default: CSEI_WORKSPACE, else the nearest csei.toml upwards).",
)
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Add the data files of this folder to the graph (the built-in release stays underneath).",
)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the loaded graph in this folder and reopen it; rebuilt when a source changes.",
)
@click.pass_context
@user_errors
def main(ctx: click.Context, workspace: Path | None, data_dir: Path | None, store_dir: Path | None) -> None:
    """csei-graph: the knowledge graph of Clusters of Social and Ecological Innovation."""
    from csei_graph.workspace import resolve_settings

    ctx.obj = resolve_settings(workspace, {"data_dir": data_dir, "store_dir": store_dir})


# Registration by import: each module adds its commands to `main`.
COMMAND_MODULES = (
    "graph",
    "workspace",
    "scale",
    "publishing",
    "queries",
    "validation",
    "contributions",
    "releases",
    "serving",
    "reconcile",
    "maintainers",
)
for _module in COMMAND_MODULES:
    importlib.import_module(f"csei_graph.cli.{_module}")
