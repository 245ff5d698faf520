"""The Deployment controller's decision: rolling updates and recreates, as a pure function.

Given a Deployment, the ReplicaSets it owns and their pods, :func:`plan_deployment` says which
ReplicaSet to create (``<deployment>-<pod-template-hash>``), which to scale and to what, which
old ones to drop beyond ``revisionHistoryLimit``, and the Deployment's status with the
conditions ``kubectl rollout status`` and ``kubectl wait --for=condition=available`` read.

Rolling update follows upstream's two steps per sync: first scale the new ReplicaSet up within
``replicas + maxSurge`` (surge rounds up); only when nothing was scaled up, scale old ones down
while keeping ``replicas - maxUnavailable`` pods available (unavailable rounds down; both zero
means one may be unavailable), unhealthy old replicas first, oldest sets first. Proportional
scaling of several live sets during a rollout is simplified: the new set absorbs the change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects, podtemplates
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.replicaset import is_active, owned_pods, parse_time
from localnlb.common.clock import rfc3339

REVISION = "deployment.kubernetes.io/revision"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"


@dataclass(frozen=True, slots=True)
class DeploymentPlan:
    create_replica_set: KubeObject | None = None
    scale: dict[str, int] = field(default_factory=dict)  # replica set name → spec.replicas
    annotate: dict[str, dict[str, str]] = field(default_factory=dict)  # rs name → annotations
    delete_replica_sets: tuple[str, ...] = ()
    deployment_annotations: dict[str, str] = field(default_factory=dict)
    status: KubeObject = field(default_factory=dict)


def _int_or_percent(value: Any, total: int, *, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        fraction = total * int(value[:-1]) / 100
        return math.ceil(fraction) if round_up else math.floor(fraction)
    return int(value)


def surge_and_unavailable(deployment: Mapping[str, Any]) -> tuple[int, int]:
    replicas = int(objects.spec(deployment).get("replicas", 1))
    strategy = objects.spec(deployment).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0, replicas
    rolling = strategy.get("rollingUpdate") or {}
    surge = _int_or_percent(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    unavailable = _int_or_percent(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _replicas(rs: Mapping[str, Any]) -> int:
    return int(objects.spec(rs).get("replicas", 0))


def _available(rs: Mapping[str, Any]) -> int:
    return int(objects.status(rs).get("availableReplicas", 0))


def _revision(rs: Mapping[str, Any]) -> int:
    return int((objects.meta(rs).get("annotations") or {}).get(REVISION, "0"))


def _created(rs: Mapping[str, Any]) -> float:
    return parse_time(objects.meta(rs).get("creationTimestamp")) or 0.0


def _new_replica_set(deployment: Mapping[str, Any], template_hash: str) -> KubeObject:
    template = podtemplates.template_without_hash(objects.spec(deployment).get("template") or {})
    template.setdefault("metadata", {}).setdefault("labels", {})[
        podtemplates.POD_TEMPLATE_HASH_LABEL
    ] = template_hash
    selector = dict(objects.spec(deployment).get("selector") or {})
    selector["matchLabels"] = {
        **(selector.get("matchLabels") or {}),
        podtemplates.POD_TEMPLATE_HASH_LABEL: template_hash,
    }
    owner = dict(deployment, apiVersion="apps/v1", kind="Deployment")
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{objects.name_of(deployment)}-{template_hash}",
            "namespace": objects.namespace_of(deployment),
            "labels": dict(template["metadata"]["labels"]),
            "ownerReferences": [objects.owner_reference(owner)],
        },
        "spec": {
            "replicas": 0,
            "minReadySeconds": objects.spec(deployment).get("minReadySeconds", 0),
            "selector": selector,
            "template": template,
        },
    }


def plan_deployment(
    deployment: Mapping[str, Any],
    replica_sets: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    *,
    now: float,
) -> DeploymentPlan:
    spec = objects.spec(deployment)
    replicas = int(spec.get("replicas", 1))
    template = spec.get("template") or {}
    owned = [
        rs for rs in replica_sets if objects.controller_owner_uid(rs) == objects.uid_of(deployment)
    ]
    new_rs = next(
        (
            rs
            for rs in owned
            if podtemplates.template_without_hash(objects.spec(rs).get("template") or {})
            == podtemplates.template_without_hash(template)
        ),
        None,
    )
    created: KubeObject | None = None
    if new_rs is None:
        collisions = int(objects.status(deployment).get("collisionCount", 0))
        created = _new_replica_set(deployment, podtemplates.pod_template_hash(template, collisions))
        new_rs = created
    old = sorted((rs for rs in owned if rs is not new_rs), key=_created)
    target = {objects.name_of(rs): _replicas(rs) for rs in [*old, new_rs]}
    new_name = objects.name_of(new_rs)
    surge, unavailable = surge_and_unavailable(deployment)
    paused = bool(spec.get("paused"))
    if not paused:
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            _recreate(target, old, new_name, replicas, pods)
        elif not _scale_new(target, new_name, replicas, surge):
            _scale_old(target, old, new_rs, replicas, unavailable)
    revision = max((_revision(rs) for rs in old), default=0)
    new_revision = _revision(new_rs) if _revision(new_rs) > revision else revision + 1
    annotations = {
        REVISION: str(new_revision),
        DESIRED_REPLICAS: str(replicas),
        MAX_REPLICAS: str(replicas + surge),
    }
    # A set being created is not among ``owned`` yet, so it never shows up as a scale.
    scale = {name: count for name, count in target.items() if _changed(name, count, owned)}
    if created is not None:
        created["spec"]["replicas"] = target[new_name]
        created["metadata"]["annotations"] = annotations
    annotate = {}
    current_annotations = objects.meta(new_rs).get("annotations") or {}
    if created is None and any(current_annotations.get(k) != v for k, v in annotations.items()):
        annotate[new_name] = annotations
    return DeploymentPlan(
        create_replica_set=created,
        scale=scale,
        annotate=annotate,
        delete_replica_sets=_history_to_drop(
            old, target, int(spec.get("revisionHistoryLimit", 10))
        ),
        deployment_annotations={REVISION: str(new_revision)},
        status=_status(
            deployment, [*old, new_rs], new_rs, pods, created is not None, unavailable, now
        ),
    )


def _changed(name: str, count: int, owned: Sequence[Mapping[str, Any]]) -> bool:
    return any(objects.name_of(rs) == name and _replicas(rs) != count for rs in owned)


def _scale_new(target: dict[str, int], new_name: str, replicas: int, surge: int) -> bool:
    current_new = target[new_name]
    if current_new > replicas:
        target[new_name] = replicas
        return True
    room = replicas + surge - sum(target.values())
    step = min(room, replicas - current_new)
    if step <= 0:
        return False
    target[new_name] = current_new + step
    return True


def _scale_old(
    target: dict[str, int],
    old: Sequence[Mapping[str, Any]],
    new_rs: Mapping[str, Any],
    replicas: int,
    unavailable: int,
) -> None:
    min_available = replicas - unavailable
    new_unavailable = target[objects.name_of(new_rs)] - _available(new_rs)
    budget = sum(target.values()) - min_available - new_unavailable
    for rs in old:  # unhealthy old replicas go first: removing them costs no availability
        unhealthy = max(target[objects.name_of(rs)] - _available(rs), 0)
        step = min(unhealthy, max(budget, 0))
        target[objects.name_of(rs)] -= step
        budget -= step
    available_budget = sum(_available(rs) for rs in [*old, new_rs]) - min_available
    for rs in old:
        name = objects.name_of(rs)
        step = min(target[name], max(available_budget, 0), max(budget, 0))
        target[name] -= step
        available_budget -= step
        budget -= step


def _recreate(
    target: dict[str, int],
    old: Sequence[Mapping[str, Any]],
    new_name: str,
    replicas: int,
    pods: Sequence[Mapping[str, Any]],
) -> None:
    for rs in old:
        target[objects.name_of(rs)] = 0
    old_pods_left = any(
        is_active(p) or objects.is_terminating(p) for rs in old for p in owned_pods(rs, pods)
    )
    if not old_pods_left:
        target[new_name] = replicas


def _history_to_drop(
    old: Sequence[Mapping[str, Any]], target: Mapping[str, int], limit: int
) -> tuple[str, ...]:
    idle = [
        objects.name_of(rs)
        for rs in old
        if target[objects.name_of(rs)] == 0 and int(objects.status(rs).get("replicas", 0)) == 0
    ]
    return tuple(idle[: max(len(idle) - limit, 0)])


def _status(
    deployment: Mapping[str, Any],
    replica_sets: Sequence[Mapping[str, Any]],
    new_rs: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    created: bool,
    max_unavailable: int,
    now: float,
) -> KubeObject:
    replicas = int(objects.spec(deployment).get("replicas", 1))
    counted = {
        key: sum(int(objects.status(rs).get(key, 0)) for rs in replica_sets)
        for key in ("replicas", "readyReplicas", "availableReplicas")
    }
    updated = int(objects.status(new_rs).get("replicas", 0))
    total_spec = sum(_replicas(rs) for rs in replica_sets)
    new_name = objects.name_of(new_rs)
    available_ok = counted["availableReplicas"] >= replicas - max_unavailable
    complete = (
        updated == replicas
        and counted["replicas"] == replicas
        and counted["availableReplicas"] == replicas
    )
    if created:
        progress = ("NewReplicaSetCreated", f'Created new replica set "{new_name}"')
    elif complete:
        progress = (
            "NewReplicaSetAvailable",
            f'ReplicaSet "{new_name}" has successfully progressed.',
        )
    else:
        progress = ("ReplicaSetUpdated", f'ReplicaSet "{new_name}" is progressing.')
    previous = {
        c.get("type"): c
        for c in objects.status(deployment).get("conditions") or ()
        if isinstance(c, dict)
    }
    stamp = rfc3339(now)

    def condition(kind: str, ok: bool, reason: str, message: str) -> KubeObject:
        state = "True" if ok else "False"
        before = previous.get(kind) or {}
        same = before.get("status") == state
        return {
            "type": kind,
            "status": state,
            "lastUpdateTime": before.get("lastUpdateTime", stamp)
            if same and before.get("reason") == reason
            else stamp,
            "lastTransitionTime": before.get("lastTransitionTime", stamp) if same else stamp,
            "reason": reason,
            "message": message,
        }

    status: KubeObject = {
        "observedGeneration": objects.meta(deployment).get("generation", 1),
        "replicas": counted["replicas"],
        "updatedReplicas": updated,
        "readyReplicas": counted["readyReplicas"],
        "availableReplicas": counted["availableReplicas"],
        "unavailableReplicas": max(total_spec - counted["availableReplicas"], 0),
        "conditions": [
            condition(
                "Available",
                available_ok,
                "MinimumReplicasAvailable" if available_ok else "MinimumReplicasUnavailable",
                "Deployment has minimum availability."
                if available_ok
                else "Deployment does not have minimum availability.",
            ),
            condition("Progressing", True, *progress),
        ],
    }
    if "collisionCount" in objects.status(deployment):
        status["collisionCount"] = objects.status(deployment)["collisionCount"]
    # Zero counts are omitted on the wire, as the real API server's omitempty does.
    return {k: v for k, v in status.items() if v != 0 or k in ("observedGeneration",)}
