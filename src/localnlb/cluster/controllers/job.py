"""The Job controller's decision, as a pure function of the Job, its pods and the time
(kube-controller-manager's job controller, pod failure policy and Indexed mode aside).

Active pods are kept at ``min(parallelism, completions - succeeded)``; failed pods count against
``backoffLimit`` (with restartPolicy OnFailure, container restarts count too), and a new pod after
a failure waits out the controller's back-off (``backoff_base`` doubling per failure, at most six
minutes). Reaching ``completions`` adds the Complete condition, passing the limit Failed with
reason BackoffLimitExceeded (active pods are then deleted); ``ttlSecondsAfterFinished`` later
deletes the finished Job. Messages and reasons are upstream's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.replicaset import is_active, owned_pods, parse_time, ready_since
from localnlb.common.clock import rfc3339

MAX_POD_BACKOFF_SECONDS = 360.0
COMPLETE_REASON = "CompletionsReached"
COMPLETE_MESSAGE = "Reached expected number of succeeded pods"
FAILED_REASON = "BackoffLimitExceeded"
FAILED_MESSAGE = "Job has reached the specified backoff limit"


@dataclass(frozen=True, slots=True)
class JobEvent:
    reason: str
    message: str
    warning: bool = False


@dataclass(frozen=True, slots=True)
class JobPlan:
    create: int = 0
    delete: tuple[str, ...] = ()  # pod names
    status: KubeObject = field(default_factory=dict)
    events: tuple[JobEvent, ...] = ()
    delete_job: bool = False  # its TTL after finishing ran out
    requeue_after: float | None = None


def finished_condition(job: Mapping[str, Any]) -> dict[str, Any] | None:
    for kind in ("Complete", "Failed"):
        if objects.condition_true(job, kind):
            return objects.condition(job, kind)
    return None


def _phase(pod: Mapping[str, Any]) -> str:
    return str(objects.status(pod).get("phase", ""))


def _restarts(pods: Sequence[Mapping[str, Any]]) -> int:
    total = 0
    for pod in pods:
        statuses = objects.status(pod)
        for entry in [
            *(statuses.get("initContainerStatuses") or ()),
            *(statuses.get("containerStatuses") or ()),
        ]:
            total += int(entry.get("restartCount", 0))
    return total


def _last_failure(failed: Sequence[Mapping[str, Any]]) -> float:
    latest = 0.0
    for pod in failed:
        for entry in objects.status(pod).get("containerStatuses") or ():
            finished = ((entry.get("state") or {}).get("terminated") or {}).get("finishedAt")
            latest = max(latest, parse_time(finished) or 0.0)
        latest = max(latest, parse_time(objects.meta(pod).get("creationTimestamp")) or 0.0)
    return latest


def _ttl_plan(job: Mapping[str, Any], status: KubeObject, now: float) -> JobPlan:
    ttl = objects.spec(job).get("ttlSecondsAfterFinished")
    if ttl is None:
        return JobPlan(status=status)
    finished = parse_time(status.get("completionTime"))
    if finished is None:
        found = finished_condition({"status": status})
        finished = parse_time((found or {}).get("lastTransitionTime")) or now
    remaining = finished + int(ttl) - now
    if remaining <= 0:
        return JobPlan(status=status, delete_job=True)
    return JobPlan(status=status, requeue_after=remaining)


def _condition(kind: str, reason: str, message: str, now: float) -> KubeObject:
    stamp = rfc3339(now)
    return {
        "type": kind,
        "status": "True",
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def plan_job(
    job: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    *,
    now: float,
    backoff_base: float = 10.0,
) -> JobPlan:
    spec = objects.spec(job)
    status: KubeObject = copy.deepcopy(objects.status(job))
    owned = owned_pods(job, pods)
    active = [p for p in owned if is_active(p)]
    succeeded = [p for p in owned if _phase(p) == "Succeeded"]
    failed = [p for p in owned if _phase(p) == "Failed"]
    status.setdefault("startTime", rfc3339(now))
    status["active"] = len(active)
    status["succeeded"] = max(len(succeeded), int(status.get("succeeded", 0)))
    status["failed"] = max(len(failed), int(status.get("failed", 0)))
    status["ready"] = sum(1 for p in active if ready_since(p) is not None)
    status["terminating"] = sum(1 for p in owned if objects.is_terminating(p))
    status.setdefault("uncountedTerminatedPods", {})
    for name in ("active", "succeeded", "failed"):
        if not status[name]:
            del status[name]
    if finished_condition(job) is not None:
        return _ttl_plan(job, status, now)

    completions = spec.get("completions")
    parallelism = int(spec.get("parallelism", 1))
    backoff_limit = int(spec.get("backoffLimit", 6))
    done = len(succeeded)
    restart_policy = (spec.get("template") or {}).get("spec", {}).get("restartPolicy")
    on_failure_exceeded = restart_policy == "OnFailure" and (
        _restarts(active) > 0 if backoff_limit == 0 else _restarts(active) >= backoff_limit
    )
    if len(failed) > backoff_limit or on_failure_exceeded:
        status.setdefault("conditions", []).append(
            _condition("Failed", FAILED_REASON, FAILED_MESSAGE, now)
        )
        status.pop("active", None)
        event = JobEvent(FAILED_REASON, FAILED_MESSAGE, warning=True)
        delete = tuple(objects.name_of(p) for p in active)
        plan = _ttl_plan(job, status, now)
        return JobPlan(
            delete=delete,
            status=status,
            events=(event,),
            delete_job=plan.delete_job,
            requeue_after=plan.requeue_after,
        )
    if (completions is not None and done >= int(completions)) or (
        completions is None and done > 0 and not active
    ):
        status.setdefault("conditions", []).append(
            _condition("Complete", COMPLETE_REASON, COMPLETE_MESSAGE, now)
        )
        status["completionTime"] = rfc3339(now)
        plan = _ttl_plan(job, status, now)
        return JobPlan(
            status=status,
            events=(JobEvent("Completed", "Job completed"),),
            delete_job=plan.delete_job,
            requeue_after=plan.requeue_after,
        )
    if spec.get("suspend"):
        return JobPlan(delete=tuple(objects.name_of(p) for p in active), status=status)
    wanted = parallelism
    if completions is not None:
        wanted = min(parallelism, int(completions) - done)
    shortfall = wanted - len(active)
    if shortfall <= 0:
        surplus = tuple(objects.name_of(p) for p in active[:-shortfall]) if shortfall else ()
        return JobPlan(delete=surplus, status=status)
    if failed:
        ready_at = _last_failure(failed) + min(
            backoff_base * 2 ** (len(failed) - 1), MAX_POD_BACKOFF_SECONDS
        )
        if ready_at > now:
            return JobPlan(status=status, requeue_after=ready_at - now)
    return JobPlan(create=shortfall, status=status)
