"""A pod's ``status`` as the kubelet writes it: phase, conditions, IPs, container statuses.

Follows the kubelet's ``getPhase`` and ``pkg/kubelet/status/generate.go``. The conditions are
the kubelet's own, in its order: ``PodReadyToStartContainers``, ``Initialized``, ``Ready``
(False while a readiness gate's condition is missing or not True, with the kubelet's messages),
``ContainersReady``, ``PodScheduled``; ``lastTransitionTime`` moves only when a condition's
status changes. Conditions owned by others (a readiness gate's, set by the load balancer
controller) are read to compute ``Ready`` but not echoed: the status writer keeps them from the
stored pod, as the kubelet's status manager merges with a fresh copy from the API, so a stale
copy here can never overwrite a newer one there. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from localnlb.cluster.kubelet.podspec import (
    JsonObject,
    RestartPolicy,
    is_sidecar,
    restart_policy,
)
from localnlb.common.clock import rfc3339

KUBELET_CONDITIONS = frozenset(
    {"PodScheduled", "Ready", "Initialized", "ContainersReady", "PodReadyToStartContainers"}
)


def _init_counts(pod: JsonObject, init_statuses: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(pending, failed) init containers, as the kubelet's getPhase counts them."""
    known = {status["name"]: status for status in init_statuses}
    pending = failed = 0
    for container in pod.get("spec", {}).get("initContainers") or []:
        status = known.get(container.get("name"))
        state = (status or {}).get("state") or {}
        last = ((status or {}).get("lastState") or {}).get("terminated")
        if is_sidecar(container):
            pending += not (status or {}).get("started")
        elif "terminated" in state:
            failed += state["terminated"].get("exitCode") != 0
        elif "waiting" in state and last and last.get("exitCode") != 0:
            failed += 1
        else:
            pending += 1
    return pending, failed


def pod_phase(
    pod: JsonObject,
    statuses: Sequence[Mapping[str, Any]],
    *,
    terminal: bool = False,
    init_statuses: Sequence[Mapping[str, Any]] = (),
) -> str:
    """``terminal``: the pod is being deleted and its containers were stopped for good."""
    pending_init, failed_init = _init_counts(pod, init_statuses)
    if failed_init and restart_policy(pod) is RestartPolicy.NEVER:
        return "Failed"
    running = waiting = stopped = succeeded = 0
    known = {status["name"]: status for status in statuses}
    unknown = 0
    for container in pod.get("spec", {}).get("containers") or []:
        status = known.get(container.get("name"))
        state = (status or {}).get("state") or {}
        if status is None:
            unknown += 1
        elif "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += state["terminated"].get("exitCode") == 0
        elif "waiting" in state:
            if "terminated" in (status.get("lastState") or {}):
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1
    if waiting or pending_init:
        return "Pending"
    if running and not unknown:
        return "Running"
    if not running and stopped and not unknown:
        policy = restart_policy(pod)
        if policy is RestartPolicy.ALWAYS and not terminal:
            return "Running"  # all of them are between restarts
        if stopped == succeeded:
            return "Succeeded"
        return "Failed" if policy is RestartPolicy.NEVER or terminal else "Running"
    return "Pending"


def _go_list(names: Sequence[str]) -> str:
    return "[" + " ".join(names) + "]"


def initialized_condition(
    pod: JsonObject, init_statuses: Sequence[Mapping[str, Any]], phase: str
) -> dict[str, Any]:
    known = {status["name"]: status for status in init_statuses}
    unknown, incomplete = [], []
    for container in pod.get("spec", {}).get("initContainers") or []:
        name = container.get("name", "")
        state = (known.get(name) or {}).get("state") or {}
        if name not in known:
            unknown.append(name)
        elif is_sidecar(container):
            if not known[name].get("started"):
                incomplete.append(name)
        elif (state.get("terminated") or {}).get("exitCode", -1) != 0:
            incomplete.append(name)
    if not unknown and not incomplete:
        return {"type": "Initialized", "status": "True"}
    if phase == "Succeeded" and not unknown:
        return {"type": "Initialized", "status": "True", "reason": "PodCompleted"}
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {_go_list(unknown)}")
    if incomplete:
        messages.append(f"containers with incomplete status: {_go_list(incomplete)}")
    return {
        "type": "Initialized",
        "status": "False",
        "reason": "ContainersNotInitialized",
        "message": ", ".join(messages),
    }


def containers_ready_condition(
    pod: JsonObject, statuses: Sequence[Mapping[str, Any]], phase: str
) -> dict[str, Any]:
    """``statuses``: the sidecars' and the regular containers' (both count for readiness)."""
    if phase in ("Succeeded", "Failed"):
        return {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"}
    known = {status["name"]: status for status in statuses}
    unknown, unready = [], []
    spec = pod.get("spec", {})
    sidecars = [c for c in spec.get("initContainers") or [] if is_sidecar(c)]
    for container in [*sidecars, *(spec.get("containers") or [])]:
        name = container.get("name", "")
        if name not in known:
            unknown.append(name)
        elif not known[name].get("ready"):
            unready.append(name)
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {_go_list(unknown)}")
    if unready:
        messages.append(f"containers with unready status: {_go_list(unready)}")
    if messages:
        return {
            "type": "ContainersReady",
            "status": "False",
            "reason": "ContainersNotReady",
            "message": ", ".join(messages),
        }
    return {"type": "ContainersReady", "status": "True"}


def ready_condition(
    pod: JsonObject, others: Sequence[Mapping[str, Any]], containers_ready: Mapping[str, Any]
) -> dict[str, Any]:
    if containers_ready["status"] != "True":
        return {**containers_ready, "type": "Ready"}
    by_type = {c.get("type"): c for c in others}
    unready = []
    for gate in pod.get("spec", {}).get("readinessGates") or []:
        kind = gate.get("conditionType", "")
        condition = by_type.get(kind)
        if condition is None:
            unready.append(
                f'corresponding condition of pod readiness gate "{kind}" does not exist.'
            )
        elif condition.get("status") != "True":
            unready.append(
                f'the status of pod readiness gate "{kind}" is not "True", '
                f"but {condition.get('status')}"
            )
    if unready:
        return {
            "type": "Ready",
            "status": "False",
            "reason": "ReadinessGatesNotReady",
            "message": ", ".join(unready),
        }
    return {"type": "Ready", "status": "True"}


def build_pod_status(
    pod: JsonObject,
    *,
    container_statuses: Sequence[Mapping[str, Any]],
    pod_ip: str,
    host_ip: str,
    start_time: float,
    now: float,
    terminal: bool = False,
    init_container_statuses: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The ``status`` to write for ``pod``: everything but others' conditions (see above)."""
    previous = pod.get("status") or {}
    previous_conditions = list(previous.get("conditions") or [])
    others = [c for c in previous_conditions if c.get("type") not in KUBELET_CONDITIONS]
    statuses = list(container_statuses)
    init_statuses = list(init_container_statuses)
    phase = pod_phase(pod, statuses, terminal=terminal, init_statuses=init_statuses)
    containers_ready = containers_ready_condition(pod, [*init_statuses, *statuses], phase)
    ours = [
        {"type": "PodReadyToStartContainers", "status": "True"},
        initialized_condition(pod, init_statuses, phase),
        ready_condition(pod, others, containers_ready),
        containers_ready,
        {"type": "PodScheduled", "status": "True"},
    ]
    by_type = {c.get("type"): c for c in previous_conditions}
    conditions = [_with_times(c, by_type.get(c["type"]), now) for c in ours]
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": rfc3339(start_time),
        "containerStatuses": statuses,
    }
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    if previous.get("qosClass"):
        status["qosClass"] = previous["qosClass"]
    return status


def _with_times(
    condition: dict[str, Any], before: Mapping[str, Any] | None, now: float
) -> dict[str, Any]:
    unchanged = before is not None and before.get("status") == condition["status"]
    transition = before.get("lastTransitionTime") if unchanged and before else None
    return {
        "type": condition["type"],
        "status": condition["status"],
        "lastProbeTime": None,
        "lastTransitionTime": transition or rfc3339(now),
        **{k: condition[k] for k in ("reason", "message") if k in condition},
    }
