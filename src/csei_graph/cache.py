"""Results kept between runs, each under a key naming everything it was made from."""

import hashlib
from pathlib import Path

import platformdirs

from csei_graph.files import atomic_writer
from csei_graph.settings import Settings

APP_NAME = "csei-graph"


def cache_folder(settings: Settings | None = None) -> Path:
    """The folder results are kept in: the `cache_dir` setting, else the user's cache folder."""
    settings = settings or Settings.from_env()
    return settings.cache_dir or Path(platformdirs.user_cache_dir(APP_NAME))


def cache_key(*parts: str | bytes) -> str:
    """A key for what these parts make (each part counted apart: ("ab", "c") is not ("a", "bc"))."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def recall(kind: str, key: str, settings: Settings | None = None) -> str | None:
    """The result kept for a key, or None when there is none (or it cannot be read)."""
    try:
        return (cache_folder(settings) / kind / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def remember(kind: str, key: str, value: str, settings: Settings | None = None) -> None:
    """Keep a result for a key. A folder that cannot be written keeps nothing: the work is then only
    done again next time, never refused."""
    folder = cache_folder(settings) / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_writer(folder / key, text=True) as out:
            out.write(value)
    except OSError:
        return
