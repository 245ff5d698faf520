"""The scene hub: the latest input from every source, and the scene built from them.

Sources (snapshot follower, Kubernetes watcher, metrics scraper) put what they read here; each
put rebuilds the scene (a pure build, cheap at this size) and wakes every waiting page stream.
A stream asks :meth:`SceneHub.wait_newer` for a scene newer than the one it sent, so a slow page
skips intermediate scenes instead of queueing them. Wall-clock time comes from the clock given.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

from localnlb.common.clock import Clock, SystemClock
from localnlb.common.snapshot import RoutingSnapshot
from localnlb.web.builder import build_scene
from localnlb.web.cluster_view import ClusterView
from localnlb.web.scene import Scene, SourceStatus
from localnlb.web.timeline import TimelineTracker
from localnlb.web.traffic import RATE_WINDOW_SECONDS, TrafficHistory, TrafficSample

SOURCE_NAMES = ("elbv2", "kubernetes", "data plane metrics", "kube-proxy metrics")


class SceneHub:
    def __init__(self, *, clock: Clock | None = None, rate_window: float = RATE_WINDOW_SECONDS):
        self._clock = clock or SystemClock()
        self.snapshot: RoutingSnapshot | None = None
        self.cluster = ClusterView()
        self.history = TrafficHistory(rate_window)
        self.timeline = TimelineTracker()
        self.sources = {name: SourceStatus(name, False, "not reached yet") for name in SOURCE_NAMES}
        self.version = 0
        self.scene = self._build()
        self._changed = asyncio.Event()
        self._json: tuple[int, str] = (-1, "")

    def set_snapshot(self, snapshot: RoutingSnapshot) -> None:
        self.snapshot = snapshot
        self.timeline.observe_snapshot(snapshot, self._clock.wall())
        self._rebuild()

    def set_cluster(self, cluster: ClusterView) -> None:
        self.cluster = cluster
        self.timeline.observe_events(cluster.events)
        self._rebuild()

    def add_traffic(self, sample: TrafficSample) -> None:
        self.history.add(sample)
        self._rebuild()

    def set_source(self, name: str, *, ok: bool, detail: str = "") -> None:
        status = SourceStatus(name, ok, detail)
        if self.sources.get(name) != status:
            self.sources[name] = status
            self._rebuild()

    def scene_json(self) -> tuple[int, str]:
        """The current scene's version and JSON, serialised once however many pages read it."""
        if self._json[0] != self.version:
            self._json = (self.version, self.scene.to_json())
        return self._json

    def now(self) -> float:
        return self._clock.wall()

    def _build(self) -> Scene:
        return build_scene(
            snapshot=self.snapshot,
            cluster=self.cluster,
            rates=self.history.rates(),
            timeline=self.timeline.entries,
            sources=tuple(self.sources.values()),
            now=self._clock.wall(),
            rate_window=self.history.window,
        )

    def _rebuild(self) -> None:
        scene = self._build()
        if _same(scene, self.scene):
            return
        self.scene = scene
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_newer(self, version: int, within: float) -> tuple[int, str]:
        """The scene's version and JSON once above ``version`` (or after ``within`` s)."""
        if self.version <= version:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await self._changed.wait()
        return self.scene_json()


def _same(a: Scene, b: Scene) -> bool:
    """Equal but for the build time (so an unchanged input wakes no page)."""
    return dataclasses.replace(a, generated_at=b.generated_at) == b
