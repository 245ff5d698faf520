"""Table columns for jobs, cronjobs and daemonsets (kubectl's printJob, printCronJob,
printDaemonSet): ``kubectl get jobs|cronjobs|daemonsets`` reads them from the server."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import meta
from localnlb.cluster.apiserver.printers.ages import human_duration
from localnlb.cluster.apiserver.printers.columns import (
    AGE,
    NAME,
    Column,
    containers_images,
    get,
    labels_text,
    selector_text,
)

JsonObject = dict[str, Any]


def _has_condition(job: JsonObject, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in get(job, "status", "conditions") or ()
    )


def job_status(job: JsonObject) -> str:
    if _has_condition(job, "Complete"):
        return "Complete"
    if _has_condition(job, "Failed"):
        return "Failed"
    if get(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget"):
        if _has_condition(job, kind):
            return kind
    return "Running"


def job_completions(job: JsonObject) -> str:
    succeeded = get(job, "status", "succeeded") or 0
    completions = get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    parallelism = get(job, "spec", "parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(job: JsonObject, now: float) -> str:
    started = get(job, "status", "startTime")
    if not started:
        return ""
    finished = get(job, "status", "completionTime")
    end = meta.parse_timestamp(finished) if finished else now
    return human_duration(end - meta.parse_timestamp(started))


def _last_schedule(cron_job: JsonObject, now: float) -> str:
    last = get(cron_job, "status", "lastScheduleTime")
    return human_duration(now - meta.parse_timestamp(last)) if last else "<none>"


def _job_template(cron_job: JsonObject) -> JsonObject:
    return get(cron_job, "spec", "jobTemplate") or {}


def _suspend(cron_job: JsonObject) -> str:
    value = get(cron_job, "spec", "suspend")
    return "<unset>" if value is None else str(bool(value))


_WIDE = (
    Column("Containers", lambda o, _n: containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: containers_images(o)[1], priority=1),
    Column("Selector", lambda o, _n: selector_text(get(o, "spec", "selector")), priority=1),
)

JOB = [
    NAME,
    Column("Status", lambda o, _n: job_status(o)),
    Column("Completions", lambda o, _n: job_completions(o)),
    Column("Duration", job_duration),
    AGE,
    *_WIDE,
]

CRONJOB = [
    NAME,
    Column("Schedule", lambda o, _n: get(o, "spec", "schedule") or ""),
    Column("Timezone", lambda o, _n: get(o, "spec", "timeZone") or "<none>"),
    Column("Suspend", lambda o, _n: _suspend(o)),
    Column("Active", lambda o, _n: len(get(o, "status", "active") or ()), "integer"),
    Column("Last Schedule", _last_schedule),
    AGE,
    Column("Containers", lambda o, _n: containers_images(_job_template(o))[0], priority=1),
    Column("Images", lambda o, _n: containers_images(_job_template(o))[1], priority=1),
    Column(
        "Selector",
        lambda o, _n: selector_text(get(_job_template(o), "spec", "selector")),
        priority=1,
    ),
]

DAEMONSET = [
    NAME,
    Column("Desired", lambda o, _n: get(o, "status", "desiredNumberScheduled") or 0, "integer"),
    Column("Current", lambda o, _n: get(o, "status", "currentNumberScheduled") or 0, "integer"),
    Column("Ready", lambda o, _n: get(o, "status", "numberReady") or 0, "integer"),
    Column("Up-to-date", lambda o, _n: get(o, "status", "updatedNumberScheduled") or 0, "integer"),
    Column("Available", lambda o, _n: get(o, "status", "numberAvailable") or 0, "integer"),
    Column(
        "Node Selector",
        lambda o, _n: labels_text(get(o, "spec", "template", "spec", "nodeSelector")),
    ),
    AGE,
    *_WIDE,
]
