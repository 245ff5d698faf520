"""The DaemonSet planner: eligibility by taints and tolerations, and the rolling-update budget."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.controllers.daemonset import (
    REVISION_HASH_LABEL,
    daemon_pod,
    plan_daemon_set,
    should_run,
    template_hash,
)

pytestmark = pytest.mark.timeout(10)
NOW = 1_780_000_000.0


def daemon_set(max_unavailable: Any = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default", "uid": "ds", "generation": 2},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "c", "image": "agnhost:2.0"}]},
            },
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": max_unavailable},
            },
        },
    }


def node(name: str, *taints: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {}}, "spec": {"taints": list(taints)}}


def running_pod(name: str, node_name: str, revision: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {"app": "agent", REVISION_HASH_LABEL: revision},
            "ownerReferences": [{"uid": "ds", "controller": True}],
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {"nodeName": node_name},
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}
            ],
        },
    }


def test_daemon_tolerations_cover_cordoned_and_not_ready_nodes_but_not_others() -> None:
    ds = daemon_set()
    assert should_run(
        ds, node("n", {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
    )
    assert should_run(ds, node("n", {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}))
    assert not should_run(
        ds, node("n", {"key": "dedicated", "value": "db", "effect": "NoSchedule"})
    )
    assert should_run(ds, node("n", {"key": "x", "effect": "PreferNoSchedule"}))
    pod = daemon_pod(ds, "n1")
    assert pod["spec"]["nodeName"] == "n1"
    assert pod["metadata"]["labels"]["pod-template-generation"] == "2"


@pytest.mark.parametrize(("max_unavailable", "replaced"), [(1, 1), (2, 2), ("50%", 2)])
def test_a_rolling_update_replaces_at_most_max_unavailable_pods_at_once(
    max_unavailable: Any, replaced: int
) -> None:
    ds = daemon_set(max_unavailable)
    nodes = [node(f"n{i}") for i in range(3)]
    old = [running_pod(f"p{i}", f"n{i}", "old") for i in range(3)]
    plan = plan_daemon_set(ds, nodes, old, now=NOW)
    assert len(plan.delete) == replaced
    assert plan.create == ()
    assert plan.status["updatedNumberScheduled"] == 0
    fresh = [running_pod("p0", "n0", template_hash(ds)), *old[1:]]
    assert plan_daemon_set(ds, nodes, fresh, now=NOW).status["updatedNumberScheduled"] == 1


def test_missing_nodes_get_pods_and_failed_pods_are_replaced() -> None:
    ds = daemon_set()
    failed = running_pod("p0", "n0", template_hash(ds))
    failed["status"] = {"phase": "Failed"}
    plan = plan_daemon_set(ds, [node("n0"), node("n1")], [failed], now=NOW)
    assert plan.create == ("n1",)
    assert plan.delete == ("p0",)
    assert [e.reason for e in plan.events] == ["FailedDaemonPod"]
