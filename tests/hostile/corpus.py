"""The hostile-input corpus (cases.toml): its cases by entry point, their inputs, and what they must give.

A case's `content` may hold `{{TEXT*N}}`, which stands for TEXT written N times, so that huge and deeply
nested inputs stay one line in the table. `encoding` (default UTF-8) is how the content is written.
"""

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

CASES_FILE = Path(__file__).resolve().parent / "cases.toml"
ENTRY_POINTS = (
    "validate",
    "contribute",
    "csv",
    "query",
    "sparql",
    "resource",
    "publish",
    "web",
    "source",
    "workspace",
    "reconcile",
)
_REPEAT = re.compile(r"\{\{(.+?)\*(\d+)\}\}", re.S)


def load_cases() -> dict[str, list[dict[str, Any]]]:
    """Every case of the corpus, by entry point."""
    table = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))
    return {entry: table.get(entry, []) for entry in ENTRY_POINTS}


def cases_of(entry: str) -> list[Any]:
    """The cases of one entry point as pytest parameters, named by their ids."""
    return [pytest.param(case, id=case["id"]) for case in load_cases()[entry]]


def expand(text: str) -> str:
    """The text with every `{{TEXT*N}}` replaced by TEXT repeated N times."""
    return _REPEAT.sub(lambda match: match.group(1) * int(match.group(2)), text)


def write_input(case: dict[str, Any], folder: Path) -> Path:
    """Write the case's input file into a folder, in the case's encoding, and return the path to give.

    With `link`, the file is a symbolic link to that path instead; with `in_folder`, the file is
    written into a subfolder of that name, and the subfolder is the path to give.
    """
    if case.get("in_folder"):
        folder = folder / case["in_folder"]
        folder.mkdir()
    path = folder / case["file"]
    if case.get("link"):
        path.symlink_to(case["link"])
    else:
        path.write_bytes(expand(case["content"]).encode(case.get("encoding", "utf-8")))
    return folder if case.get("in_folder") else path


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file and folder under a folder (hidden ones too), with the SHA-256 of each file's bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "/"
        for path in sorted(folder.rglob("*"))
    }


def assert_says(case: dict[str, Any], output: str) -> None:
    """The output holds every expected substring, none of the forbidden ones, and no traceback."""
    for expected in case.get("says", []):
        assert expected in output, f"{case['id']}: expected {expected!r} in\n{output[:3000]}"
    for forbidden in case.get("never", []):
        assert forbidden not in output, f"{case['id']}: {forbidden!r} must not appear in\n{output[:3000]}"
    assert "Traceback" not in output, f"{case['id']}: a traceback:\n{output}"
