"""The node lifecycle controller's rules, pure: when a silent node becomes Unknown, and what
that does to its pods.

A kubelet renews its Lease (kube-node-lease/<node>) every 10 s. When neither the Lease nor the
Ready condition has been renewed for the grace period (40 s upstream), the controller sets every
node condition to ``Unknown`` (reason ``NodeStatusUnknown``, "Kubelet stopped posting node
status."), adds the ``node.kubernetes.io/unreachable`` taints, and marks the node's pods not
Ready — which takes their endpoints out of ready. A node whose kubelet reports Ready=False gets
the ``node.kubernetes.io/not-ready`` taints and the same treatment of its pods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.controllers import objects

NODE_MONITOR_GRACE_SECONDS = 40.0
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
NOT_READY_TAINT = "node.kubernetes.io/not-ready"


@dataclass(frozen=True, slots=True)
class NodeVerdict:
    ready: str  # "True" | "False" | "Unknown"
    mark_unknown: bool  # the controller must rewrite the conditions to Unknown
    taints: tuple[dict[str, str], ...]
    pods_not_ready: bool


def judge_node(
    node: Mapping[str, Any], *, lease_renewed_at: float | None, now: float
) -> NodeVerdict:
    ready = objects.condition(node, "Ready") or {}
    state = str(ready.get("status", "Unknown"))
    silent = lease_renewed_at is None or now - lease_renewed_at > NODE_MONITOR_GRACE_SECONDS
    mark_unknown = silent and state != "Unknown"
    if silent:
        state = "Unknown"
    if state == "True":
        return NodeVerdict("True", False, (), False)
    key = UNREACHABLE_TAINT if state == "Unknown" else NOT_READY_TAINT
    taints = tuple({"key": key, "effect": effect} for effect in ("NoSchedule", "NoExecute"))
    return NodeVerdict(state, mark_unknown, taints, True)


def unknown_conditions(node: Mapping[str, Any], *, now: str) -> list[dict[str, Any]]:
    """The node's conditions as the controller rewrites them when the kubelet went silent."""
    rewritten = []
    for entry in objects.status(node).get("conditions") or ():
        rewritten.append(
            {
                **entry,
                "status": "Unknown",
                "reason": "NodeStatusUnknown",
                "message": "Kubelet stopped posting node status.",
                "lastTransitionTime": now,
            }
        )
    return rewritten


def pod_not_ready_conditions(pod: Mapping[str, Any], *, now: str) -> list[dict[str, Any]]:
    """The pod's conditions with Ready (and ContainersReady) set False, as MarkPodsNotReady does."""
    changed = []
    for entry in objects.status(pod).get("conditions") or ():
        if entry.get("type") == "Ready" and entry.get("status") != "False":
            entry = {**entry, "status": "False", "lastTransitionTime": now}
        changed.append(entry)
    return changed
