"""The scale subresource (autoscaling/v1 Scale over spec.replicas), pod binding and the pod
log.

Pod log contract (the kubelet writes, the API server reads): each container's output goes to
``<pod log dir>/<namespace>_<pod name>_<pod uid>/<container>.log``; the previous run of a
restarted container, if kept, to ``<container>.previous.log``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from localnlb.cluster.apiserver.decoding import patch_formats
from localnlb.cluster.apiserver.objects import meta, status
from localnlb.cluster.apiserver.objects.meta import clone
from localnlb.cluster.apiserver.printers.columns import selector_text
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]


def scale_of(obj: JsonObject) -> JsonObject:
    metadata = obj["metadata"]
    selector = selector_text((obj.get("spec") or {}).get("selector"))
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: metadata[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in metadata
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": "" if selector == "<none>" else selector,
        },
    }


def write_scale(
    registry: Registry,
    rt: ResourceType,
    namespace: str,
    name: str,
    *,
    body: Any,
    patch_type: str | None,
    manager: str,
) -> JsonObject:
    current = registry.get(rt, namespace, name)
    scale = scale_of(current)
    try:
        if patch_type is None:
            new_scale = body
        elif patch_type == "json":
            new_scale = patch_formats.json_patch(scale, body)
        else:
            new_scale = patch_formats.merge_patch(scale, body)
    except patch_formats.PatchError as error:
        raise status.bad_request(str(error)) from None
    if not isinstance(new_scale, dict):
        raise status.bad_request("the object provided is not a JSON object")
    replicas = (new_scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or replicas < 0:
        raise status.invalid(
            "Scale",
            "autoscaling",
            name,
            [
                status.Cause(
                    "spec.replicas",
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                )
            ],
        )
    wanted_version = (new_scale.get("metadata") or {}).get("resourceVersion")
    if (
        patch_type is None
        and wanted_version
        and wanted_version != current["metadata"]["resourceVersion"]
    ):
        raise status.stale_update(rt.plural, rt.group, name)
    updated = clone(current)
    updated["spec"]["replicas"] = replicas
    stored = registry.update(rt, namespace, name, updated, manager=manager)
    return scale_of(stored)


def log_path(log_dir: Path, pod: JsonObject, container: str, *, previous: bool = False) -> Path:
    metadata = pod["metadata"]
    folder = f"{metadata['namespace']}_{metadata['name']}_{metadata['uid']}"
    return log_dir / folder / (f"{container}.previous.log" if previous else f"{container}.log")


def choose_container(pod: JsonObject, requested: str) -> str:
    name = pod["metadata"]["name"]
    containers: list[str] = [
        str(c.get("name", "")) for c in (pod.get("spec") or {}).get("containers") or []
    ]
    init: list[str] = [
        str(c.get("name", "")) for c in (pod.get("spec") or {}).get("initContainers") or []
    ]
    if requested:
        if requested not in containers and requested not in init:
            raise status.bad_request(f"container {requested} is not valid for pod {name}")
        return requested
    if len(containers) == 1:
        return containers[0]
    raise status.bad_request(
        f"a container name must be specified for pod {name}, choose one of: "
        f"[{' '.join(containers)}]"
        + (f" or one of the init containers: [{' '.join(init)}]" if init else "")
    )


def waiting_error(pod: JsonObject, container: str) -> status.ApiError:
    reason = "ContainerCreating"
    for state in (pod.get("status") or {}).get("containerStatuses") or []:
        if state.get("name") == container:
            reason = ((state.get("state") or {}).get("waiting") or {}).get("reason", reason)
    return status.bad_request(
        f'container "{container}" in pod "{pod["metadata"]["name"]}" is waiting to start: {reason}'
    )


def read_log(path: Path, *, tail_lines: int | None, limit_bytes: int | None) -> bytes:
    data = path.read_bytes()
    if tail_lines is not None:
        lines = data.splitlines(keepends=True)
        data = b"".join(lines[-tail_lines:]) if tail_lines > 0 else b""
    if limit_bytes is not None:
        data = data[:limit_bytes]
    return data


def bind(
    registry: Registry, rt: ResourceType, namespace: str, name: str, node: str, *, manager: str
) -> JsonObject:
    """Set spec.nodeName once (409 if the pod is already on a node), as the real binding
    subresource does, and add the PodScheduled condition."""
    pod = registry.get(rt, namespace, name)
    current = (pod.get("spec") or {}).get("nodeName")
    if current:
        raise status.conflict(
            rt.plural, rt.group, name, f'pod {name} is already assigned to node "{current}"'
        )
    if pod["metadata"].get("deletionTimestamp"):
        raise status.conflict(
            rt.plural, rt.group, name, "pod is being deleted, cannot be assigned to a host"
        )
    pod["spec"]["nodeName"] = node
    bound = registry.update(rt, namespace, name, pod, manager=manager)
    conditions = [
        c
        for c in (bound.get("status") or {}).get("conditions") or []
        if c.get("type") != "PodScheduled"
    ]
    conditions.append(
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": meta.timestamp(registry.clock.wall()),
        }
    )
    status_body = {**bound, "status": {**(bound.get("status") or {}), "conditions": conditions}}
    return registry.update(rt, namespace, name, status_body, subresource="status", manager=manager)
