"""Acceptance 4: watches see changes fast, resume across a server restart, and answer a
too-old resourceVersion with 410 Expired so the client relists."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from localnlb.cluster.apiserver.serving import tls
from localnlb.cluster.apiserver.serving.server import ApiServer
from tests.component.cluster.conftest import Api, pod, start_server
from tests.helpers.waiting import async_wait_until

PODS = "/api/v1/namespaces/default/pods"
pytestmark = pytest.mark.timeout(30)


async def _events(api: Api, query: str, count: int, timeout: float = 5) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {api.server.token}"}
    received: list[dict[str, Any]] = []
    async with api.session.get(
        f"{api.server.url}{PODS}?watch=1&{query}", headers=headers
    ) as response:
        assert response.status == 200
        async with asyncio.timeout(timeout):
            async for line in response.content:
                received.append(json.loads(line))
                if len(received) >= count:
                    break
    return received


async def test_watch_sees_an_update_within_100ms(api: Api) -> None:
    created = await api.post(PODS, pod("w"))
    version = created.body["metadata"]["resourceVersion"]
    headers = {"Authorization": f"Bearer {api.server.token}"}
    async with api.session.get(
        f"{api.server.url}{PODS}?watch=1&resourceVersion={version}", headers=headers
    ) as response:
        assert response.status == 200
        latencies = []
        for round_ in range(5):
            started = time.perf_counter()
            await api.patch(
                f"{PODS}/w",
                {"metadata": {"labels": {"round": str(round_)}}},
                "application/merge-patch+json",
            )
            line = await asyncio.wait_for(response.content.readline(), 2)
            latencies.append(time.perf_counter() - started)
            event = json.loads(line)
            assert event["type"] == "MODIFIED"
            assert event["object"]["metadata"]["labels"]["round"] == str(round_)
    assert max(latencies) < 0.1, latencies


async def test_selector_transitions_and_bookmarks(api: Api) -> None:
    created = await api.post(PODS, pod("s"))
    version = created.body["metadata"]["resourceVersion"]
    await api.patch(
        f"{PODS}/s", {"metadata": {"labels": {"tier": "front"}}}, "application/merge-patch+json"
    )
    await api.patch(
        f"{PODS}/s", {"metadata": {"labels": {"tier": "back"}}}, "application/merge-patch+json"
    )
    events = await _events(
        api, f"resourceVersion={version}&labelSelector=tier%3Dfront&allowWatchBookmarks=true", 3
    )
    assert [e["type"] for e in events] == ["ADDED", "DELETED", "BOOKMARK"]
    assert events[2]["object"]["kind"] == "Pod"
    assert int(events[2]["object"]["metadata"]["resourceVersion"]) >= int(version) + 2


async def test_restart_loses_no_events(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = await start_server(state)
    try:
        connector = aiohttp.TCPConnector(ssl=tls.client_context(first.ca_path))
        async with aiohttp.ClientSession(connector=connector) as session:
            api = Api(first, session)
            created = await api.post(PODS, pod("before"))
            version = created.body["metadata"]["resourceVersion"]
            for index in range(3):
                await api.post(PODS, pod(f"p{index}"))
    finally:
        await first.stop()
    second = await start_server(state)  # the same port again: kubeconfigs stay valid
    assert second.bound_address == first.bound_address
    try:
        connector = aiohttp.TCPConnector(ssl=tls.client_context(second.ca_path))
        async with aiohttp.ClientSession(connector=connector) as session:
            api = Api(second, session)
            await api.post(PODS, pod("after"))
            events = await _events(api, f"resourceVersion={version}", 4)
            assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
                ("ADDED", "p0"),
                ("ADDED", "p1"),
                ("ADDED", "p2"),
                ("ADDED", "after"),
            ]
            versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
            assert versions == sorted(versions)
            assert versions[0] > int(version)
    finally:
        await second.stop()


async def test_too_old_version_is_410_and_relist_sees_everything(tmp_path: Path) -> None:
    server: ApiServer = await start_server(tmp_path / "state", history=5)
    try:
        connector = aiohttp.TCPConnector(ssl=tls.client_context(server.ca_path))
        async with aiohttp.ClientSession(connector=connector) as session:
            api = Api(server, session)
            created = await api.post(PODS, pod("old"))
            version = created.body["metadata"]["resourceVersion"]
            for index in range(10):
                await api.post(PODS, pod(f"n{index}"))
            events = await _events(api, f"resourceVersion={version}", 1)
            assert events[0]["type"] == "ERROR"
            error = events[0]["object"]
            assert error["code"] == 410
            assert error["reason"] == "Expired"
            assert error["message"].startswith(f"too old resource version: {version} (")
            relisted = await api.get(PODS)
            names = {item["metadata"]["name"] for item in relisted.body["items"]}
            assert names == {"old", *(f"n{index}" for index in range(10))}
    finally:
        await server.stop()


async def test_watch_on_one_object_url(api: Api) -> None:
    created = await api.post(PODS, pod("one"))
    await api.post(PODS, pod("other"))
    version = created.body["metadata"]["resourceVersion"]
    await api.patch(
        f"{PODS}/other", {"metadata": {"labels": {"x": "1"}}}, "application/merge-patch+json"
    )
    await api.patch(
        f"{PODS}/one", {"metadata": {"labels": {"x": "1"}}}, "application/merge-patch+json"
    )
    headers = {"Authorization": f"Bearer {api.server.token}"}
    async with api.session.get(
        f"{api.server.url}{PODS}/one?watch=1&resourceVersion={version}", headers=headers
    ) as response:
        line = await asyncio.wait_for(response.content.readline(), 5)
    event = json.loads(line)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("MODIFIED", "one")


async def test_a_client_that_goes_away_leaves_no_watcher(api: Api) -> None:
    registry = api.server.registry
    assert registry is not None
    before = registry.store.watcher_count()
    headers = {"Authorization": f"Bearer {api.server.token}"}
    response = await api.session.get(f"{api.server.url}{PODS}?watch=1", headers=headers)
    assert response.status == 200
    await async_wait_until(lambda: _equals(api, before + 1), what="the watch is registered")
    response.close()  # drop the connection mid-stream
    await async_wait_until(lambda: _equals(api, before), what="the watcher is released")


async def _equals(api: Api, expected: int) -> bool:
    registry = api.server.registry
    assert registry is not None
    return registry.store.watcher_count() == expected
