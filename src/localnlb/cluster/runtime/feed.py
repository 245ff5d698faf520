"""Changes from the object store, delivered to controller callbacks in revision order.

Each watched resource gets a watcher on the store from the current revision; every change is
handed to the callbacks registered for that resource. Callbacks only map a change to keys of
work queues (cheap, no I/O); reconciling happens in the queues' workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from localnlb.cluster.store import ObjectStore
from localnlb.cluster.store.events import Change
from localnlb.cluster.store.watch import Watcher

ChangeHandler = Callable[[Change], None]


class ChangeFeed:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._handlers: dict[str, list[ChangeHandler]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def subscribe(self, resource: str, handler: ChangeHandler) -> None:
        self._handlers.setdefault(resource, []).append(handler)

    def start(self) -> None:
        since = self._store.revision
        for resource, handlers in self._handlers.items():
            watcher = self._store.watch(resource, None, since)
            self._tasks.append(asyncio.create_task(self._pump(watcher, handlers)))

    async def _pump(self, watcher: Watcher, handlers: list[ChangeHandler]) -> None:
        try:
            while True:
                change = await watcher.next()
                if change is None:
                    continue
                for handler in handlers:
                    handler(change)
        finally:
            watcher.close()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
