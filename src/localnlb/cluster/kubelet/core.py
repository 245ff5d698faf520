"""The kubelet's core for one node: one :class:`PodWorker` per pod bound to the node.

The node agent (``cluster.nodeagent``) calls :meth:`KubeletCore.sync_pod` with every pod bound
to its node as it changes, and :meth:`remove_pod` when one is gone. A pod with a
``deletionTimestamp`` is stopped with its grace period (``deletionGracePeriodSeconds``, else
``terminationGracePeriodSeconds``) and its final status is reported, after which the API server
may delete it; one first seen while terminating is never started. A pod already in a terminal
phase (``Succeeded``/``Failed``, e.g. after localnlb restarted) is not run again. Restart counts
carry on from the stored status. :meth:`stop` ends every pod's processes: nothing outlives the
kubelet.
"""

from __future__ import annotations

import asyncio
from typing import Any

from localnlb.cluster.kubelet.environment import PodContext
from localnlb.cluster.kubelet.events import PodEventRecorder
from localnlb.cluster.kubelet.orphans import reap_orphans
from localnlb.cluster.kubelet.podspec import JsonObject, termination_grace_seconds
from localnlb.cluster.kubelet.runner import ProcessRunner
from localnlb.cluster.kubelet.sink import PodStatusSink
from localnlb.cluster.kubelet.worker import KubeletConfig, PodWorker
from localnlb.common.clock import Clock, SystemClock


class KubeletCore:
    def __init__(
        self,
        *,
        config: KubeletConfig,
        sink: PodStatusSink,
        clock: Clock | None = None,
        runner: ProcessRunner | None = None,
        events: PodEventRecorder | None = None,
    ) -> None:
        """``events``: where the containers' events go (``kubectl describe pod``); none by
        default. Container processes left running by a kubelet that died are ended first."""
        if config.log_root.is_dir():
            reap_orphans(config.log_root)
        self._config = config
        self._sink = sink
        self._events = events
        self._clock = clock or SystemClock()
        self._runner = runner or ProcessRunner()
        self._workers: dict[str, PodWorker] = {}
        self._stopping: dict[str, asyncio.Task[None]] = {}

    def worker(self, uid: str) -> PodWorker | None:
        return self._workers.get(uid)

    @property
    def pod_uids(self) -> list[str]:
        return list(self._workers)

    async def sync_pod(self, pod: JsonObject, context: PodContext) -> PodWorker:
        """Make ``pod`` run (or keep running, or stop if it is being deleted)."""
        uid = pod.get("metadata", {}).get("uid", "")
        worker = self._workers.get(uid)
        if worker is None:
            worker = PodWorker(
                pod,
                context,
                config=self._config,
                sink=self._sink,
                runner=self._runner,
                clock=self._clock,
                events=self._events,
            )
            self._workers[uid] = worker
            if _terminal(pod):
                return worker  # it ran to completion before: never run it again
            if not _terminating(pod):
                await worker.start()
        else:
            worker.update(pod, context)
        if _terminating(pod) and uid not in self._stopping:
            grace = termination_grace_seconds(pod)
            self._stopping[uid] = asyncio.create_task(worker.stop(grace))
        return worker

    async def remove_pod(self, uid: str, grace: float | None = None) -> dict[str, Any] | None:
        """Stop the pod's containers and forget it; return its last reported status."""
        worker = self._workers.get(uid)
        if worker is None:
            return None
        stopping = self._stopping.get(uid)
        if stopping is None:
            await worker.stop(grace)
        else:
            await stopping
        worker.remove_volumes()
        self._workers.pop(uid, None)
        self._stopping.pop(uid, None)
        return worker.status

    async def wait_stopped(self, uid: str) -> None:
        """Wait until a pod being deleted has stopped all its containers."""
        stopping = self._stopping.get(uid)
        if stopping is not None:
            await stopping

    async def stop(self, grace: float | None = None) -> None:
        await asyncio.gather(*(self.remove_pod(uid, grace) for uid in list(self._workers)))


def _terminating(pod: JsonObject) -> bool:
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def _terminal(pod: JsonObject) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
