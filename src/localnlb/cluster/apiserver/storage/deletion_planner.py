"""The deletion planner: what a DELETE writes, decided without touching the store.

Preconditions, finalizers, deletionTimestamp, pod grace periods, propagation policies (the
``foregroundDeletion``/``orphan`` finalizers the GC controller honours) and namespace
termination. The registry executes the plan.

An object with finalizers (or a scheduled pod given a grace period) is only marked: its
deletionTimestamp is set and it stays until an update removes the last finalizer (and, for pods,
the kubelet deletes it with grace 0). A namespace is marked Terminating; no namespace controller
is needed for an embedded cluster: the registry then deletes its content, and once nothing is
left (:func:`namespace_may_go`) the namespace goes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
NAMESPACES_KEY = "/namespaces"
_POLICIES = ("Background", "Foreground", "Orphan")
_UNDELETABLE_NAMESPACES = ("default", "kube-system", "kube-public")


class DeletionStep(enum.Enum):
    REMOVE = "remove"  # delete from the store now
    MARK = "mark"  # store the object marked for deletion (timestamp, finalizers)
    TERMINATE = "terminate"  # namespaces: store it Terminating, then empty it
    KEEP = "keep"  # already marked as asked: nothing to write


@dataclass(frozen=True)
class DeletionPlan:
    step: DeletionStep
    obj: JsonObject  # the object to store for MARK and TERMINATE; the current one otherwise


def plan_delete(
    rt: ResourceType, current: JsonObject, options: JsonObject, *, now: float
) -> DeletionPlan:
    """What deleting ``current`` with these DeleteOptions writes at wall time ``now``."""
    _check_preconditions(rt, current, options.get("preconditions") or {})
    policy = options.get("propagationPolicy")
    if options.get("orphanDependents") is True:
        policy = "Orphan"
    if policy is not None and policy not in _POLICIES:
        raise status.invalid(
            "DeleteOptions",
            "meta.k8s.io",
            "",
            [
                status.Cause(
                    "propagationPolicy",
                    f'Unsupported value: "{policy}": supported values:'
                    ' "Foreground", "Background", "Orphan", "nil"',
                    "FieldValueNotSupported",
                )
            ],
        )
    grace = options.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or grace < 0):
        grace = 0
    if rt.store_key == NAMESPACES_KEY:
        return _plan_namespace_delete(current, now=now)
    updated = clone(current)
    metadata = updated["metadata"]
    finalizers: list[str] = list(metadata.get("finalizers") or [])
    if policy == "Foreground" and "foregroundDeletion" not in finalizers:
        finalizers.append("foregroundDeletion")
    if policy == "Orphan" and "orphan" not in finalizers:
        finalizers.append("orphan")
    pod_grace = _pod_grace(current, grace) if rt.store_key == "/pods" else 0
    if not finalizers and pod_grace == 0:
        return DeletionPlan(DeletionStep.REMOVE, current)
    if metadata.get("deletionTimestamp"):
        previous_grace = int(metadata.get("deletionGracePeriodSeconds") or 0)
        if rt.store_key == "/pods" and pod_grace < previous_grace:
            metadata["deletionTimestamp"] = meta.timestamp(now + pod_grace)
            metadata["deletionGracePeriodSeconds"] = pod_grace
    else:
        metadata["deletionTimestamp"] = meta.timestamp(now + pod_grace)
        metadata["deletionGracePeriodSeconds"] = pod_grace
        if "generation" in metadata:
            metadata["generation"] = int(metadata["generation"]) + 1
    metadata["finalizers"] = finalizers
    if not finalizers:
        metadata.pop("finalizers")
    if ready_to_remove(updated):
        return DeletionPlan(DeletionStep.REMOVE, current)
    if updated == current:
        return DeletionPlan(DeletionStep.KEEP, current)
    return DeletionPlan(DeletionStep.MARK, updated)


def ready_to_remove(obj: JsonObject) -> bool:
    """Marked for deletion, no finalizer left and no grace period still running."""
    metadata = obj.get("metadata") or {}
    return (
        bool(metadata.get("deletionTimestamp"))
        and not metadata.get("finalizers")
        and int(metadata.get("deletionGracePeriodSeconds") or 0) == 0
    )


def is_terminating(namespace: JsonObject | None) -> bool:
    return namespace is not None and bool(namespace["metadata"].get("deletionTimestamp"))


def namespace_may_go(namespace: JsonObject, *, has_content: bool) -> bool:
    """A terminating namespace goes once it holds nothing and no finalizer keeps it."""
    return not has_content and not namespace["metadata"].get("finalizers")


def namespaced_types(types: Iterable[ResourceType]) -> list[ResourceType]:
    """One served type per stored kind: what emptying a namespace goes through, in order."""
    unique: dict[str, ResourceType] = {}
    for resource_type in types:
        if resource_type.namespaced:
            unique.setdefault(resource_type.store_key, resource_type)
    return list(unique.values())


def custom_objects_key(crd: JsonObject) -> str:
    """The store key of the objects a CustomResourceDefinition serves (they go with it)."""
    spec = crd.get("spec") or {}
    return f"{spec.get('group', '')}/{(spec.get('names') or {}).get('plural', '')}"


def _plan_namespace_delete(current: JsonObject, *, now: float) -> DeletionPlan:
    name = current["metadata"]["name"]
    if name in _UNDELETABLE_NAMESPACES:
        raise ApiError(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            {"name": name, "kind": "namespaces"},
        )
    if is_terminating(current):
        return DeletionPlan(DeletionStep.KEEP, current)
    marked = clone(current)
    marked["metadata"]["deletionTimestamp"] = meta.timestamp(now)
    marked["metadata"]["deletionGracePeriodSeconds"] = 0
    marked.setdefault("status", {})["phase"] = "Terminating"
    return DeletionPlan(DeletionStep.TERMINATE, marked)


def _pod_grace(pod: JsonObject, requested: int | None) -> int:
    spec = pod.get("spec") or {}
    phase = (pod.get("status") or {}).get("phase")
    if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
        return 0
    if requested is not None:
        return requested
    return int(spec.get("terminationGracePeriodSeconds", 30))


def _check_preconditions(rt: ResourceType, current: JsonObject, wanted: JsonObject) -> None:
    metadata = current["metadata"]
    uid, version = wanted.get("uid"), wanted.get("resourceVersion")
    if uid and uid != metadata.get("uid"):
        raise status.conflict(
            rt.plural,
            rt.group,
            metadata["name"],
            f"Precondition failed: UID in precondition: {uid}, UID in object"
            f" meta: {metadata.get('uid')}",
        )
    if version and version != metadata.get("resourceVersion"):
        raise status.conflict(
            rt.plural,
            rt.group,
            metadata["name"],
            "Precondition failed: ResourceVersion in precondition:"
            f" {version}, ResourceVersion in object meta:"
            f" {metadata.get('resourceVersion')}",
        )
