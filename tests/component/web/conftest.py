"""Browser fixture for the dashboard's component tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.web.browser import ensure_chromium


@pytest.fixture(scope="session")
def chromium() -> Path:
    return ensure_chromium()
