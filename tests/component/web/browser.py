"""Headless Chromium (Debian's) driven by Playwright, for the dashboard's browser tests.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` from Debian. A machine
without it gets it here (``apt-get install -y chromium``, as root, as CI runs); if that fails the
test fails with a message saying what to install. Every browser is closed when its test ends,
pass or fail, and each starts from a fresh profile.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_TIMEOUT_SECONDS = 900


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["apt-get", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
        check=False,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )


def ensure_chromium() -> Path:
    """``/usr/bin/chromium``, installed from Debian's packages when missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing and apt-get is not there to install 'chromium'")
    done = _apt("install", "-y", "chromium")
    if done.returncode != 0:  # a fresh machine may have no package lists yet
        _apt("update")
        done = _apt("install", "-y", "chromium")
    if done.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            "the browser tests need Debian's chromium: 'apt-get install -y chromium' failed "
            f"(exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )
    return CHROMIUM


@asynccontextmanager
async def open_page(profile: Path, *, width: int = 1280, height: int = 800) -> AsyncIterator[Page]:
    """A page in a fresh headless Chromium; the browser is closed however the block ends."""
    async with async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": width, "height": height},
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            yield page
        finally:
            await context.close()
