"""The push stream over a real socket: a scene at once, then each change within a second."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localnlb.web.hub import SceneHub
from localnlb.web.server import DashboardServer
from tests.unit.web import workshop as w

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def server() -> AsyncIterator[tuple[SceneHub, DashboardServer]]:
    hub = SceneHub()
    dashboard = DashboardServer(hub)
    await dashboard.start()
    try:
        yield hub, dashboard
    finally:
        await dashboard.stop()


async def next_scene(response: aiohttp.ClientResponse) -> dict[str, Any]:
    data = ""
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("data: "):
            data = line[len("data: ") :]
        elif line == "" and data:
            parsed: dict[str, Any] = json.loads(data)
            return parsed
    raise AssertionError("stream ended")


async def test_stream_sends_the_scene_then_every_change(
    server: tuple[SceneHub, DashboardServer],
) -> None:
    hub, dashboard = server
    async with (
        aiohttp.ClientSession() as session,
        session.get(dashboard.url + "/api/stream") as response,
    ):
        assert response.headers["Content-Type"] == "text/event-stream"
        first = await asyncio.wait_for(next_scene(response), 5)
        assert first["load_balancers"] == []
        started = time.monotonic()
        hub.set_snapshot(w.snapshot(w.instance_group()))
        second = await asyncio.wait_for(next_scene(response), 5)
        assert time.monotonic() - started < 1.0
        assert second["load_balancers"][0]["name"] == w.LB_NAME


async def test_scene_endpoint_is_the_current_scene(
    server: tuple[SceneHub, DashboardServer],
) -> None:
    hub, dashboard = server
    hub.set_cluster(w.cluster(w.ui_pod(0, node=0)))
    async with (
        aiohttp.ClientSession() as session,
        session.get(dashboard.url + "/api/scene") as reply,
    ):
        scene = await reply.json()
    assert [len(n["pods"]) for n in scene["nodes"]] == [1, 0, 0]


async def test_stop_ends_open_streams_at_once() -> None:
    hub = SceneHub()
    dashboard = DashboardServer(hub)
    await dashboard.start()
    try:
        async with aiohttp.ClientSession() as session:
            response = await session.get(dashboard.url + "/api/stream")
            await asyncio.wait_for(next_scene(response), 5)
            started = time.monotonic()
            await dashboard.stop()
            assert time.monotonic() - started < 0.5
            response.close()
    finally:
        await dashboard.stop()
