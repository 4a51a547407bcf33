"""Atomic writes, the one place: a file appears under its name only once complete, with the umask's mode."""

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from csei_graph.leftovers import remove_abandoned

# Temporary files are named after the process writing them, so that the next write into the same
# folder removes what a killed process left (see `leftovers`).
TEMPORARY = re.compile(r"\..+\.(\d+)\.[0-9a-f]{8}\.tmp")
NEW_FILE_MODE = 0o666  # the kernel takes the umask off, as for any file a program creates


def temporary_path(path: Path) -> Path:
    """A new, unused name beside `path` for a file being written by this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


@contextmanager
def atomic_writer(
    path: Path, *, text: bool = False, check: Callable[[Path], None] | None = None, mode: int = NEW_FILE_MODE
) -> Iterator[IO[Any]]:
    """A file (binary, or UTF-8 text with `\\n` line ends) that replaces `path` only once fully written.

    `mode` (less the umask) is the file's from its creation on: a secret is never readable by others,
    not even for the moment before it is complete.

    `check`, when given, is called with the temporary file's path once it is complete and synced; if
    it raises, nothing replaces `path`. On any error the temporary file is removed and `path` is left
    as it was. The folder must exist.
    """
    temporary = temporary_path(path)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    except OSError as error:
        # Name the folder the user chose, not the temporary file they never heard of.
        reason = f"cannot write {path.name} here: {error.strerror}"
        raise type(error)(error.errno, reason, str(path.parent)) from None
    remove_abandoned(path.parent, TEMPORARY)
    try:
        stream = (
            os.fdopen(descriptor, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
            if text
            else os.fdopen(descriptor, "wb", buffering=1 << 20)
        )
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if check is not None:
            check(temporary)
        temporary.replace(path)
        fsync_folder(path.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(
    path: Path,
    content: bytes | str,
    *,
    check: Callable[[Path], None] | None = None,
    mode: int = NEW_FILE_MODE,
) -> None:
    """Write `content` to `path` atomically (see `atomic_writer`)."""
    if isinstance(content, str):
        with atomic_writer(path, text=True, check=check, mode=mode) as stream:
            stream.write(content)
    else:
        with atomic_writer(path, check=check, mode=mode) as raw:
            raw.write(content)


def fsync_folder(directory: Path) -> None:
    """Make a rename or a new entry in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
