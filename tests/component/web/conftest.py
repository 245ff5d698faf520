"""Browser fixture for the dashboard's component tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.web.browser import ensure_chromium, install_when_collected


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    install_when_collected(items)


@pytest.fixture(scope="session")
def chromium() -> Path:
    return ensure_chromium()
