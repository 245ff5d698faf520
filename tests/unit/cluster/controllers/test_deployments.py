"""Deployment decisions, checked by simulating the controllers together step by step.

A tiny in-memory world runs the Deployment and ReplicaSet decisions and a stand-in kubelet that
makes new pods Ready at once; the tests assert upstream's guarantees at *every* step of a
rollout (never more than replicas + maxSurge pods, never fewer than replicas - maxUnavailable
available) and the conditions kubectl reads at the end.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from localnlb.cluster.controllers import objects
from localnlb.cluster.controllers.deployment import (
    REVISION,
    plan_deployment,
    surge_and_unavailable,
)
from localnlb.cluster.controllers.podtemplates import pod_from_template
from localnlb.cluster.controllers.replicaset import plan_replica_set

NOW = 1_800_000_000.0


def make_deployment(replicas: int, image: str = "ui:1", **strategy: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": "ui"}},
        "template": {
            "metadata": {"labels": {"app": "ui"}},
            "spec": {"containers": [{"name": "ui", "image": image}]},
        },
    }
    if strategy:
        spec["strategy"] = strategy
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ui", "namespace": "ui", "uid": "dep-1", "generation": 1},
        "spec": spec,
    }


class World:
    def __init__(self, deployment: dict[str, Any]) -> None:
        self.deployment = deployment
        self.replica_sets: list[dict[str, Any]] = []
        self.pods: list[dict[str, Any]] = []
        self._names = itertools.count()
        self.history: list[tuple[int, int]] = []  # (total pods, available pods) per step

    def step(self) -> bool:
        """One round of every controller; returns whether anything changed."""
        changed = self._kubelet_marks_new_pods_ready()
        plan = plan_deployment(self.deployment, self.replica_sets, self.pods, now=NOW)
        if plan.create_replica_set is not None:
            rs = plan.create_replica_set
            rs["metadata"]["uid"] = f"rs-{next(self._names)}"
            rs["metadata"]["creationTimestamp"] = f"2026-11-26T10:00:{len(self.replica_sets):02}Z"
            self.replica_sets.append(rs)
            changed = True
        for rs in self.replica_sets:
            if objects.name_of(rs) in plan.scale:
                rs["spec"]["replicas"] = plan.scale[objects.name_of(rs)]
                changed = True
            for name, value in plan.annotate.get(objects.name_of(rs), {}).items():
                rs["metadata"].setdefault("annotations", {})[name] = value
        self.replica_sets = [
            rs for rs in self.replica_sets if objects.name_of(rs) not in plan.delete_replica_sets
        ]
        self.deployment["status"] = plan.status
        self.deployment["metadata"].setdefault("annotations", {}).update(
            plan.deployment_annotations
        )
        for rs in self.replica_sets:
            rs_plan = plan_replica_set(rs, self.pods, now=NOW)
            for _ in range(rs_plan.create):
                pod = pod_from_template(rs)
                pod["metadata"]["name"] = f"pod-{next(self._names)}"
                pod["metadata"]["uid"] = pod["metadata"]["name"]
                pod["status"] = {  # the stand-in kubelet: Ready at once
                    "phase": "Running",
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "lastTransitionTime": "2026-11-26T10:00:00Z",
                        }
                    ],
                }
                self.pods.append(pod)
                changed = True
            if rs_plan.delete:
                self.pods = [p for p in self.pods if objects.name_of(p) not in rs_plan.delete]
                changed = True
            rs["status"] = plan_replica_set(rs, self.pods, now=NOW).status
        available = sum(1 for p in self.pods if objects.condition_true(p, "Ready"))
        self.history.append((len(self.pods), available))
        return changed

    def _kubelet_marks_new_pods_ready(self) -> bool:
        """The stand-in kubelet: a pod created in one round is Ready by the next."""
        started = False
        for pod in self.pods:
            if not objects.condition_true(pod, "Ready"):
                pod["status"] = {
                    "phase": "Running",
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "lastTransitionTime": "2026-11-26T10:00:00Z",
                        }
                    ],
                }
                started = True
        return started

    def settle(self, limit: int = 50) -> None:
        for _ in range(limit):
            if not self.step():
                self.step()  # one more round so that status reflects the last change
                return
        raise AssertionError("the controllers did not settle")

    def images(self) -> list[str]:
        return sorted(p["spec"]["containers"][0]["image"] for p in self.pods)


def condition(deployment: dict[str, Any], kind: str) -> dict[str, Any]:
    found = objects.condition(deployment, kind)
    assert found is not None
    return found


def test_first_rollout_creates_a_hashed_replica_set_and_becomes_available() -> None:
    world = World(make_deployment(3))
    world.settle()
    [rs] = world.replica_sets
    assert objects.name_of(rs).startswith("ui-")
    assert rs["metadata"]["labels"]["pod-template-hash"] == objects.name_of(rs)[3:]
    assert rs["metadata"]["annotations"][REVISION] == "1"
    assert len(world.pods) == 3
    status = world.deployment["status"]
    assert status["replicas"] == status["updatedReplicas"] == status["availableReplicas"] == 3
    assert condition(world.deployment, "Available")["reason"] == "MinimumReplicasAvailable"
    progressing = condition(world.deployment, "Progressing")
    assert progressing["reason"] == "NewReplicaSetAvailable"
    assert (
        progressing["message"] == f'ReplicaSet "{objects.name_of(rs)}" has successfully progressed.'
    )


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable"),
    [(3, "25%", "25%"), (4, 1, 0), (4, 0, 1), (10, "50%", "20%"), (1, 0, 0)],
)
def test_rolling_update_respects_surge_and_unavailability_at_every_step(
    replicas: int, surge: int | str, unavailable: int | str
) -> None:
    strategy = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
    }
    world = World(make_deployment(replicas, "ui:1", **strategy))
    world.settle()
    world.deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "ui:2"
    world.deployment["metadata"]["generation"] = 2
    max_surge, max_unavailable = surge_and_unavailable(world.deployment)
    world.history.clear()
    world.settle()
    for total, available in world.history:
        assert total <= replicas + max_surge
        assert available >= replicas - max_unavailable
    assert world.images() == ["ui:2"] * replicas
    assert world.deployment["metadata"]["annotations"][REVISION] == "2"
    old = [rs for rs in world.replica_sets if rs["spec"]["replicas"] == 0]
    assert len(old) == 1


def test_scaling_changes_only_the_current_replica_set() -> None:
    world = World(make_deployment(1))
    world.settle()
    world.deployment["spec"]["replicas"] = 3
    world.settle()
    assert len(world.pods) == 3
    world.deployment["spec"]["replicas"] = 2
    world.settle()
    assert len(world.pods) == 2
    assert len(world.replica_sets) == 1


def test_recreate_stops_old_pods_before_starting_new_ones() -> None:
    world = World(make_deployment(2, "ui:1", type="Recreate"))
    world.settle()
    world.deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "ui:2"
    world.settle()
    assert world.images() == ["ui:2", "ui:2"]


def test_history_beyond_the_limit_is_dropped() -> None:
    world = World(make_deployment(1))
    world.deployment["spec"]["revisionHistoryLimit"] = 1
    for version in range(2, 5):
        world.deployment["spec"]["template"]["spec"]["containers"][0]["image"] = f"ui:{version}"
        world.settle()
    assert len(world.replica_sets) == 2  # the live one and one old revision


def test_unavailable_deployment_reports_minimum_replicas_unavailable() -> None:
    deployment = make_deployment(2)
    plan = plan_deployment(deployment, [], [], now=NOW)
    assert plan.create_replica_set is not None
    assert plan.create_replica_set["spec"]["replicas"] == 2
    available = next(c for c in plan.status["conditions"] if c["type"] == "Available")
    assert (available["status"], available["reason"]) == ("False", "MinimumReplicasUnavailable")
    progressing = next(c for c in plan.status["conditions"] if c["type"] == "Progressing")
    assert progressing["reason"] == "NewReplicaSetCreated"
