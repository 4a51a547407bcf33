"""What a killed command leaves behind: temporary files and folders named after their process, removed."""

import os
import re
import shutil
from pathlib import Path


def process_running(pid: int) -> bool:
    """True while a process of that id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the entries of `folder` whose name matches `pattern` and whose process (group 1) is gone."""
    removed = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if match and not process_running(int(match.group(1))):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
