"""The HTTP sources against servers that misbehave: the dashboard says what is wrong, keeps
the last good data, and picks up again when the source is well."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest

from localnlb.cluster.kubeproxy.metrics import PortLabels, ProxyMetrics
from localnlb.common.snapshot import SNAPSHOT_PATH
from localnlb.web.dashboard import Dashboard, DashboardSettings
from localnlb.web.hub import SceneHub
from localnlb.web.sources import follow_snapshots, scrape_metrics
from tests.helpers.waiting import async_wait_until
from tests.unit.web import workshop as w

pytestmark = pytest.mark.timeout(20)

Reply = Callable[[], web.Response]


class Source:
    """One loopback server whose answer the test swaps."""

    def __init__(self) -> None:
        self.reply: Reply = lambda: web.Response(status=500, text="boom")
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.answered = 0

    async def _handle(self, request: web.Request) -> web.Response:
        del request
        self.answered += 1
        return self.reply()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(SNAPSHOT_PATH, self._handle)
        app.router.add_get("/metrics", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"


@pytest.fixture
async def source() -> AsyncIterator[Source]:
    running = Source()
    await running.start()
    try:
        yield running
    finally:
        assert running.runner is not None
        await running.runner.cleanup()


@contextlib.asynccontextmanager
async def task(coroutine: object) -> AsyncIterator[None]:
    running = asyncio.ensure_future(coroutine)  # type: ignore[call-overload]
    try:
        yield
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def status(hub: SceneHub, name: str) -> tuple[bool, str]:
    found = hub.sources[name]
    return found.ok, found.detail


async def test_snapshot_source_errors_are_reported_and_recovered_from(source: Source) -> None:
    hub = SceneHub()
    async with task(follow_snapshots(hub, lambda: source.url, poll_seconds=1)):
        await async_wait_until(
            lambda: _async(status(hub, "elbv2")[1].endswith("HTTP 500 Internal Server Error")),
            timeout=5,
            what="the 500 reported",
        )
        source.reply = lambda: web.Response(text="{not json")
        await async_wait_until(
            lambda: _async("Expecting property name" in status(hub, "elbv2")[1]),
            timeout=5,
            what="the bad JSON reported",
        )
        source.reply = lambda: web.Response(text="[1, 2]", content_type="application/json")
        await async_wait_until(
            lambda: _async("list indices" in status(hub, "elbv2")[1]),
            timeout=5,
            what="JSON that is no snapshot reported",
        )
        good = w.snapshot(w.instance_group(), version=7)
        source.reply = lambda: web.Response(text=good.to_json(), content_type="application/json")
        await async_wait_until(
            lambda: _async(hub.snapshot is not None and hub.snapshot.version == 7),
            timeout=5,
            what="the snapshot taken",
        )
        assert status(hub, "elbv2")[0]
        # Unchanged and answered at once (a server that does not hold polls): no busy loop.
        source.reply = lambda: web.Response(status=204)
        answered, started = source.answered, time.monotonic()
        await async_wait_until(
            lambda: _async(source.answered >= answered + 3), timeout=5, what="three more polls"
        )
        assert time.monotonic() - started >= 0.5  # at least 0.25 s between unheld polls
        assert status(hub, "elbv2")[0]
        source.reply = lambda: web.Response(status=503)
        await async_wait_until(
            lambda: _async(not status(hub, "elbv2")[0]), timeout=5, what="the outage reported"
        )
        assert hub.snapshot is not None
        assert hub.snapshot.version == 7  # the last good one stays drawn


async def test_metrics_sources_errors_and_unpublished_urls(source: Source) -> None:
    hub = SceneHub()
    metrics = ProxyMetrics(CollectorRegistry())
    metrics.flow_opened(PortLabels("n1", "ui", "ui-nlb", "http", "TCP"), cross_node=False)
    text = generate_latest(metrics.registry).decode()
    source.reply = lambda: web.Response(text="localnlb_flows_new_total{ broken\n")
    scrape = scrape_metrics(
        hub, dataplane=lambda: source.url + "/metrics", kubeproxy=lambda: None, interval=0.05
    )
    async with task(scrape):
        await async_wait_until(
            lambda: _async(status(hub, "data plane metrics")[1].startswith("unreadable metrics")),
            timeout=5,
            what="unreadable metrics reported",
        )
        assert status(hub, "kube-proxy metrics") == (False, "not published in DIR/env yet")
        source.reply = lambda: web.Response(text=text)
        await async_wait_until(
            lambda: _async(status(hub, "data plane metrics")[0]), timeout=5, what="recovered"
        )


async def _async(value: bool) -> bool:
    return value


async def test_a_source_that_fails_unexpectedly_is_reported_and_started_again(
    tmp_path: Path,
) -> None:
    dashboard = Dashboard(DashboardSettings(state_dir=tmp_path))
    runs: list[int] = []
    second_run = asyncio.Event()

    async def buggy() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("a bug")
        second_run.set()
        await asyncio.Event().wait()

    async with task(dashboard._keep_running("elbv2", buggy)):
        await asyncio.wait_for(second_run.wait(), 5)
    assert dashboard.hub.sources["elbv2"].detail == "internal error: RuntimeError('a bug')"
