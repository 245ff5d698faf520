"""The controller manager: every control loop of the embedded cluster, wired to one change feed.

On start each loop gets every existing object once (as an informer's initial list would), then
the changes the store commits. Each loop has its own work queue and worker, so a slow loop
never holds another back. Time-driven work (node leases) is a periodic tick.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.webhooks.dispatch import WebhookAdmission
from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.fargate import FargateProfile
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.cronjobs import CronJobLoop
from localnlb.cluster.runtime.daemonsets import DaemonSetLoop
from localnlb.cluster.runtime.deployments import DeploymentLoop
from localnlb.cluster.runtime.endpoints import EndpointsLoop
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.feed import ChangeFeed
from localnlb.cluster.runtime.garbage import SWEEP as GC_SWEEP
from localnlb.cluster.runtime.garbage import GarbageLoop
from localnlb.cluster.runtime.jobs import POD_FAILURE_BACKOFF_SECONDS, JobLoop
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.nodelifecycle import PERIOD_SECONDS, NodeLifecycleLoop
from localnlb.cluster.runtime.nodelifecycle import SWEEP as NODES_SWEEP
from localnlb.cluster.runtime.replicasets import ReplicaSetLoop
from localnlb.cluster.runtime.scheduling import SchedulerLoop
from localnlb.cluster.runtime.statefulsets import StatefulSetLoop
from localnlb.cluster.runtime.volumes import VolumeLoop
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store.events import Change, ChangeType
from localnlb.common.workqueue import LOCAL_MAX_DELAY_SECONDS, WorkQueue, run_worker

Key = tuple[str, str]


class Loop(Protocol):
    def keys_for(self, change: Change) -> list[Key]: ...

    def reconcile(self, key: Key) -> Awaitable[float | None] | float | None: ...


class ControllerManager:
    def __init__(
        self,
        registry: Registry,
        *,
        node_period: float = PERIOD_SECONDS,
        fargate_profiles: tuple[FargateProfile, ...] = (),
        webhooks: WebhookAdmission | None = None,
        job_pod_backoff: float = POD_FAILURE_BACKOFF_SECONDS,
        volumes_root: Path | None = None,
    ) -> None:
        """``volumes_root``: where provisioned volumes keep their data (``DIR/volumes``);
        without it no volume is provisioned."""
        self._registry = registry
        self._node_period = node_period
        kinds = Kinds.resolve(registry)
        self.kinds = kinds

        def access(name: str) -> Access:
            return Access(registry, name)

        def recorder(component: str) -> EventRecorder:
            return EventRecorder(registry, kinds.event, component)

        self.deployments = DeploymentLoop(
            access("deployment-controller"), kinds, recorder("deployment-controller")
        )
        # Pods are created through the admission webhooks (a pod mutator sees them all).
        self.replica_sets = ReplicaSetLoop(
            Access(registry, "replicaset-controller", webhooks),
            kinds,
            recorder("replicaset-controller"),
        )
        self.jobs = JobLoop(
            Access(registry, "job-controller", webhooks),
            kinds,
            recorder("job-controller"),
            pod_failure_backoff=job_pod_backoff,
        )
        self.cron_jobs = CronJobLoop(access("cronjob-controller"), recorder("cronjob-controller"))
        self.daemon_sets = DaemonSetLoop(
            Access(registry, "daemonset-controller", webhooks),
            kinds,
            recorder("daemonset-controller"),
        )
        self.endpoints = EndpointsLoop(access("endpointslice-controller"), kinds)
        self.scheduler = SchedulerLoop(
            access("default-scheduler"),
            kinds,
            recorder("default-scheduler"),
            fargate_profiles=fargate_profiles,
        )
        self.stateful_sets = StatefulSetLoop(
            Access(registry, "statefulset-controller", webhooks),
            kinds,
            recorder("statefulset-controller"),
        )
        self.garbage = GarbageLoop(access("generic-garbage-collector"), kinds)
        self.node_lifecycle = NodeLifecycleLoop(access("node-lifecycle-controller"), kinds)
        self._wiring: list[tuple[str, Loop, tuple[ResourceType, ...]]] = [
            ("deployment", self.deployments, (kinds.deployment, kinds.replica_set)),
            ("replicaset", self.replica_sets, (kinds.replica_set, kinds.pod)),
            ("job", self.jobs, (self.jobs.job, kinds.pod)),
            ("cronjob", self.cron_jobs, (self.cron_jobs.cron_job, self.cron_jobs.job)),
            ("daemonset", self.daemon_sets, (self.daemon_sets.daemon_set, kinds.pod, kinds.node)),
            (
                "endpointslice",
                self.endpoints,
                (kinds.service, kinds.pod, kinds.endpoint_slice, kinds.node),
            ),
            ("statefulset", self.stateful_sets, (kinds.stateful_set, kinds.pod)),
            ("scheduler", self.scheduler, (kinds.pod, kinds.node, kinds.claim)),
            ("garbage-collector", self.garbage, self.garbage.watched),
            ("node-lifecycle", self.node_lifecycle, (kinds.node,)),
        ]
        if volumes_root is not None:
            volumes = VolumeLoop(
                access("persistentvolume-controller"),
                kinds,
                recorder("persistentvolume-controller"),
                volumes_root=volumes_root,
            )
            self._wiring.append(("persistentvolume", volumes, volumes.watched))
        self._feed = ChangeFeed(registry.store)
        self._queues: dict[str, WorkQueue[Key]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for name, loop, watched in self._wiring:
            queue: WorkQueue[Key] = WorkQueue(name, max_delay=LOCAL_MAX_DELAY_SECONDS)
            self._queues[name] = queue
            for rt in watched:
                self._feed.subscribe(rt.store_key, _enqueue(loop, queue))
        self._prime()
        self._feed.start()
        for name, loop, _ in self._wiring:
            self._tasks.append(asyncio.create_task(run_worker(self._queues[name], loop.reconcile)))
        self._tasks.append(asyncio.create_task(self._tick()))

    def _prime(self) -> None:
        """Every existing object once, as an informer's initial list would deliver it."""
        for name, loop, watched in self._wiring:
            for rt in watched:
                for obj in self._registry.list(rt, None)["items"]:
                    change = Change(
                        revision=0,
                        resource=rt.store_key,
                        namespace=objects.namespace_of(obj),
                        name=objects.name_of(obj),
                        type=ChangeType.ADDED,
                        object=obj,
                        previous=None,
                    )
                    for key in loop.keys_for(change):
                        self._queues[name].add(key)
        self._queues["garbage-collector"].add(GC_SWEEP)

    async def _tick(self) -> None:
        while True:
            self._queues["node-lifecycle"].add(NODES_SWEEP)
            await asyncio.sleep(self._node_period)

    async def stop(self, grace: float = 1.0) -> None:
        del grace
        await self._feed.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


def _enqueue(loop: Loop, queue: WorkQueue[Key]) -> Callable[[Change], None]:
    def handle(change: Change) -> None:
        for key in loop.keys_for(change):
            queue.add(key)

    return handle
