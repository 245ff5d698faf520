"""The routing snapshot's publisher: a version that every change bumps, the snapshot built
lazily for the current version, and long-poll waits for a version newer than the caller's.

``invalidate()`` is the hook for everything that changes routing: API mutations (through the
context's ``changed``), the health checker when a probe verdict flips, and timers (a load
balancer turning active, a drain ending). Versions start from the wall clock in milliseconds, so
a restarted server never answers with a version older than one a client already saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from localnlb.common.snapshot import RoutingSnapshot


class SnapshotPublisher:
    def __init__(self, build: Callable[[int], RoutingSnapshot]) -> None:
        self._build = build
        self._version = int(time.time() * 1000)
        self._cached: RoutingSnapshot | None = None
        self._changed = asyncio.Event()
        self._closed = False
        self._listeners: list[Callable[[], None]] = []

    @property
    def version(self) -> int:
        return self._version

    def on_invalidate(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def invalidate(self) -> None:
        self._version = max(self._version + 1, int(time.time() * 1000))
        self._cached = None
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        for callback in self._listeners:
            callback()

    def close(self) -> None:
        """Answer every long poll now (the server is stopping) and every later one at once."""
        self._closed = True
        self._changed.set()

    def snapshot(self) -> RoutingSnapshot:
        cached = self._cached
        if cached is None or cached.version != self._version:
            cached = self._cached = self._build(self._version)
        return cached

    def current(self) -> RoutingSnapshot:
        """The same as :meth:`snapshot` (the health checker's ``SnapshotSource`` protocol)."""
        return self.snapshot()

    async def wait_newer(self, after: int, wait_seconds: float) -> RoutingSnapshot:
        """The current snapshot once its version is above ``after``, or after ``wait_seconds``."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while self._version <= after and not self._closed:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                break
        return self.snapshot()
