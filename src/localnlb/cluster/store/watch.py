"""Watch fan-out: every committed change goes to the watchers of its resource.

A watcher is registered and handed its backlog (changes already committed after the revision it
asked for) in one step with no await between, so no change falls between replay and live
delivery. Queues are unbounded: a slow watcher costs memory, never a lost event.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from localnlb.cluster.store.events import Change


class Watcher:
    """The changes of one resource (optionally one namespace) after a given revision."""

    def __init__(self, hub: WatchHub, resource: str, namespace: str | None) -> None:
        self._hub = hub
        self.resource = resource
        self.namespace = namespace
        self._queue: asyncio.Queue[Change] = asyncio.Queue()
        self.closed = False

    def offer(self, change: Change) -> None:
        if self.namespace is None or change.namespace == self.namespace:
            self._queue.put_nowait(change)

    async def next(self, wait: float | None = None) -> Change | None:
        """The next change, or None when ``wait`` seconds pass first."""
        try:
            return await asyncio.wait_for(self._queue.get(), wait)
        except TimeoutError:
            return None

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub.unsubscribe(self)


class WatchHub:
    def __init__(self) -> None:
        self._watchers: dict[str, set[Watcher]] = defaultdict(set)

    def subscribe(self, resource: str, namespace: str | None, backlog: list[Change]) -> Watcher:
        watcher = Watcher(self, resource, namespace)
        for change in backlog:
            watcher.offer(change)
        self._watchers[resource].add(watcher)
        return watcher

    def unsubscribe(self, watcher: Watcher) -> None:
        self._watchers[watcher.resource].discard(watcher)

    def publish(self, change: Change) -> None:
        for watcher in list(self._watchers.get(change.resource, ())):
            watcher.offer(change)

    def watcher_count(self) -> int:
        return sum(len(group) for group in self._watchers.values())
