"""Where a pod runs: the scheduler's filter and score, as a pure function.

Filters, in upstream's order and words (for the FailedScheduling event): the node is Ready and
schedulable (not cordoned), matches the pod's nodeSelector and required node affinity, has no
NoSchedule/NoExecute taint the pod does not tolerate, and has room for the pod's requests (cpu,
memory, pod count) within its allocatable. Among the nodes left, the pod goes where the fewest
pods of its own owner already run — first by zone, then by node — so replicas spread over AZs
as on EKS; ties go to the node with the fewest pods overall, then by name, so placement is
deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.quantity import parse_quantity

NO_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")


@dataclass(frozen=True, slots=True)
class Placement:
    node_name: str | None
    message: str  # for a failure: the FailedScheduling text, e.g. "0/3 nodes are available: …"


def _requests(pod: Mapping[str, Any]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {"cpu": Decimal(0), "memory": Decimal(0)}
    for container in objects.spec(pod).get("containers") or ():
        resources = container.get("resources") or {}
        wanted = resources.get("requests") or resources.get("limits") or {}
        for name in ("cpu", "memory"):
            if name in wanted:
                total[name] += parse_quantity(wanted[name])
    return total


def tolerated(taint: Mapping[str, Any], tolerations: Sequence[Mapping[str, Any]]) -> bool:
    for toleration in tolerations:
        effect = toleration.get("effect")
        if effect and effect != taint.get("effect"):
            continue
        operator = toleration.get("operator", "Equal")
        key = toleration.get("key")
        if operator == "Exists" and (not key or key == taint.get("key")):
            return True
        if key == taint.get("key") and toleration.get("value", "") == taint.get("value", ""):
            return True
    return False


def affinity_matches(pod: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    affinity = (objects.spec(pod).get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    return any(
        all(objects.expression_matches(e, labels) for e in term.get("matchExpressions") or ())
        for term in terms
    )


def _rejection(
    pod: Mapping[str, Any], node: Mapping[str, Any], pods_on_node: Sequence[Mapping[str, Any]]
) -> str | None:
    """Why ``node`` cannot take ``pod`` (upstream's reason text), or None when it can."""
    if not objects.condition_true(node, "Ready"):
        return "node(s) were not ready"
    if objects.spec(node).get("unschedulable"):
        return "node(s) were unschedulable"
    labels = objects.labels_of(node)
    selector = objects.spec(pod).get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()) or not affinity_matches(pod, labels):
        return "node(s) didn't match Pod's node affinity/selector"
    tolerations = objects.spec(pod).get("tolerations") or []
    for taint in objects.spec(node).get("taints") or ():
        if taint.get("effect") in NO_SCHEDULE_EFFECTS and not tolerated(taint, tolerations):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
    allocatable = objects.status(node).get("allocatable") or {}
    if "pods" in allocatable and len(pods_on_node) + 1 > parse_quantity(allocatable["pods"]):
        return "Too many pods"
    wanted = _requests(pod)
    for name, label in (("cpu", "Insufficient cpu"), ("memory", "Insufficient memory")):
        if name not in allocatable or not wanted[name]:
            continue
        used = sum((_requests(p)[name] for p in pods_on_node), Decimal(0))
        if used + wanted[name] > parse_quantity(allocatable[name]):
            return label
    return None


def place_pod(
    pod: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
) -> Placement:
    """Choose a node for ``pod`` given all nodes and the pods already bound to nodes."""
    by_node: dict[str, list[Mapping[str, Any]]] = {}
    for other in pods:
        node_name = objects.spec(other).get("nodeName")
        if node_name and objects.status(other).get("phase") not in ("Succeeded", "Failed"):
            by_node.setdefault(node_name, []).append(other)
    reasons: Counter[str] = Counter()
    feasible = []
    for node in nodes:
        reason = _rejection(pod, node, by_node.get(objects.name_of(node), []))
        if reason is None:
            feasible.append(node)
        else:
            reasons[reason] += 1
    if not feasible:
        detail = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        suffix = f" {detail}." if detail else ""
        return Placement(None, f"0/{len(nodes)} nodes are available:{suffix}")
    owner = objects.controller_owner_uid(pod)
    siblings_by_node = {
        name: sum(1 for p in on_node if owner and objects.controller_owner_uid(p) == owner)
        for name, on_node in by_node.items()
    }
    siblings_by_zone: Counter[str] = Counter()
    for node in nodes:
        zone = objects.labels_of(node).get(objects.ZONE_LABEL, "")
        siblings_by_zone[zone] += siblings_by_node.get(objects.name_of(node), 0)

    def score(node: Mapping[str, Any]) -> tuple[int, int, int, str]:
        name = objects.name_of(node)
        zone = objects.labels_of(node).get(objects.ZONE_LABEL, "")
        return (
            siblings_by_zone[zone],
            siblings_by_node.get(name, 0),
            len(by_node.get(name, [])),
            name,
        )

    chosen = min(feasible, key=score)
    return Placement(objects.name_of(chosen), "")
