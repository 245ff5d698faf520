"""The StatefulSet controller's decision, as a pure function of the set, its pods, its claims and
the time (upstream's stateful_set_control.go, one step at a time).

In order, as upstream does it:

1. Replicas, lowest ordinal first: a missing pod is created (its claims first, those not yet
   there); a Failed or Succeeded pod is deleted to be made again. Under ``OrderedReady`` (the
   default) the step stops at the first pod it created or deleted and at any pod that is not
   yet Running and Ready or is terminating: the next ordinal waits for the previous one.
2. Condemned pods (ordinals past ``replicas``), highest ordinal first; under ``OrderedReady`` one
   at a time, each waiting until the one above is gone.
3. ``RollingUpdate``: from the highest ordinal down to ``partition``, the first pod of an old
   revision is deleted (it comes back from the new template in step 1); it waits while any pod
   on the way is not healthy. ``Parallel`` lifts the waiting of steps 1 and 2 only.

Revisions are ``<set>-<template hash>`` names kept in the ``controller-revision-hash`` label and
in status; no ControllerRevision objects are written (``kubectl rollout undo`` has nothing to
undo to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers import statefulset_identity as identity
from localnlb.cluster.controllers.objects import KubeObject
from localnlb.cluster.controllers.replicaset import is_available, owned_pods, ready_since


@dataclass(slots=True)
class StatefulSetPlan:
    create_claims: list[KubeObject] = field(default_factory=list)
    create_pods: list[KubeObject] = field(default_factory=list)
    delete_pods: list[str] = field(default_factory=list)
    status: KubeObject = field(default_factory=dict)


def _running_and_ready(pod: Mapping[str, Any]) -> bool:
    return objects.status(pod).get("phase") == "Running" and ready_since(pod) is not None


def _finished(pod: Mapping[str, Any]) -> bool:
    return objects.status(pod).get("phase") in ("Succeeded", "Failed")


def _healthy(pod: Mapping[str, Any]) -> bool:
    return _running_and_ready(pod) and not objects.is_terminating(pod)


def _missing_claims(
    stateful_set: Mapping[str, Any], ordinal: int, claim_names: set[str]
) -> list[KubeObject]:
    wanted = [
        identity.new_claim(stateful_set, t, ordinal) for t in identity.claim_templates(stateful_set)
    ]
    return [c for c in wanted if objects.name_of(c) not in claim_names]


def _by_ordinal(
    stateful_set: Mapping[str, Any], pods: Sequence[Mapping[str, Any]]
) -> dict[int, Mapping[str, Any]]:
    found = {}
    for pod in owned_pods(stateful_set, pods):
        ordinal = identity.ordinal_of(stateful_set, pod)
        if ordinal is not None:
            found[ordinal] = pod
    return found


def plan_stateful_set(
    stateful_set: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    claims: Sequence[Mapping[str, Any]],
    *,
    now: float,
) -> StatefulSetPlan:
    spec = objects.spec(stateful_set)
    ordered = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
    by_ordinal = _by_ordinal(stateful_set, pods)
    claim_names = {objects.name_of(c) for c in claims}
    wanted = identity.ordinals(stateful_set)
    plan = StatefulSetPlan()
    halted = False
    for ordinal in wanted:
        pod = by_ordinal.get(ordinal)
        new_claims = _missing_claims(stateful_set, ordinal, claim_names)
        plan.create_claims += new_claims
        claim_names |= {objects.name_of(c) for c in new_claims}
        if pod is None:
            plan.create_pods.append(identity.new_pod(stateful_set, ordinal))
            halted = ordered
        elif _finished(pod) and not objects.is_terminating(pod):
            plan.delete_pods.append(objects.name_of(pod))
            halted = ordered
        elif not _healthy(pod):
            halted = ordered
        if halted:
            break
    if not halted:
        halted = _condemn(stateful_set, by_ordinal, wanted, ordered, plan)
    if not halted and not plan.delete_pods:
        _roll(stateful_set, by_ordinal, wanted, plan)
    plan.status = _status(stateful_set, by_ordinal, now)
    return plan


def _condemn(
    stateful_set: Mapping[str, Any],
    by_ordinal: Mapping[int, Mapping[str, Any]],
    wanted: range,
    ordered: bool,
    plan: StatefulSetPlan,
) -> bool:
    """Step 2; True when an ordered scale-down must wait for this step."""
    for ordinal in sorted((o for o in by_ordinal if o not in wanted), reverse=True):
        pod = by_ordinal[ordinal]
        if not objects.is_terminating(pod):
            plan.delete_pods.append(objects.name_of(pod))
        if ordered:
            return True
    return False


def _roll(
    stateful_set: Mapping[str, Any],
    by_ordinal: Mapping[int, Mapping[str, Any]],
    wanted: range,
    plan: StatefulSetPlan,
) -> None:
    strategy = objects.spec(stateful_set).get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return
    partition = int((strategy.get("rollingUpdate") or {}).get("partition", 0))
    revision = identity.update_revision(stateful_set)
    for ordinal in reversed(wanted):
        if ordinal < wanted.start + partition:
            return
        pod = by_ordinal.get(ordinal)
        if pod is None:
            return
        if identity.revision_of(pod) != revision and not objects.is_terminating(pod):
            plan.delete_pods.append(objects.name_of(pod))
            return
        if not _healthy(pod):
            return


def _status(
    stateful_set: Mapping[str, Any], by_ordinal: Mapping[int, Mapping[str, Any]], now: float
) -> KubeObject:
    spec = objects.spec(stateful_set)
    min_ready = int(spec.get("minReadySeconds", 0))
    update = identity.update_revision(stateful_set)
    current = str(objects.status(stateful_set).get("currentRevision") or update)
    pods = list(by_ordinal.values())
    live = [p for p in pods if not objects.is_terminating(p)]
    ready = sum(1 for p in pods if _running_and_ready(p))
    updated = sum(1 for p in live if identity.revision_of(p) == update)
    replicas = int(spec.get("replicas", 1))
    if updated == replicas == len(pods) == ready:
        current = update  # the rollout is complete
    return {
        "observedGeneration": objects.meta(stateful_set).get("generation", 1),
        "replicas": len(pods),
        "readyReplicas": ready,
        "currentReplicas": sum(1 for p in live if identity.revision_of(p) == current),
        "updatedReplicas": updated,
        "availableReplicas": sum(
            1 for p in pods if _running_and_ready(p) and is_available(p, min_ready, now)
        ),
        "currentRevision": current,
        "updateRevision": update,
        "collisionCount": int(objects.status(stateful_set).get("collisionCount", 0)),
    }
