"""The keyed work queue of every control loop (the cluster's controllers, kubelets and kube-proxy,
the load balancer controller), with the properties client-go's rate-limited workqueue gives:

- a key added several times before a worker takes it waits in the queue once;
- a key being processed is never handed to a second worker; added meanwhile, it is processed
  again after ``done`` (so no change is lost and none is handled twice at once);
- a handler that raises is retried with per-key exponential back-off (``base_delay`` doubling up
  to ``max_delay``; client-go's defaults 5 ms and 1000 s), and success forgets the back-off;
- ``add_after`` schedules a later look, keeping only the earliest one per key.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

log = logging.getLogger(__name__)

BASE_DELAY_SECONDS = 0.005
MAX_DELAY_SECONDS = 1000.0
# The embedded cluster's own loops cap it lower: their API is in-process, back within seconds.
LOCAL_MAX_DELAY_SECONDS = 5.0


class WorkQueue(Generic[K]):
    def __init__(
        self,
        name: str,
        *,
        base_delay: float = BASE_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
    ) -> None:
        self.name = name
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._queue: asyncio.Queue[K] = asyncio.Queue()
        self._waiting: set[K] = set()
        self._processing: set[K] = set()
        self._dirty: set[K] = set()  # added while being processed: once more after done
        self._failures: dict[K, int] = {}
        self._timers: dict[K, asyncio.TimerHandle] = {}

    def __len__(self) -> int:
        """Keys waiting for a worker (not those being processed)."""
        return len(self._waiting)

    def add(self, key: K) -> None:
        if key in self._processing:
            self._dirty.add(key)
        elif key not in self._waiting:
            self._waiting.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: K, delay: float) -> None:
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

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def backoff(self, key: K) -> float:
        """The delay before retrying ``key`` after one more failure."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        return float(min(self._base_delay * 2**failures, self._max_delay))

    def failures(self, key: K) -> int:
        """Failures of ``key`` since it last succeeded."""
        return self._failures.get(key, 0)

    def forget(self, key: K) -> None:
        self._failures.pop(key, None)

    async def get(self) -> K:
        key = await self._queue.get()
        self._waiting.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: K) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def close(self) -> None:
        """Cancel the scheduled looks (the workers are cancelled by their owner)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


# Returns when to look at the key again (None: on its next change); may be sync or async.
Handler = Callable[[K], Awaitable[float | None] | float | None]


async def run_worker(queue: WorkQueue[K], handler: Handler[K]) -> None:
    """Take keys until cancelled. A handler that raises is logged (with its traceback the first
    time) and its key retried with back-off; several workers may share one queue."""
    while True:
        key = await queue.get()
        try:
            outcome = handler(key)
            requeue_after = await outcome if inspect.isawaitable(outcome) else outcome
        except asyncio.CancelledError:
            queue.done(key)
            raise
        except Exception as error:
            first_failure = queue.failures(key) == 0
            delay = queue.backoff(key)
            log.warning(
                "%s %s failed (retry in %.3fs): %s",
                queue.name,
                key,
                delay,
                error,
                exc_info=first_failure,
            )
            queue.add_after(key, delay)
        else:
            queue.forget(key)
            if requeue_after is not None:
                queue.add_after(key, requeue_after)
        queue.done(key)
        # Let watch deliveries interleave with a long backlog of keys.
        await asyncio.sleep(0)
