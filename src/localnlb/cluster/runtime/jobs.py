"""The Job control loop: runs each Job's pods to completion, and its TTL after finishing.

Triggered by Jobs and by the pods they own; decisions come from
:func:`~localnlb.cluster.controllers.job.plan_job`. A plan that must wait (pod back-off after a
failure, a finished Job's TTL) is looked at again when its time comes: the work queue's requeue,
never a sleep.
"""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.job import plan_job
from localnlb.cluster.controllers.podtemplates import pod_from_template
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.kinds import Kinds
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]
# kube-controller-manager's pod back-off after a failure (DefaultJobPodFailureBackOff).
POD_FAILURE_BACKOFF_SECONDS = 10.0


class JobLoop:
    def __init__(
        self,
        access: Access,
        kinds: Kinds,
        events: EventRecorder,
        *,
        pod_failure_backoff: float = POD_FAILURE_BACKOFF_SECONDS,
    ) -> None:
        self._access = access
        self._kinds = kinds
        self.job = access.registry.resource("batch/v1", "Job")
        self._events = events
        self._backoff = pod_failure_backoff
        self._owners = OwnerIndex(self.job.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        return self._owners.keys_for(change)

    async def reconcile(self, key: Key) -> float | None:
        namespace, name = key
        job = self._access.find(self.job, namespace, name)
        if job is None or objects.is_terminating(job):
            return None
        self._owners.remember(job, key)
        now = self._access.registry.clock.wall()
        pods = self._access.items(self._kinds.pod, namespace)
        plan = plan_job(job, pods, now=now, backoff_base=self._backoff)
        for pod_name in plan.delete:
            self._access.delete(self._kinds.pod, namespace, pod_name)
            self._events.record(job, reason="SuccessfulDelete", message=f"Deleted pod: {pod_name}")
        for _ in range(plan.create):
            pod = await self._access.create_admitted(
                self._kinds.pod, namespace, pod_from_template(job)
            )
            self._events.record(
                job, reason="SuccessfulCreate", message=f"Created pod: {objects.name_of(pod)}"
            )
        if plan.create or plan.delete:
            # Status counts what now exists: re-plan against the pods after the writes.
            pods = self._access.items(self._kinds.pod, namespace)
            plan = plan_job(job, pods, now=now, backoff_base=self._backoff)
        job = self._access.write_status(self.job, job, plan.status)
        for event in plan.events:
            self._events.record(
                job, reason=event.reason, message=event.message, warning=event.warning
            )
        if plan.delete_job:
            self._access.delete(self.job, namespace, name, {"propagationPolicy": "Background"})
            return None
        return plan.requeue_after
