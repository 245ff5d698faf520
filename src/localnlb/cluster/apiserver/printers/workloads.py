"""Table columns for pods, deployments and replicasets (kubectl's printPod, printDeployment,
printReplicaSet)."""

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
    or_none,
    selector_text,
)
from localnlb.cluster.apiserver.printers.pod_status import pod_status_reason, ready_and_restarts

JsonObject = dict[str, Any]


# -- pods ---------------------------------------------------------------------------------
def _readiness_gates(pod: JsonObject) -> str:
    gates = get(pod, "spec", "readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in get(pod, "status", "conditions") or []}
    ready = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{ready}/{len(gates)}"


def _restarts(pod: JsonObject, now: float) -> str:
    restarts, last = ready_and_restarts(pod)[2:]
    if restarts and last:
        return f"{restarts} ({human_duration(now - meta.parse_timestamp(last))} ago)"
    return str(restarts)


POD = [
    NAME,
    Column("Ready", lambda o, _n: "{}/{}".format(*ready_and_restarts(o)[:2])),
    Column("Status", lambda o, _n: pod_status_reason(o)),
    Column("Restarts", _restarts),
    AGE,
    Column("IP", lambda o, _n: or_none(get(o, "status", "podIP")), priority=1),
    Column("Node", lambda o, _n: or_none(get(o, "spec", "nodeName")), priority=1),
    Column(
        "Nominated Node", lambda o, _n: or_none(get(o, "status", "nominatedNodeName")), priority=1
    ),
    Column("Readiness Gates", lambda o, _n: _readiness_gates(o), priority=1),
]


DEPLOYMENT = [
    NAME,
    Column(
        "Ready",
        lambda o, _n: f"{get(o, 'status', 'readyReplicas') or 0}/{get(o, 'spec', 'replicas') or 0}",
    ),
    Column("Up-to-date", lambda o, _n: get(o, "status", "updatedReplicas") or 0, "integer"),
    Column("Available", lambda o, _n: get(o, "status", "availableReplicas") or 0, "integer"),
    AGE,
    Column("Containers", lambda o, _n: containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: containers_images(o)[1], priority=1),
    Column("Selector", lambda o, _n: selector_text(get(o, "spec", "selector")), priority=1),
]

REPLICASET = [
    NAME,
    Column("Desired", lambda o, _n: get(o, "spec", "replicas") or 0, "integer"),
    Column("Current", lambda o, _n: get(o, "status", "replicas") or 0, "integer"),
    Column("Ready", lambda o, _n: get(o, "status", "readyReplicas") or 0, "integer"),
    AGE,
    Column("Containers", lambda o, _n: containers_images(o)[0], priority=1),
    Column("Images", lambda o, _n: containers_images(o)[1], priority=1),
    Column("Selector", lambda o, _n: selector_text(get(o, "spec", "selector")), priority=1),
]
