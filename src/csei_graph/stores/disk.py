"""The on-disk store folder: builds keyed by a content hash of the sources, swapped in atomically."""

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from csei_graph import admission
from csei_graph.files import fsync_folder, write_atomically
from csei_graph.settings import Settings
from csei_graph.sources import Source, SourceError

# Bump when the folder layout or the way sources are loaded changes: older builds are then rebuilt.
LAYOUT_VERSION = 1
POINTER = "current"  # holds the name of the build in use; replaced atomically
LOCK = ".lock"  # held exclusively while a build is made, swapped in, or old builds are removed
IN_USE = "in-use"  # held shared by every process that has the build open
MANIFEST = "manifest.json"
DATABASE = "oxigraph"
BUILD_PREFIX = "build-"
PARTIAL_PREFIX = ".building-"


@dataclass
class OpenBuild:
    """An opened build: its folder, the store in it, and the lock that keeps it from being removed."""

    path: Path
    store: ox.Store
    rebuilt: bool
    _in_use: IO[bytes]


def fingerprint(sources: Sequence[Source], settings: Settings) -> str:
    """A hash of everything a build depends on: every source's bytes, graph and syntax, and the limits."""
    digest = hashlib.sha256()
    header = {
        "layout": LAYOUT_VERSION,
        "pyoxigraph": ox.__version__,
        # A build holds only what the admission policy let in: other limits, another build.
        **{name: getattr(settings, name) for name in admission.LIMITS},
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for source in sources:
        digest.update(f"\n{source.graph.value}\n{source.format.media_type}\n".encode())
        digest.update(_file_digest(source.path))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").digest()
    except OSError as error:
        raise SourceError(path, error.strerror or str(error), hint="check the path") from None


def open_store(
    directory: Path, sources_hash: str, fill: Callable[[ox.Store], None], describe: dict[str, object]
) -> OpenBuild:
    """Open the build of `directory` made from sources with this hash, building it first if there is none.

    `fill` loads the sources into an empty on-disk store; `describe` is written into the build's manifest.
    """
    _make_folder(directory)
    opened = _open_current(directory, sources_hash)
    if opened is not None:
        return opened
    with _exclusive(directory / LOCK):
        # Another process may have made the same build while this one waited for the lock.
        opened = _open_current(directory, sources_hash)
        if opened is None:
            _remove_unused(directory)
            _build(directory, sources_hash, fill, describe)
            opened = _open_current(directory, sources_hash)
            if opened is not None:
                opened.rebuilt = True
        _remove_unused(directory)
    if opened is None:
        raise OSError(f"{directory}: the store was built but cannot be opened")
    return opened


def _make_folder(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SourceError(
            directory, f"cannot create the store folder: {error.strerror}", hint="choose a writable folder"
        ) from None
    if not os.access(directory, os.W_OK):
        raise SourceError(directory, "the store folder is not writable", hint="choose a writable folder")


def _open_current(directory: Path, sources_hash: str) -> OpenBuild | None:
    """The current build if it was made from these sources, opened read-only and marked in use."""
    try:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        build = directory / name
        in_use = (build / IN_USE).open("rb")
    except OSError:
        return None
    try:
        fcntl.flock(in_use, fcntl.LOCK_SH)
        # Checked after taking the lock, so the build cannot be removed between the check and the open.
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("sources_hash") != sources_hash:
            in_use.close()
            return None
        return OpenBuild(build, ox.Store.read_only(str(build / DATABASE)), False, in_use)
    except (OSError, ValueError):
        in_use.close()
        return None


def _build(
    directory: Path, sources_hash: str, fill: Callable[[ox.Store], None], describe: dict[str, object]
) -> None:
    """Build into a hidden folder, then point `current` at it: a build cut short is never seen."""
    partial = Path(tempfile.mkdtemp(dir=directory, prefix=PARTIAL_PREFIX))
    try:
        started = time.perf_counter()
        _fill_database(partial / DATABASE, fill)
        manifest = {
            **describe,
            "sources_hash": sources_hash,
            "layout": LAYOUT_VERSION,
            "pyoxigraph": ox.__version__,
            "build_seconds": round(time.perf_counter() - started, 3),
        }
        write_atomically(partial / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        (partial / IN_USE).touch()
        build = directory / f"{BUILD_PREFIX}{time.time_ns()}"
        partial.rename(build)
        fsync_folder(directory)
        write_atomically(directory / POINTER, build.name + "\n")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _fill_database(path: Path, fill: Callable[[ox.Store], None]) -> None:
    """Fill a new database, compact it and close it."""
    store = ox.Store(str(path))
    try:
        fill(store)
        # Compacted once here, queries run faster for the life of the build (at about twice the disk).
        store.optimize()
        store.flush()
    except BaseException as error:
        # The frames of the traceback hold the store open; the database must be closed to be removed.
        traceback.clear_frames(error.__traceback__)
        raise
    finally:
        del store


def _remove_unused(directory: Path) -> None:
    """Remove partial builds (left by a killed build) and builds no process has open, except the current."""
    try:
        current = (directory / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        current = ""
    for path in directory.iterdir():
        if path.name.startswith(PARTIAL_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(BUILD_PREFIX) and path.name != current:
            with _unless_in_use(path) as unused:
                if unused:
                    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _unless_in_use(build: Path) -> Iterator[bool]:
    try:
        marker = (build / IN_USE).open("rb")
    except OSError:
        yield True
        return
    with marker:
        try:
            fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with path.open("ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
