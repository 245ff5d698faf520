"""Fargate: each pod a Fargate profile selects gets a node of its own.

The loop watches pods. A pending pod that a profile selects (the default scheduler leaves those
alone) gets an address from the least-used AZ's subnet, a Fargate node named after that address
(``fargate-ip-…``, see :mod:`localnlb.cluster.nodes.fargate`) run by a fresh node agent, and is
bound to it; when the pod is gone, so is its node. No kube-proxy runs there, so a NodePort never
reaches a Fargate pod: only ip-mode targets do, as on EKS.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.controllers import objects
from localnlb.cluster.nodeagent.fleet import NodeFleet
from localnlb.cluster.nodes.fargate import (
    FARGATE_SCHEDULER,
    FargateProfile,
    fargate_identity,
    profile_for,
)
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.feed import ChangeFeed
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.store.events import Change, ChangeType
from localnlb.common.addressing import AddressPlan, AzSubnet
from localnlb.common.workqueue import LOCAL_MAX_DELAY_SECONDS, WorkQueue, run_worker

Key = tuple[str, str]


class FargateLoop:
    def __init__(
        self,
        registry: Registry,
        fleet: NodeFleet,
        *,
        plan: AddressPlan,
        profiles: tuple[FargateProfile, ...],
    ) -> None:
        self._fleet = fleet
        self._plan = plan
        self._profiles = profiles
        self._kinds = Kinds.resolve(registry)
        self._access = Access(registry, FARGATE_SCHEDULER)
        self._events = EventRecorder(registry, self._kinds.event, FARGATE_SCHEDULER)
        self._queue: WorkQueue[Key] = WorkQueue("fargate", max_delay=LOCAL_MAX_DELAY_SECONDS)
        self._nodes: dict[Key, str] = {}  # pod -> its Fargate node
        self._zones: dict[Key, str] = {}  # pod -> its node's AZ
        self._feed = ChangeFeed(registry.store)
        self._feed.subscribe(self._kinds.pod.store_key, self._on_pod)
        self._worker: asyncio.Task[None] | None = None

    def _on_pod(self, change: Change) -> None:
        key = (change.namespace, change.name)
        if key in self._nodes or (
            change.type is not ChangeType.DELETED and profile_for(change.object, self._profiles)
        ):
            self._queue.add(key)

    async def _sync(self, key: Key) -> None:
        pod = self._access.find(self._kinds.pod, *key)
        node = self._nodes.get(key)
        if pod is None or (node and objects.spec(pod).get("nodeName") not in (None, node)):
            if node:
                self._nodes.pop(key, None)
                self._zones.pop(key, None)
                await self._fleet.remove_node(node, grace=0)
            return
        if objects.spec(pod).get("nodeName") or objects.is_terminating(pod):
            return
        subnet = self._quietest_subnet()
        uid = objects.uid_of(pod)
        address = self._fleet.pools[subnet.zone_name].allocate(uid)
        identity = fargate_identity(pod_ip=address, subnet=subnet, region=self._plan.region)
        await self._fleet.add_node(identity)
        self._nodes[key] = identity.name
        self._zones[key] = subnet.zone_name
        pod["spec"]["nodeName"] = identity.name
        bound = self._access.update(self._kinds.pod, pod)
        self._events.record(
            bound,
            reason="Scheduled",
            message=f"Successfully assigned {key[0]}/{key[1]} to {identity.name}",
        )

    def _quietest_subnet(self) -> AzSubnet:
        """The AZ with the fewest Fargate pods, so that replicas spread as on EKS."""
        used = Counter(self._zones.values())
        return min(self._plan.subnets, key=lambda s: (used[s.zone_name], s.zone_name))

    async def start(self) -> None:
        for pod in self._access.items(self._kinds.pod):
            key = (objects.namespace_of(pod), objects.name_of(pod))
            address = objects.status(pod).get("podIP")
            if (objects.spec(pod).get("nodeName") or "").startswith("fargate-ip-") and address:
                # After a restart: bring the pod's Fargate node back.
                subnet = self._plan.subnet_for_zone(self._plan.zone_of(address) or "")
                identity = fargate_identity(pod_ip=address, subnet=subnet, region=self._plan.region)
                self._fleet.pools[subnet.zone_name].claim(objects.uid_of(pod), address)
                await self._fleet.add_node(identity)
                self._nodes[key] = identity.name
                self._zones[key] = subnet.zone_name
            elif profile_for(pod, self._profiles):
                self._queue.add(key)
        self._feed.start()
        self._worker = asyncio.create_task(run_worker(self._queue, self._sync))

    async def stop(self, grace: float = 5.0) -> None:
        del grace
        await self._feed.stop()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
