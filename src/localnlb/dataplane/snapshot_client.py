"""Follows the ELBv2 side's routing snapshot by long poll and hands each new one on.

``GET <endpoint>/_localnlb/v1/routing?after=<version>`` returns the snapshot as JSON as soon as
its version is above ``after`` (at once on the first request), or after the server's poll window
with no change: 204 or 304 (or 200 with the same version), and the client asks again. So an
API change reaches the data plane within a round trip.

When the control side is down or answers badly, the client keeps the last snapshot (the data
plane keeps forwarding on it, ARCHITECTURE §2 rule 6) and retries with a capped exponential
back-off. It never raises out of :meth:`SnapshotClient.run`; it logs once per outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot

log = logging.getLogger(__name__)
INITIAL_RETRY_SECONDS = 0.05
UNCHANGED_PAUSE_SECONDS = 0.25


class SnapshotClient:
    def __init__(
        self,
        endpoint_url: str,
        *,
        on_snapshot: Callable[[RoutingSnapshot], Awaitable[None]],
        poll_timeout: float = 5.0,
        retry_max: float = 2.0,
    ) -> None:
        self._url = endpoint_url.rstrip("/") + SNAPSHOT_PATH
        self._on_snapshot = on_snapshot
        self._poll_timeout = poll_timeout
        self._retry_max = retry_max
        self.version = -1
        self.connected = False

    async def run(self) -> None:
        retry = INITIAL_RETRY_SECONDS
        timeout = aiohttp.ClientTimeout(total=self._poll_timeout + 10, connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    await self._poll_once(session)
                    retry = INITIAL_RETRY_SECONDS
                except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
                    if self.connected or (self.version < 0 and retry == INITIAL_RETRY_SECONDS):
                        log.warning(
                            "routing snapshot unavailable from %s (%s); forwarding on version %s",
                            self._url,
                            str(exc) or type(exc).__name__,
                            self.version,
                        )
                    self.connected = False
                    await asyncio.sleep(retry)
                    retry = min(retry * 2, self._retry_max)

    async def _poll_once(self, session: aiohttp.ClientSession) -> None:
        params = {"after": str(self.version), "timeout": str(int(self._poll_timeout))}
        async with session.get(self._url, params=params) as response:
            if response.status in (204, 304):
                self.connected = True
                return
            if response.status != 200:
                raise aiohttp.ClientResponseError(
                    response.request_info, (), status=response.status, message=response.reason or ""
                )
            text = await response.text()
        snapshot = RoutingSnapshot.from_json(text)
        if not self.connected:
            log.info(
                "routing snapshot source %s reachable (version %s)", self._url, snapshot.version
            )
        self.connected = True
        if snapshot.version != self.version:  # lower too: the control side started afresh
            self.version = snapshot.version
            await self._on_snapshot(snapshot)
        else:
            # A server that answers at once without holding the poll: don't spin on it.
            await asyncio.sleep(UNCHANGED_PAUSE_SECONDS)
