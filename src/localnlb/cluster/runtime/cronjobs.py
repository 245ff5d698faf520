"""The CronJob control loop: starts each CronJob's Jobs on schedule and keeps its history.

Triggered by CronJobs and by the Jobs they own; decisions come from
:func:`~localnlb.cluster.controllers.cronjob.plan_cron_job`. The plan says when the next
schedule time falls and the work queue looks again then (a requeue, never a sleep).
"""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.cronjob import job_reference, plan_cron_job
from localnlb.cluster.runtime.access import Access
from localnlb.cluster.runtime.events import EventRecorder
from localnlb.cluster.store.events import Change

Key = tuple[str, str]


class CronJobLoop:
    def __init__(self, access: Access, events: EventRecorder) -> None:
        self._access = access
        self.cron_job = access.registry.resource("batch/v1", "CronJob")
        self.job = access.registry.resource("batch/v1", "Job")
        self._events = events
        self._owner_names: dict[str, Key] = {}  # cronjob uid -> (namespace, name)

    def keys_for(self, change: Change) -> list[Key]:
        if change.resource == self.cron_job.store_key:
            self._owner_names[objects.uid_of(change.object)] = (change.namespace, change.name)
            return [(change.namespace, change.name)]
        found = self._owner_names.get(objects.controller_owner_uid(change.object) or "")
        return [found] if found else []

    def reconcile(self, key: Key) -> float | None:
        namespace, name = key
        cron_job = self._access.find(self.cron_job, namespace, name)
        if cron_job is None:
            return None
        self._owner_names[objects.uid_of(cron_job)] = key
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
