"""A rate-limited work queue of keys, as controller-runtime's: a key waits at most once in the
queue however often it is added; a key being processed is never handed to a second worker (an
add while it runs queues it again for after); failures back off exponentially per key (5 ms
doubling up to a cap) and success forgets the backoff; ``add_after`` schedules a later look.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

BASE_DELAY = 0.005


class WorkQueue:
    def __init__(self, name: str, *, max_delay: float = 1000.0) -> None:
        self.name = name
        self._max_delay = max_delay
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._waiting: set[str] = set()
        self._processing: set[str] = set()
        self._dirty: set[str] = set()
        self._failures: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def add(self, key: str) -> None:
        if key in self._processing:
            self._dirty.add(key)
        elif key not in self._waiting:
            self._waiting.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: str, delay: float) -> None:
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        timer = self._timers.get(key)
        due = loop.time() + delay
        if timer is not None and timer.when() <= due:
            return  # an earlier look is already scheduled
        if timer is not None:
            timer.cancel()
        self._timers[key] = loop.call_at(due, self._fire, key)

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def backoff(self, key: str) -> float:
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        return float(min(BASE_DELAY * 2**failures, self._max_delay))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    async def get(self) -> str:
        key = await self._queue.get()
        self._waiting.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


Handler = Callable[[str], Awaitable[float | None]]


async def run_worker(queue: WorkQueue, handler: Handler) -> None:
    """Take keys forever: the handler returns when to look again (None: on the next event);
    an exception is logged and the key retried with backoff."""
    while True:
        key = await queue.get()
        try:
            requeue_after = await handler(key)
        except asyncio.CancelledError:
            queue.done(key)
            raise
        except Exception as error:
            delay = queue.backoff(key)
            log.warning("%s %s failed (retry in %.3fs): %s", queue.name, key, delay, error)
            queue.add_after(key, delay)
        else:
            queue.forget(key)
            if requeue_after is not None:
                queue.add_after(key, requeue_after)
        queue.done(key)
