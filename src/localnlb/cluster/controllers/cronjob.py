"""The CronJob controller's decision (kube-controller-manager's cronjob controller v2), as a pure
function of the CronJob, the Jobs and the time.

The most recent schedule time since ``lastScheduleTime`` (or creation; no earlier than
``startingDeadlineSeconds`` ago) starts a Job named ``<cronjob>-<scheduled minutes since the
epoch>``, unless it exists, the CronJob is suspended, or concurrencyPolicy Forbid meets a running
Job (Replace deletes the running ones first). Finished Jobs leave ``status.active`` and are
trimmed to the history limits, oldest first. The plan says when the next schedule time falls, so
the shell looks again then. Times are in ``spec.timeZone``, else UTC (the controller's zone).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.job import JobEvent, finished_condition
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.replicaset import parse_time
from localnlb.cluster.schema import cron
from localnlb.common.clock import rfc3339

SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"


@dataclass(frozen=True, slots=True)
class CronJobPlan:
    create: KubeObject | None = None  # the Job to start (the shell adds it to status.active)
    delete: tuple[str, ...] = ()  # Job names
    status: KubeObject = field(default_factory=dict)
    events: tuple[JobEvent, ...] = ()
    requeue_after: float | None = None


def job_reference(job: Mapping[str, Any]) -> KubeObject:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": objects.name_of(job),
        "namespace": objects.namespace_of(job),
        "uid": objects.uid_of(job),
        "resourceVersion": str(objects.meta(job).get("resourceVersion", "")),
    }


def _zone(cron_job: Mapping[str, Any]) -> tzinfo:
    name = objects.spec(cron_job).get("timeZone")
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _created(job: Mapping[str, Any]) -> float:
    return parse_time(objects.meta(job).get("creationTimestamp")) or 0.0


def _trim(jobs: list[Mapping[str, Any]], limit: int) -> list[str]:
    ordered = sorted(jobs, key=_created)
    return [objects.name_of(j) for j in ordered[: max(len(ordered) - limit, 0)]]


def new_job(cron_job: Mapping[str, Any], scheduled: float, zone: tzinfo) -> KubeObject:
    template = copy.deepcopy(objects.spec(cron_job).get("jobTemplate") or {})
    template_meta = template.get("metadata") or {}
    annotations = dict(template_meta.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = (
        datetime.fromtimestamp(scheduled, zone).isoformat().replace("+00:00", "Z")
    )
    metadata: KubeObject = {
        "name": f"{objects.name_of(cron_job)}-{int(scheduled // 60)}",
        "namespace": objects.namespace_of(cron_job),
        "annotations": annotations,
        "ownerReferences": [objects.owner_reference(cron_job)],
    }
    if template_meta.get("labels"):
        metadata["labels"] = dict(template_meta["labels"])
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": template.get("spec") or {},
    }


def plan_cron_job(
    cron_job: Mapping[str, Any], jobs: Sequence[Mapping[str, Any]], *, now: float
) -> CronJobPlan:
    spec = objects.spec(cron_job)
    uid = objects.uid_of(cron_job)
    owned = [j for j in jobs if objects.controller_owner_uid(j) == uid]
    status: KubeObject = copy.deepcopy(objects.status(cron_job))
    events: list[JobEvent] = []
    was_active = {ref.get("uid") for ref in status.get("active") or ()}
    running = [j for j in owned if finished_condition(j) is None]
    succeeded = [j for j in owned if objects.condition_true(j, "Complete")]
    failed = [j for j in owned if objects.condition_true(j, "Failed")]
    for job in [*succeeded, *failed]:
        if objects.uid_of(job) in was_active:
            kind = "Complete" if job in succeeded else "Failed"
            events.append(
                JobEvent(
                    "SawCompletedJob",
                    f"Saw completed job: {objects.name_of(job)}, condition: {kind}",
                )
            )
    completed = [parse_time(objects.status(j).get("completionTime")) or 0.0 for j in succeeded]
    if completed and max(completed) > (parse_time(status.get("lastSuccessfulTime")) or 0.0):
        status["lastSuccessfulTime"] = rfc3339(max(completed))
    delete = _trim(succeeded, int(spec.get("successfulJobsHistoryLimit", 3)))
    delete += _trim(failed, int(spec.get("failedJobsHistoryLimit", 1)))
    events += [JobEvent("SuccessfulDelete", f"Deleted job {name}") for name in delete]

    def settled(
        requeue_after: float | None = None, create: KubeObject | None = None
    ) -> CronJobPlan:
        status["active"] = [job_reference(j) for j in running]
        if not status["active"]:
            del status["active"]
        return CronJobPlan(create, tuple(delete), status, tuple(events), requeue_after)

    if objects.is_terminating(cron_job) or spec.get("suspend"):
        return settled()
    try:
        schedule = cron.parse(str(spec.get("schedule", "")))
    except cron.ScheduleError as error:
        events.append(JobEvent("UnparseableSchedule", f"unparseable schedule: {error}", True))
        return settled()
    zone = _zone(cron_job)
    upcoming = schedule.next_after(now, zone)
    wait = None if upcoming is None else upcoming - now
    earliest = parse_time(status.get("lastScheduleTime")) or _created(cron_job)
    if spec.get("startingDeadlineSeconds") is not None:
        earliest = max(earliest, now - int(spec["startingDeadlineSeconds"]))
    due = schedule.times_between(earliest, now, zone)
    if not due:
        return settled(wait)
    scheduled = due[-1]
    job = new_job(cron_job, scheduled, zone)
    if any(objects.name_of(j) == job["metadata"]["name"] for j in owned):
        return settled(wait)
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy == "Forbid" and running:
        events.append(
            JobEvent(
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy"
                " is Forbid",
            )
        )
        return settled(wait)
    if policy == "Replace" and running:
        for job_running in running:
            delete.append(objects.name_of(job_running))
            events.append(
                JobEvent("SuccessfulDelete", f"Deleted job {objects.name_of(job_running)}")
            )
        running = []
    status["lastScheduleTime"] = rfc3339(scheduled)
    events.append(JobEvent("SuccessfulCreate", f"Created job {job['metadata']['name']}"))
    return settled(wait, job)
