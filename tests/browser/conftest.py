"""Headless Chromium for the browser tests, cut off from every host but the loopback, and where its
screenshots go."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, FLAGS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests drive Chromium with playwright"
)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: CSEI_ARTIFACTS_DIR (kept by CI), else a temporary folder."""
    folder = Path(os.environ.get("CSEI_ARTIFACTS_DIR") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# One per module: playwright's sync API runs one instance at a time, and other modules start their own.
@pytest.fixture(scope="module")
def chromium() -> Iterator["sync_api.Browser"]:
    """A headless Chromium for a module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium); .ci/run installs it")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()
