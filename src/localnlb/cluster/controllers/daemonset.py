"""The DaemonSet controller's decision (kube-controller-manager's daemon controller), as a pure
function of the set, the nodes, its pods and the time.

A node should run the daemon pod when it matches the template's nodeSelector and required node
affinity and every NoSchedule/NoExecute taint is tolerated by the template's tolerations plus
the ones the controller adds to daemon pods (not-ready, unreachable, pressure, unschedulable: so
cordoned nodes keep their daemons, as upstream). Pods are bound to their node at creation.
Failed pods are replaced, extra pods and pods on nodes that should not run one are deleted, and
with updateStrategy RollingUpdate pods of an older template are replaced while at most
``maxUnavailable`` nodes lack an available daemon pod.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.podtemplates import pod_template_hash
from localnlb.cluster.controllers.replicaset import (
    is_available,
    owned_pods,
    parse_time,
    ready_since,
)
from localnlb.cluster.scheduler.placement import affinity_matches, tolerated

REVISION_HASH_LABEL = "controller-revision-hash"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")


@dataclass(frozen=True, slots=True)
class DaemonEvent:
    reason: str
    message: str
    warning: bool = False


@dataclass(frozen=True, slots=True)
class DaemonSetPlan:
    create: tuple[str, ...] = ()  # node names, one new pod each
    delete: tuple[str, ...] = ()  # pod names
    status: KubeObject = field(default_factory=dict)
    events: tuple[DaemonEvent, ...] = ()


def template_hash(daemon_set: Mapping[str, Any]) -> str:
    return pod_template_hash(objects.spec(daemon_set).get("template") or {})


def daemon_tolerations(template_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    tolerations = [dict(t) for t in template_spec.get("tolerations") or ()]
    for key, effect in _DAEMON_TOLERATIONS:
        if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": effect})
    return tolerations


def should_run(daemon_set: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    if objects.is_terminating(node):
        return False
    template_spec = (objects.spec(daemon_set).get("template") or {}).get("spec") or {}
    labels = objects.labels_of(node)
    selector = template_spec.get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    if not affinity_matches({"spec": template_spec}, labels):
        return False
    tolerations = daemon_tolerations(template_spec)
    return all(
        tolerated(taint, tolerations)
        for taint in objects.spec(node).get("taints") or ()
        if taint.get("effect") in _BLOCKING_EFFECTS
    )


def daemon_pod(daemon_set: Mapping[str, Any], node_name: str) -> KubeObject:
    """A new daemon pod for ``node_name``, bound to it (the API server names it)."""
    template = copy.deepcopy(objects.spec(daemon_set).get("template") or {})
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    labels[REVISION_HASH_LABEL] = template_hash(daemon_set)
    labels[TEMPLATE_GENERATION_LABEL] = str(objects.meta(daemon_set).get("generation", 1))
    metadata: KubeObject = {
        "generateName": f"{objects.name_of(daemon_set)}-",
        "namespace": objects.namespace_of(daemon_set),
        "labels": labels,
        "ownerReferences": [objects.owner_reference(daemon_set)],
    }
    if template_meta.get("annotations"):
        metadata["annotations"] = dict(template_meta["annotations"])
    spec = template.get("spec") or {}
    spec["tolerations"] = daemon_tolerations(spec)
    spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _max_unavailable(daemon_set: Mapping[str, Any], desired: int) -> int:
    rolling = (objects.spec(daemon_set).get("updateStrategy") or {}).get("rollingUpdate") or {}
    value = rolling.get("maxUnavailable", 1)
    if isinstance(value, str) and value.endswith("%"):
        return max(math.ceil(desired * int(value[:-1]) / 100), 1)
    return max(int(value), 1)


def _oldest_first(pods: Sequence[Mapping[str, Any]], current: str) -> list[Mapping[str, Any]]:
    def rank(pod: Mapping[str, Any]) -> tuple[bool, float]:
        created = parse_time(objects.meta(pod).get("creationTimestamp")) or 0.0
        return (objects.labels_of(pod).get(REVISION_HASH_LABEL) != current, created)

    return sorted(pods, key=rank)


def plan_daemon_set(
    daemon_set: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    *,
    now: float,
) -> DaemonSetPlan:
    current = template_hash(daemon_set)
    min_ready = int(objects.spec(daemon_set).get("minReadySeconds", 0))
    owned = [p for p in owned_pods(daemon_set, pods) if not objects.is_terminating(p)]
    create: list[str] = []
    delete: list[str] = []
    events: list[DaemonEvent] = []
    kept: dict[str, Mapping[str, Any]] = {}  # node -> its one daemon pod
    misscheduled = 0
    for node in nodes:
        node_name = objects.name_of(node)
        here = [p for p in owned if objects.spec(p).get("nodeName") == node_name]
        failed = [p for p in here if objects.status(p).get("phase") == "Failed"]
        for pod in failed:
            delete.append(objects.name_of(pod))
            events.append(
                DaemonEvent(
                    "FailedDaemonPod",
                    f"Found failed daemon pod {objects.namespace_of(pod)}/{objects.name_of(pod)}"
                    f" on node {node_name}, will try to kill it",
                    warning=True,
                )
            )
        live = _oldest_first([p for p in here if p not in failed], current)
        if not should_run(daemon_set, node):
            misscheduled += bool(live)
            delete += [objects.name_of(p) for p in live]
        elif not live:
            if not failed:
                create.append(node_name)
        else:
            kept[node_name] = live[0]
            delete += [objects.name_of(p) for p in live[1:]]
    desired = sum(1 for node in nodes if should_run(daemon_set, node))
    available = {n for n, p in kept.items() if is_available(p, min_ready, now)}
    strategy = (objects.spec(daemon_set).get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy == "RollingUpdate":
        budget = _max_unavailable(daemon_set, desired) - (desired - len(available))
        old = [
            n for n, p in kept.items() if objects.labels_of(p).get(REVISION_HASH_LABEL) != current
        ]
        for node_name in sorted(old, key=lambda n: n in available):
            if node_name in available:
                if budget <= 0:
                    continue
                budget -= 1
            delete.append(objects.name_of(kept[node_name]))
    status: KubeObject = {
        "currentNumberScheduled": len(kept),
        "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired,
        "numberReady": sum(1 for p in kept.values() if ready_since(p) is not None),
        "observedGeneration": objects.meta(daemon_set).get("generation", 1),
        "updatedNumberScheduled": sum(
            1 for p in kept.values() if objects.labels_of(p).get(REVISION_HASH_LABEL) == current
        ),
        "numberAvailable": len(available),
    }
    if desired - len(available) > 0:
        status["numberUnavailable"] = desired - len(available)
    if not status["numberAvailable"]:
        del status["numberAvailable"]
    return DaemonSetPlan(tuple(create), tuple(delete), status, tuple(events))
