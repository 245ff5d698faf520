"""Headless Chromium (Debian's) driven by Playwright, for the dashboard's browser tests.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` from Debian. A machine
without it gets it here (``apt-get install -y chromium``, as root, as CI runs), once, while
pytest collects; if that fails the browser tests fail with a message saying what to install.
Every browser is closed when its test ends, pass or fail, and each starts from a fresh profile.
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
    # Chromium looks up names of its own and probes 8.8.8.8 even with the flags above (the run's
    # egress watch caught both); the dashboard is served on an IP literal, so nothing needs
    # resolving and nothing may leave.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--disable-features=AsyncDns,DnsOverHttps,NetworkTimeServiceQuerying,OptimizationHints,"
    "MediaRouter",
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


_install_error: list[str] = []  # what a failed install said, so it is tried once per session


def install_chromium() -> str | None:
    """Install Debian's chromium when missing; the error text if that failed, else None.

    Called while pytest collects (before any test's timeout runs: an install on a fresh
    machine takes minutes), and again by :func:`ensure_chromium` for a test that needs it.
    """
    if CHROMIUM.exists():
        return None
    if _install_error:
        return _install_error[0]
    if shutil.which("apt-get") is None:
        _install_error.append(f"{CHROMIUM} is missing and there is no apt-get to install it")
        return _install_error[0]
    done = _apt("install", "-y", "chromium")
    if done.returncode != 0:  # a fresh machine may have no package lists yet
        _apt("update")
        done = _apt("install", "-y", "chromium")
    if done.returncode != 0 or not CHROMIUM.exists():
        _install_error.append(
            "the browser tests need Debian's chromium: 'apt-get install -y chromium' failed "
            f"(exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )
        return _install_error[0]
    return None


def ensure_chromium() -> Path:
    """``/usr/bin/chromium``, installed when missing; the test fails if it cannot be."""
    error = install_chromium()
    if error is not None:
        pytest.fail(error)
    return CHROMIUM


def install_when_collected(items: list[pytest.Item]) -> None:
    """For ``pytest_collection_modifyitems``: install the browser if a collected test needs it."""
    if any("chromium" in getattr(item, "fixturenames", ()) for item in items):
        install_chromium()


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
