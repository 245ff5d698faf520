"""The CronJob control loop: starts each CronJob's Jobs on schedule and keeps its history.

Triggered by CronJobs and by the Jobs they own; decisions come from
:func:`~localnlb.cluster.controllers.cronjob.plan_cron_job`. The plan says when the next
schedule time falls and the work queue looks again then (a requeue, never a sleep).
"""

from __future__ import annotations

from localnlb.cluster.controllers.cronjob import job_reference, plan_cron_job
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.runtime.owners import OwnerIndex
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class CronJobLoop:
    def __init__(self, access: Access, events: EventRecorder) -> None:
        self._access = access
        self.cron_job = access.registry.resource("batch/v1", "CronJob")
        self.job = access.registry.resource("batch/v1", "Job")
        self._events = events
        self._owners = OwnerIndex(self.cron_job.store_key)

    def keys_for(self, change: Change) -> list[Key]:
        return self._owners.keys_for(change)

    def reconcile(self, key: Key) -> float | None:
        namespace, name = key
        cron_job = self._access.find(self.cron_job, namespace, name)
        if cron_job is None:
            return None
        self._owners.remember(cron_job, key)
        jobs = self._access.items(self.job, namespace)
        plan = plan_cron_job(cron_job, jobs, now=self._access.registry.clock.wall())
        for job_name in plan.delete:
            self._access.delete(self.job, namespace, job_name, {"propagationPolicy": "Background"})
        status = plan.status
        if plan.create is not None:
            created = self._access.create(self.job, namespace, plan.create)
            status = {**status, "active": [*status.get("active", []), job_reference(created)]}
        cron_job = self._access.write_status(self.cron_job, cron_job, status)
        for event in plan.events:
            self._events.record(
                cron_job, reason=event.reason, message=event.message, warning=event.warning
            )
        return plan.requeue_after
