"""The ReplicaSet controller's decision, as a pure function of the set, its pods and the time.

It keeps ``spec.replicas`` active pods: creates the shortfall from the template and, for a
surplus, deletes the pods upstream would delete first (ranked by ``_deletion_rank``: unscheduled
before scheduled, pending before running, not ready before ready, ready for less time first,
more restarts first, newer first). Terminating and finished pods do not count as active. The
status counts (replicas, fullyLabeled, ready, available after minReadySeconds) are computed here
too, so the shell only writes what this returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True, slots=True)
class ReplicaSetPlan:
    create: int
    delete: tuple[str, ...]  # pod names, in deletion order
    status: KubeObject


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def ready_since(pod: Mapping[str, Any]) -> float | None:
    """When the pod last became Ready, or None when it is not Ready."""
    found = objects.condition(pod, "Ready")
    if not found or found.get("status") != "True":
        return None
    return parse_time(found.get("lastTransitionTime")) or 0.0


def is_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> bool:
    since = ready_since(pod)
    return since is not None and (min_ready_seconds == 0 or since + min_ready_seconds <= now)


def is_active(pod: Mapping[str, Any]) -> bool:
    phase = objects.status(pod).get("phase")
    return not objects.is_terminating(pod) and phase not in ("Succeeded", "Failed")


def owned_pods(
    owner: Mapping[str, Any], pods: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    uid = objects.uid_of(owner)
    return [p for p in pods if objects.controller_owner_uid(p) == uid]


def _restarts(pod: Mapping[str, Any]) -> int:
    return sum(
        int(c.get("restartCount", 0)) for c in objects.status(pod).get("containerStatuses") or ()
    )


def _deletion_rank(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    since = ready_since(pod)
    created = parse_time(objects.meta(pod).get("creationTimestamp")) or 0.0
    return (
        bool(objects.spec(pod).get("nodeName")),
        _PHASE_RANK.get(str(objects.status(pod).get("phase")), 1),
        since is not None,
        -(since or 0.0),
        -_restarts(pod),
        -created,
    )


def plan_replica_set(
    replica_set: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], *, now: float
) -> ReplicaSetPlan:
    wanted = int(objects.spec(replica_set).get("replicas", 1))
    min_ready = int(objects.spec(replica_set).get("minReadySeconds", 0))
    active = [p for p in owned_pods(replica_set, pods) if is_active(p)]
    surplus = len(active) - wanted
    delete: tuple[str, ...] = ()
    if surplus > 0:
        delete = tuple(objects.name_of(p) for p in sorted(active, key=_deletion_rank)[:surplus])
    template_labels = (objects.spec(replica_set).get("template") or {}).get("metadata", {}).get(
        "labels"
    ) or {}
    status: KubeObject = {
        "replicas": len(active),
        "fullyLabeledReplicas": sum(
            1
            for p in active
            if all(objects.labels_of(p).get(k) == v for k, v in template_labels.items())
        ),
        "readyReplicas": sum(1 for p in active if ready_since(p) is not None),
        "availableReplicas": sum(1 for p in active if is_available(p, min_ready, now)),
        "observedGeneration": objects.meta(replica_set).get("generation", 1),
    }
    return ReplicaSetPlan(create=max(-surplus, 0), delete=delete, status=status)
