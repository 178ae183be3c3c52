"""Real Chromium for browser tests: Debian's package driven by Playwright (no downloaded browsers).

Skipped when /usr/bin/chromium is missing, unless DESK_REQUIRE_BROWSER=1 (CI), where it fails.
Screenshots go to test-artifacts/ at the top of the repository.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The browser binary, or skip (fail under CI) when it is not installed."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("DESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"DESK_REQUIRE_BROWSER=1 but {CHROMIUM} is not installed")
        pytest.skip("real-browser tests skipped: install Debian's chromium to run them")
    return CHROMIUM


@pytest.fixture
def browser():
    """A headless Chromium (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
