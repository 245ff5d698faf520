"""Deletion semantics: preconditions, finalizers, deletionTimestamp, pod grace periods,
propagation policies (the ``foregroundDeletion``/``orphan`` finalizers the GC controller
honours) and namespace termination.

An object with finalizers (or a scheduled pod given a grace period) is only marked: its
deletionTimestamp is set and it stays until an update removes the last finalizer (and, for pods,
the kubelet deletes it with grace 0). The namespace's own finalization is done here, because no
namespace controller is needed for an embedded cluster: when a namespace is deleted its content
is deleted, and once nothing is left the namespace goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localnlb.cluster.apiserver import meta, status
from localnlb.cluster.apiserver.meta import clone
from localnlb.cluster.apiserver.shapes import shape
from localnlb.cluster.apiserver.status import ApiError
from localnlb.cluster.schema.kinds import ResourceType
from localnlb.cluster.store import ObjectNotFound

if TYPE_CHECKING:
    from localnlb.cluster.apiserver.registry import Registry

JsonObject = dict[str, Any]
_POLICIES = ("Background", "Foreground", "Orphan")


def delete(
    registry: Registry, rt: ResourceType, namespace: str, name: str, options: JsonObject
) -> tuple[JsonObject, bool]:
    store = registry.store
    try:
        current = store.get(rt.store_key, namespace, name)
    except ObjectNotFound:
        raise status.not_found(rt.plural, rt.group, name) from None
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
    if rt.store_key == "/namespaces":
        return _delete_namespace(registry, rt, current)
    updated = clone(current)
    metadata = updated["metadata"]
    finalizers: list[str] = list(metadata.get("finalizers") or [])
    if policy == "Foreground" and "foregroundDeletion" not in finalizers:
        finalizers.append("foregroundDeletion")
    if policy == "Orphan" and "orphan" not in finalizers:
        finalizers.append("orphan")
    pod_grace = _pod_grace(current, grace) if rt.store_key == "/pods" else 0
    if not finalizers and pod_grace == 0:
        removed = store.delete(rt.store_key, namespace, name)
        after_removal(registry, rt, removed)
        return _out(rt, removed), True
    now = registry.clock.wall()
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
        removed = store.delete(rt.store_key, namespace, name)
        after_removal(registry, rt, removed)
        return _out(rt, removed), True
    if updated == current:
        return _out(rt, current), False
    stored = store.update(rt.store_key, updated)
    return _out(rt, stored), False


def ready_to_remove(obj: JsonObject) -> bool:
    """Marked for deletion, no finalizer left and no grace period still running."""
    metadata = obj.get("metadata") or {}
    return (
        bool(metadata.get("deletionTimestamp"))
        and not metadata.get("finalizers")
        and int(metadata.get("deletionGracePeriodSeconds") or 0) == 0
    )


def after_removal(registry: Registry, rt: ResourceType, removed: JsonObject) -> None:
    """Once an object in a terminating namespace is gone, the namespace may go too."""
    namespace = removed["metadata"].get("namespace")
    if rt.store_key == "apiextensions.k8s.io/customresourcedefinitions":
        _remove_custom_objects(registry, removed)
        registry._after_write(rt)
    if namespace:
        found = registry.store.find("/namespaces", "", namespace)
        if found is not None and found["metadata"].get("deletionTimestamp"):
            _finish_namespace(registry, found)


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


def _delete_namespace(
    registry: Registry, rt: ResourceType, current: JsonObject
) -> tuple[JsonObject, bool]:
    name = current["metadata"]["name"]
    if name in ("default", "kube-system", "kube-public"):
        raise ApiError(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            {"name": name, "kind": "namespaces"},
        )
    if not current["metadata"].get("deletionTimestamp"):
        marked = clone(current)
        marked["metadata"]["deletionTimestamp"] = meta.timestamp(registry.clock.wall())
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        marked.setdefault("status", {})["phase"] = "Terminating"
        current = registry.store.update(rt.store_key, marked)
        # The namespace controller's work: later, as on a real cluster, so that clients
        # deleting the namespace and its objects in one go (kubectl delete -k) find them.
        registry.defer(lambda: empty_namespace(registry, name))
    remaining = registry.store.find(rt.store_key, "", name)
    if remaining is None:
        return _out(rt, current), True
    return _out(rt, remaining), False


def empty_namespace(registry: Registry, name: str) -> None:
    """Delete everything in a terminating namespace, then the namespace once it is empty."""
    for resource_type in _namespaced_types(registry):
        items, _ = registry.store.list(resource_type.store_key, name)
        for item in items:
            try:
                delete(registry, resource_type, name, item["metadata"]["name"], {})
            except ApiError as error:
                if error.code != 404:
                    raise
    remaining = registry.store.find("/namespaces", "", name)
    if remaining is not None and remaining["metadata"].get("deletionTimestamp"):
        _finish_namespace(registry, remaining)


def _finish_namespace(registry: Registry, namespace: JsonObject) -> JsonObject | None:
    name = namespace["metadata"]["name"]
    for resource_type in _namespaced_types(registry):
        if registry.store.list(resource_type.store_key, name)[0]:
            return None
    if namespace["metadata"].get("finalizers"):
        return None
    removed = registry.store.delete("/namespaces", "", name)
    return removed


def _namespaced_types(registry: Registry) -> list[ResourceType]:
    unique: dict[str, ResourceType] = {}
    for resource_type in registry.catalog.all():
        if resource_type.namespaced:
            unique.setdefault(resource_type.store_key, resource_type)
    return list(unique.values())


def _remove_custom_objects(registry: Registry, crd: JsonObject) -> None:
    spec = crd.get("spec") or {}
    key = f"{spec.get('group', '')}/{(spec.get('names') or {}).get('plural', '')}"
    items, _ = registry.store.list(key)
    for item in items:
        metadata = item["metadata"]
        registry.store.delete(key, metadata.get("namespace", ""), metadata["name"])


def _out(rt: ResourceType, obj: JsonObject) -> JsonObject:
    return shape(rt, obj)
