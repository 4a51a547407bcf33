"""The maintainers of a workspace: their names in csei.toml, their password hashes (argon2) in .private/.

Only hashes are kept, in `.private/maintainers.json` (mode 0600, outside data/ and ignored by git);
the server's signing key for sessions and forms is kept beside them. Every file is written whole by
the project's atomic writer, with its private mode from the start.
"""

import functools
import hashlib
import json
import secrets
import unicodedata
from pathlib import Path

import tomlkit
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csei_graph.files import write_atomically
from csei_graph.settings import Settings
from csei_graph.workspace import Workspace

PASSWORDS_FILE = "maintainers.json"
SECRET_FILE = "signing-key"
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 100
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash checked against when the name is unknown, so that it takes as long as a wrong password."""
    return _HASHER.hash(secrets.token_hex(16))


def check_name(name: str) -> str:
    """The name, trimmed; ValueError when it is empty, too long or holds control characters."""
    trimmed = name.strip()
    if not trimmed or len(trimmed) > MAX_NAME_CHARS:
        raise ValueError(f"a maintainer's name has 1 to {MAX_NAME_CHARS} characters: give another")
    if any(unicodedata.category(c).startswith("C") for c in trimmed):
        raise ValueError("a maintainer's name cannot hold control characters: give another")
    return trimmed


def check_password(password: str) -> None:
    """ValueError when a new password is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password is shorter than {MIN_PASSWORD_CHARS} characters: choose a longer one")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password is longer than {MAX_PASSWORD_CHARS} characters")


def add(workspace: Workspace, name: str, password: str) -> str:
    """Make `name` a maintainer of the workspace with this password (or set a maintainer's new one)."""
    name = check_name(name)
    check_password(password)
    hashes = _hashes(workspace)
    hashes[name] = _HASHER.hash(password)
    _private_folder(workspace)
    text = json.dumps(hashes, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomically(workspace.private / PASSWORDS_FILE, text, mode=PRIVATE_FILE_MODE)
    _list_in_settings(workspace.settings_file, name)
    _ignore_private(workspace)
    return name


def verify(workspace: Workspace, settings: Settings, name: str, password: str) -> bool:
    """Whether `name` is a maintainer listed in csei.toml and `password` is theirs."""
    stored = _hashes(workspace).get(name) if name in settings.maintainers else None
    try:
        return _HASHER.verify(stored or _dummy_hash(), password[:MAX_PASSWORD_CHARS]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def stamp(workspace: Workspace, name: str) -> str | None:
    """A short digest of the maintainer's password hash, kept in their session: a new password (or
    none) ends the sessions signed in with the old one."""
    stored = _hashes(workspace).get(name)
    return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None


def signing_key(workspace: Workspace) -> str:
    """The key that signs the server's session and form cookies: made once, kept in .private/."""
    path = workspace.private / SECRET_FILE
    if not path.is_file():
        _private_folder(workspace)
        write_atomically(path, secrets.token_urlsafe(48) + "\n", mode=PRIVATE_FILE_MODE)
    return path.read_text(encoding="utf-8").strip()


def _hashes(workspace: Workspace) -> dict[str, str]:
    path = workspace.private / PASSWORDS_FILE
    if not path.is_file():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is damaged ({error}): remove it and add the maintainers again") from None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _private_folder(workspace: Workspace) -> None:
    workspace.private.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
    workspace.private.chmod(PRIVATE_FOLDER_MODE)


def _list_in_settings(settings_file: Path, name: str) -> None:
    """Add the name to `maintainers` in csei.toml, keeping the file's comments and other keys."""
    document = tomlkit.parse(settings_file.read_text(encoding="utf-8"))
    names = [str(n) for n in document.get("maintainers", [])]
    if name not in names:
        document["maintainers"] = [*names, name]
        write_atomically(settings_file, tomlkit.dumps(document))


def _ignore_private(workspace: Workspace) -> None:
    """A workspace made before .private/ existed gets it in its .gitignore too."""
    path = workspace.root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if ".private/" not in text.splitlines():
        write_atomically(path, text + ("" if text.endswith("\n") or not text else "\n") + ".private/\n")
