"""The hub: a change wakes waiting streams; an unchanged input does not."""

from __future__ import annotations

import asyncio
import json

import pytest

from localnlb.common.clock import FakeClock
from localnlb.web.hub import SceneHub
from tests.unit.web import workshop as w

pytestmark = pytest.mark.timeout(5)


async def test_a_new_snapshot_wakes_a_waiting_stream() -> None:
    hub = SceneHub(clock=FakeClock())
    version = hub.version
    waiter = asyncio.create_task(hub.wait_newer(version, 5.0))
    await asyncio.sleep(0)
    hub.set_snapshot(w.snapshot(w.instance_group()))
    new_version, text = await waiter
    assert new_version == version + 1
    assert json.loads(text)["load_balancers"][0]["name"] == w.LB_NAME
    assert hub.scene_json()[1] is text  # serialised once


async def test_an_unchanged_input_keeps_the_version() -> None:
    hub = SceneHub(clock=FakeClock())
    hub.set_cluster(w.cluster())
    version = hub.version
    hub.set_cluster(w.cluster())
    hub.set_source("elbv2", ok=False, detail="not reached yet")
    assert hub.version == version
    assert await hub.wait_newer(version, 0.01) == (version, hub.scene.to_json())


async def test_source_status_is_part_of_the_scene() -> None:
    hub = SceneHub(clock=FakeClock())
    hub.set_source("elbv2", ok=True, detail="http://127.0.0.1:1")
    [elbv2] = [s for s in hub.scene.sources if s.name == "elbv2"]
    assert elbv2.ok
