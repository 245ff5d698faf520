"""The Kubernetes source: watches nodes, pods, services and events with lightkube (async).

One watch per kind over all namespaces; each keeps its objects by namespace/name, converted at
once into the dashboard's own values (:mod:`localnlb.web.cluster_view`). Changes that arrive
together (a watch's initial burst) are published to the hub once, on the next loop turn.
Until the kubeconfig exists, or while the API is unreachable, the source says so and retries
every second, reading the kubeconfig again (an API server that restarted on another port is
found), and lists everything afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lightkube import AsyncClient, KubeConfig
from lightkube.resources.core_v1 import Event, Node, Pod, Service

from localnlb.web.cluster_view import (
    ClusterEvent,
    ClusterView,
    NodeView,
    PodView,
    ServiceView,
    event_from,
    node_from,
    pod_from,
    service_from,
)
from localnlb.web.hub import SceneHub

KubeconfigSource = Callable[[], Path | None]
EVENTS_KEPT = 300
RETRY_SECONDS = 1.0

_KINDS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "nodes": (Node, node_from),
    "pods": (Pod, pod_from),
    "services": (Service, service_from),
    "events": (Event, event_from),
}


class KubeWatcher:
    def __init__(self, hub: SceneHub, kubeconfig: KubeconfigSource) -> None:
        self._hub = hub
        self._kubeconfig = kubeconfig
        self._objects: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
        self._publish_pending = False

    async def run(self) -> None:
        while True:
            path = self._kubeconfig()
            if path is None or not path.exists():
                self._hub.set_source("kubernetes", ok=False, detail="no kubeconfig in DIR/env yet")
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                client = AsyncClient(config=KubeConfig.from_file(path))
            except Exception as error:  # a half-written or unreadable kubeconfig
                self._hub.set_source("kubernetes", ok=False, detail=f"{path}: {error}")
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                # A task group: one watch failing ends its siblings, and all start over.
                async with asyncio.TaskGroup() as group:
                    for kind in _KINDS:
                        group.create_task(self._watch(client, kind))
            except Exception as error:
                self._hub.set_source("kubernetes", ok=False, detail=f"{path}: {_first(error)}")
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await client.close()

    async def _watch(self, client: AsyncClient, kind: str) -> None:
        resource, convert = _KINDS[kind]
        objects = self._objects[kind]
        objects.clear()
        namespace = None if kind == "nodes" else "*"  # nodes are cluster-scoped
        # Errors end the watch (lightkube's default): the run loop reports them and starts
        # every watch afresh after a pause, rather than retrying in a tight loop.
        watch = client.watch(resource, namespace=namespace)
        async for operation, obj in watch:
            self._hub.set_source("kubernetes", ok=True, detail="watching")
            meta = obj.metadata
            key = f"{meta.namespace or ''}/{meta.name}"
            if operation == "DELETED":
                objects.pop(key, None)
            else:
                objects[key] = convert(obj.to_dict())
            if kind == "events" and len(objects) > EVENTS_KEPT:
                oldest = sorted(objects, key=lambda k: objects[k].at)[: len(objects) - EVENTS_KEPT]
                for stale in oldest:
                    del objects[stale]
            self._schedule_publish()

    def _schedule_publish(self) -> None:
        if not self._publish_pending:
            self._publish_pending = True
            asyncio.get_running_loop().call_soon(self._publish)

    def _publish(self) -> None:
        self._publish_pending = False
        self._hub.set_cluster(self.view())

    def view(self) -> ClusterView:
        nodes: list[NodeView] = list(self._objects["nodes"].values())
        pods: list[PodView] = list(self._objects["pods"].values())
        services: list[ServiceView] = list(self._objects["services"].values())
        events: list[ClusterEvent] = list(self._objects["events"].values())
        return ClusterView(
            nodes=tuple(nodes), pods=tuple(pods), services=tuple(services), events=tuple(events)
        )


def _first(error: BaseException) -> BaseException:
    """The first real error inside a task group's ExceptionGroup."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error
