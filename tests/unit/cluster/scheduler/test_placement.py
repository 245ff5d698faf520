"""Scheduling: spread over zones and nodes, and every filter with upstream's reason text."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.scheduler.placement import place_pod
from tests.unit.cluster.builders import make_node, make_pod

THREE_NODES = [
    make_node("node-a", "us-west-2a"),
    make_node("node-b", "us-west-2b"),
    make_node("node-c", "us-west-2c"),
]


def unbound(name: str, **kwargs: Any) -> dict[str, Any]:
    return make_pod(name, node=None, ip=None, owner_uid="rs-1", **kwargs)


def test_three_replicas_spread_over_three_zones() -> None:
    bound: list[dict[str, Any]] = []
    for index in range(3):
        pod = unbound(f"ui-{index}")
        placement = place_pod(pod, THREE_NODES, bound)
        assert placement.node_name is not None
        pod["spec"]["nodeName"] = placement.node_name
        bound.append(pod)
    assert sorted(p["spec"]["nodeName"] for p in bound) == ["node-a", "node-b", "node-c"]


def test_spreads_by_own_owner_not_by_strangers() -> None:
    strangers = [make_pod(f"s{i}", node="node-a", owner_uid="other") for i in range(5)]
    sibling = make_pod("sib", node="node-b", owner_uid="rs-1")
    placement = place_pod(unbound("new"), THREE_NODES, [*strangers, sibling])
    assert placement.node_name == "node-c"


@pytest.mark.parametrize(
    ("node", "reason"),
    [
        (make_node("n", "us-west-2a", ready=False), "1 node(s) were not ready"),
        (make_node("n", "us-west-2a", unschedulable=True), "1 node(s) were unschedulable"),
        (
            make_node(
                "n", "us-west-2a", taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}]
            ),
            "1 node(s) had untolerated taint {k: v}",
        ),
        (
            make_node("n", "us-west-2a", allocatable={"cpu": "100m", "memory": "8Gi", "pods": "9"}),
            "1 Insufficient cpu",
        ),
        (
            make_node("n", "us-west-2a", allocatable={"cpu": "2", "memory": "1Gi", "pods": "9"}),
            "1 Insufficient memory",
        ),
        (
            make_node("n", "us-west-2a", allocatable={"cpu": "2", "memory": "8Gi", "pods": "0"}),
            "1 Too many pods",
        ),
    ],
)
def test_filters_report_upstream_reasons(node: dict[str, Any], reason: str) -> None:
    pod = unbound("p", requests={"cpu": "250m", "memory": "1.5Gi"})
    placement = place_pod(pod, [node], [])
    assert placement.node_name is None
    assert placement.message == f"0/1 nodes are available: {reason}."


def test_tolerations_node_selector_and_affinity() -> None:
    tainted = make_node(
        "tainted", "us-west-2a", taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    )
    labelled = make_node("fargate", "us-west-2b", labels={"compute": "fargate"})
    pod = unbound("p")
    pod["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    assert place_pod(pod, [tainted], []).node_name == "tainted"
    pod["spec"]["nodeSelector"] = {"compute": "fargate"}
    assert place_pod(pod, [tainted, labelled], []).node_name == "fargate"
    affine = unbound("q")
    affine["spec"]["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "topology.kubernetes.io/zone",
                                "operator": "In",
                                "values": ["us-west-2c"],
                            }
                        ]
                    }
                ]
            }
        }
    }
    assert place_pod(affine, THREE_NODES, []).node_name == "node-c"
    rejected = place_pod(affine, THREE_NODES[:2], [])
    assert rejected.message == (
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."
    )


def test_finished_pods_free_their_room() -> None:
    node = make_node("n", "us-west-2a", allocatable={"cpu": "2", "memory": "8Gi", "pods": "1"})
    finished = make_pod("done", node="n", phase="Succeeded")
    assert place_pod(unbound("p"), [node], [finished]).node_name == "n"
