"""A site built beside OUTDIR takes its place in one step, and only a folder a publish wrote is replaced."""

import ctypes
import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = ".csei-site"


def checked_outdir(outdir: Path) -> Path:
    """OUTDIR made absolute, or ValueError when it may not hold a published site."""
    outdir = outdir.expanduser().absolute()
    if outdir.exists() and not outdir.is_dir():
        raise ValueError(f"{outdir} is a file, not a folder: give a folder to publish the site in")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MARKER).is_file():
        raise ValueError(
            f"{outdir} is not empty and holds no site published by csei publish (no {MARKER} file): "
            "give a new or empty folder, so nothing else is replaced"
        )
    if not outdir.parent.is_dir():
        raise ValueError(f"{outdir.parent} does not exist: create it first")
    return outdir


def swap_in(building: Path, outdir: Path, *, large: bool = False) -> None:
    """Put the new site in place of the old one; the old one is removed only after the swap (for a
    large site by a process of its own, so that the publish is done once the new site is in place)."""
    building.chmod(0o755)
    if not outdir.exists():
        building.rename(outdir)
        return
    if _exchange(building, outdir):
        _remove(building, outdir.name, background=large)  # it holds the previous site now
        return
    # Without an atomic exchange, there is an instant between the two renames with no site at all.
    retired = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.previous-{os.getpid()}-", dir=outdir.parent))
    retired.rmdir()
    outdir.rename(retired)
    try:
        building.rename(outdir)
    except BaseException:
        retired.rename(outdir)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _remove(folder: Path, site: str, *, background: bool) -> None:
    """Remove a folder, now or (hundreds of thousands of files take minutes) by a detached process.

    That process first gives the folder its own id (`.NAME.previous-PID-...`), so that a publish
    started meanwhile leaves it alone; if it is stopped, the next publish removes what is left.
    """
    if not background:
        shutil.rmtree(folder, ignore_errors=True)
        return
    remover = (
        "import os, shutil, sys; folder = sys.argv[1]; "
        "mine = os.path.join(os.path.dirname(folder), f'.{sys.argv[2]}.previous-{os.getpid()}-removed'); "
        "os.rename(folder, mine); shutil.rmtree(mine, ignore_errors=True)"
    )
    subprocess.Popen(
        [sys.executable, "-c", remover, str(folder), site],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE), so that both paths exist
    at every instant; False where the system or the file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
