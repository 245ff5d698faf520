"""A keyed work queue with the properties client-go's gives controllers.

A key added several times before a worker takes it is processed once; a key being processed
when it is added again is processed again afterwards (never concurrently); a reconcile that
raises is retried with capped exponential back-off. Keys are usually ``(namespace, name)``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

log = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 0.05
RETRY_CAP_SECONDS = 5.0


class WorkQueue(Generic[K]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._pending: dict[K, None] = {}
        self._processing: set[K] = set()
        self._again: set[K] = set()
        self._wake = asyncio.Event()
        self._failures: dict[K, int] = {}

    def add(self, key: K) -> None:
        if key in self._processing:
            self._again.add(key)
            return
        self._pending[key] = None
        self._wake.set()

    def add_after(self, key: K, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self.add, key)

    def __len__(self) -> int:
        return len(self._pending)

    async def _take(self) -> K:
        while not self._pending:
            self._wake.clear()
            await self._wake.wait()
        key = next(iter(self._pending))
        del self._pending[key]
        self._processing.add(key)
        return key

    def _done(self, key: K) -> None:
        self._processing.discard(key)
        if key in self._again:
            self._again.discard(key)
            self.add(key)

    async def run(self, reconcile: Callable[[K], Awaitable[None] | None]) -> None:
        """Process keys forever (until cancelled), one at a time; ``reconcile`` may be async."""
        while True:
            key = await self._take()
            try:
                outcome = reconcile(key)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                failures = self._failures.get(key, 0) + 1
                self._failures[key] = failures
                delay = min(RETRY_BASE_SECONDS * 2 ** (failures - 1), RETRY_CAP_SECONDS)
                log.warning(
                    "%s: reconciling %s failed (retry in %.2fs)",
                    self.name,
                    key,
                    delay,
                    exc_info=failures == 1,
                )
                self.add_after(key, delay)
            else:
                self._failures.pop(key, None)
            finally:
                self._done(key)
            # Let watch deliveries interleave with a long backlog of keys.
            await asyncio.sleep(0)
