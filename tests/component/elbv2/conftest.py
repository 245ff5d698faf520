"""The ELBv2/EC2 API served in the test's own event loop (port 0, a tmp state dir)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, start_elbv2


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Elbv2Server]:
    running = await start_elbv2(Elbv2Settings(state_dir=tmp_path / "state"))
    try:
        yield running
    finally:
        await running.stop()
