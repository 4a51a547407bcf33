"""Where the graph lives: the built-in release underneath, a team's workspace over it, and its settings.

A workspace is a folder holding `csei.toml` (its settings), `data/` (the team's own sources, accepted
contributions among them), `contributions/` (the review queue) and `releases/` (frozen releases). It
is found by `--workspace DIR`, else `CSEI_WORKSPACE`, else the nearest `csei.toml` at or above the
current folder. Without one, commands read the built-in release and nothing writes.
"""

import importlib.metadata
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from csei_graph.files import write_atomically
from csei_graph.settings import SETTINGS_FILE, Settings, env_var, file_template
from csei_graph.sources import WORKSPACE_DATA

BUILTIN_RELEASE = importlib.metadata.version("csei-graph")
CONTRIBUTIONS = "contributions"
RELEASES = "releases"
_README = {
    WORKSPACE_DATA: "The team's own sources: RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, "
    "RDF/XML), loaded over the built-in release. `csei accept` adds each accepted contribution here "
    "as `contribution-ID.trig`, its own named graph with its provenance.\n",
    CONTRIBUTIONS: "The review queue: `csei contribute` files each contribution that conforms in a "
    "folder named after its id (the validated RDF, its report); `csei review` lists and shows them, "
    "`csei accept ID` and `csei reject ID --reason TEXT` decide. Written by csei only.\n",
    RELEASES: "Frozen releases, one folder per version: the graph in every syntax, the changelog "
    "(Markdown and RDF) and the release's description. Written by `csei release VERSION` only.\n",
}
# What a command killed while writing may leave; the next command writing there removes it.
_GITIGNORE = (
    "# Left by a csei command killed while writing; the next one removes them.\n.*.tmp\n"
    "# The maintainers' password hashes and the server's signing key: never shared.\n.private/\n"
)
PRIVATE = ".private"


class NotAWorkspace(ValueError):
    """No workspace where one is needed, or a folder named as one that is not: and the command to fix it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}\n  hint: {fix}")
        self.fix = fix


@dataclass(frozen=True)
class Workspace:
    """A team's workspace: its folder and the folders it keeps its sources, queue and releases in."""

    root: Path

    @property
    def settings_file(self) -> Path:
        """Its `csei.toml`."""
        return self.root / SETTINGS_FILE

    @property
    def data(self) -> Path:
        """The team's own sources."""
        return self.root / WORKSPACE_DATA

    @property
    def contributions(self) -> Path:
        """The review queue."""
        return self.root / CONTRIBUTIONS

    @property
    def releases(self) -> Path:
        """The frozen releases."""
        return self.root / RELEASES

    @property
    def private(self) -> Path:
        """Secrets kept outside the data and out of git: password hashes, the signing key."""
        return self.root / PRIVATE


def find(
    explicit: Path | None = None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    """The workspace's folder: `explicit`, else CSEI_WORKSPACE, else the nearest csei.toml upwards."""
    environ = os.environ if environ is None else environ
    named = explicit or (Path(environ[env_var("workspace")]) if environ.get(env_var("workspace")) else None)
    if named is not None:
        if not (named / SETTINGS_FILE).is_file():
            message = f"{named} is not a workspace: it holds no {SETTINGS_FILE}"
            raise NotAWorkspace(message, f"make it one with `csei init {named}`")
        return named.absolute()
    here = (cwd or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def resolve_settings(
    explicit: Path | None = None,
    options: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The settings in force: options, else the environment, else the workspace's csei.toml, else defaults."""
    root = find(explicit, environ, cwd)
    from_file = Settings.from_file(root / SETTINGS_FILE) if root is not None else Settings()
    # The workspace is the one found, whatever CSEI_WORKSPACE held (it was read to find it).
    in_force = replace(Settings.from_env(environ, under=from_file), workspace=root)
    return in_force.with_values(**(options or {}))


def require(settings: Settings, command: str) -> Workspace:
    """The workspace in use; NotAWorkspace, with the command that makes one, when there is none."""
    if settings.workspace is None:
        raise NotAWorkspace(
            f"csei {command} writes into a workspace, and none is in use (no --workspace, no "
            f"{env_var('workspace')}, no {SETTINGS_FILE} here or above); nothing is ever written into "
            "the installed package",
            "make this folder a workspace with `csei init .`, then run the command again",
        )
    return Workspace(settings.workspace)


def init(folder: Path) -> Workspace:
    """Make `folder` (new, or an existing folder such as a git repository) a workspace.

    Writes a documented csei.toml, the data/, contributions/ and releases/ folders each with a README
    (so that git keeps them), and a .gitignore; an existing file is never overwritten.
    """
    workspace = Workspace(folder.absolute())
    if workspace.settings_file.exists():
        raise ValueError(f"{folder} is already a workspace: it holds {SETTINGS_FILE}")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file: give a folder for the workspace")
    for name, text in _README.items():
        (workspace.root / name).mkdir(parents=True, exist_ok=True)
        _write_new(workspace.root / name / "README.md", text)
    _write_new(workspace.root / ".gitignore", _GITIGNORE)
    # Written last: a folder is a workspace once it holds its settings file, and not before.
    write_atomically(workspace.settings_file, file_template())
    return workspace


def _write_new(path: Path, text: str) -> None:
    if not path.exists():
        write_atomically(path, text)


def describe(settings: Settings) -> str:
    """Which graph the commands use: the workspace's folder, or the built-in release, read-only."""
    if settings.workspace is None:
        return f"the built-in release {BUILTIN_RELEASE}, read-only"
    return f"the workspace {settings.workspace} (over the built-in release {BUILTIN_RELEASE})"
