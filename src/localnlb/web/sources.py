"""The HTTP sources: the ELBv2 routing snapshot (long poll) and the Prometheus endpoints.

Each runs until cancelled and never raises: an unreachable source is reported to the hub as
such (the page says so) and retried with a capped back-off. Where a source lives is asked of a
callable each round (normally ``DIR/env``), so a component that starts after the dashboard, or
restarts on another port, is picked up without restarting the dashboard.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

import aiohttp

from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot
from localnlb.web.hub import SceneHub
from localnlb.web.traffic import (
    Counters,
    LbTargetKey,
    ProxyKey,
    TrafficSample,
    parse_dataplane,
    parse_kubeproxy,
)

UrlSource = Callable[[], str | None]
POLL_SECONDS = 20
RETRY_MAX_SECONDS = 2.0
UNHELD_POLL_SECONDS = 0.25
# What a snapshot body that is JSON but not a snapshot raises while being read.
_MALFORMED = (ValueError, KeyError, TypeError, AttributeError)
K = TypeVar("K")


def _problem(error: BaseException) -> str:
    if isinstance(error, aiohttp.ClientResponseError):
        return f"HTTP {error.status} {error.message}".rstrip()
    return str(error) or type(error).__name__


async def follow_snapshots(
    hub: SceneHub, endpoint: UrlSource, *, poll_seconds: float = POLL_SECONDS
) -> None:
    """Long-poll ``<endpoint>/_localnlb/v1/routing`` and hand every new version to the hub."""
    retry = 0.05
    version = -1
    timeout = aiohttp.ClientTimeout(total=poll_seconds + 10, connect=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            base = endpoint()
            if not base:
                hub.set_source("elbv2", ok=False, detail="no ELBv2 endpoint in DIR/env yet")
                await asyncio.sleep(RETRY_MAX_SECONDS)
                continue
            url = base.rstrip("/") + SNAPSHOT_PATH
            params = {"after": str(version), "timeout": str(poll_seconds)}
            asked = time.monotonic()
            snapshot: RoutingSnapshot | None = None
            try:
                async with session.get(url, params=params) as response:
                    if response.status not in (204, 304):  # 204/304: no change in the window
                        response.raise_for_status()
                        snapshot = RoutingSnapshot.from_json(await response.text())
            except (aiohttp.ClientError, TimeoutError, *_MALFORMED) as error:
                hub.set_source("elbv2", ok=False, detail=f"{url}: {_problem(error)}")
                await asyncio.sleep(retry)
                retry = min(retry * 2, RETRY_MAX_SECONDS)
                continue
            retry = 0.05
            hub.set_source("elbv2", ok=True, detail=base)
            if snapshot is not None and snapshot.version != version:
                version = snapshot.version  # lower too: the ELBv2 side started afresh
                hub.set_snapshot(snapshot)
            elif time.monotonic() - asked < UNHELD_POLL_SECONDS:
                await asyncio.sleep(UNHELD_POLL_SECONDS)  # a server that does not hold polls


async def scrape_metrics(
    hub: SceneHub,
    *,
    dataplane: UrlSource,
    kubeproxy: UrlSource,
    interval: float = 1.0,
) -> None:
    """Scrape both endpoints every ``interval`` seconds into one traffic sample."""
    timeout = aiohttp.ClientTimeout(total=max(interval, 1.0), connect=1)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            lb: dict[LbTargetKey, Counters] | None = None
            proxy: dict[ProxyKey, Counters] | None = None
            text = await _scrape(session, hub, "data plane metrics", dataplane())
            if text is not None:
                lb = _parsed(hub, "data plane metrics", parse_dataplane, text)
            text = await _scrape(session, hub, "kube-proxy metrics", kubeproxy())
            if text is not None:
                proxy = _parsed(hub, "kube-proxy metrics", parse_kubeproxy, text)
            hub.add_traffic(TrafficSample(at=hub.now(), lb=lb, proxy=proxy))
            await asyncio.sleep(interval)


def _parsed(
    hub: SceneHub, name: str, parse: Callable[[str], dict[K, Counters]], text: str
) -> dict[K, Counters] | None:
    try:
        return parse(text)
    except ValueError as error:  # not Prometheus text: say so, count nothing
        hub.set_source(name, ok=False, detail=f"unreadable metrics: {_problem(error)}")
        return None


async def _scrape(
    session: aiohttp.ClientSession, hub: SceneHub, name: str, url: str | None
) -> str | None:
    if not url:
        hub.set_source(name, ok=False, detail="not published in DIR/env yet")
        return None
    try:
        async with session.get(url) as response:
            response.raise_for_status()
            text = await response.text()
        hub.set_source(name, ok=True, detail=url)
        return text
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        hub.set_source(name, ok=False, detail=f"{url}: {_problem(error)}")
        return None
