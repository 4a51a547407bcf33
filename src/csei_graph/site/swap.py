"""A site built beside OUTDIR takes its place in one step, and only a folder a publish wrote is replaced."""

import ctypes
import errno
import os
import shutil
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


def swap_in(building: Path, outdir: Path) -> None:
    """Put the new site in place of the old one; the old one is removed only after the swap."""
    building.chmod(0o755)
    if not outdir.exists():
        building.rename(outdir)
        return
    if _exchange(building, outdir):
        shutil.rmtree(building, ignore_errors=True)  # it holds the previous site now
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
