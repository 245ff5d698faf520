"""Nodes look like EKS's, and silent or NotReady nodes take their pods out of service."""

from __future__ import annotations

from localnlb.cluster.controllers import objects
from localnlb.cluster.nodes.lifecycle import (
    judge_node,
    pod_not_ready_conditions,
    unknown_conditions,
)
from localnlb.cluster.nodes.objects import NodeIdentity, build_node
from tests.unit.cluster.builders import make_pod

NOW = "2026-11-26T10:00:00Z"
IDENTITY = NodeIdentity(
    instance_id="i-03d705cd2404b089d",
    private_ip="127.42.0.10",
    zone="us-west-2a",
    zone_id="usw2-az1",
    region="us-west-2",
)


def test_managed_node_has_eks_name_labels_provider_id_and_address() -> None:
    node = build_node(IDENTITY, now=NOW)
    assert objects.name_of(node) == "ip-127-42-0-10.us-west-2.compute.internal"
    assert node["spec"]["providerID"] == "aws:///us-west-2a/i-03d705cd2404b089d"
    labels = objects.labels_of(node)
    assert labels["topology.kubernetes.io/zone"] == "us-west-2a"
    assert labels["topology.kubernetes.io/region"] == "us-west-2"
    assert labels["node.kubernetes.io/instance-type"] == "m5.large"
    assert labels["eks.amazonaws.com/nodegroup"] == "default"
    assert labels["kubernetes.io/hostname"] == objects.name_of(node)
    assert {"type": "InternalIP", "address": "127.42.0.10"} in node["status"]["addresses"]
    assert objects.condition_true(node, "Ready")
    assert "taints" not in node["spec"]


def test_fargate_node_is_tainted_and_labelled() -> None:
    fargate = NodeIdentity(
        "i-0abc", "127.42.1.5", "us-west-2a", "usw2-az1", "us-west-2", fargate=True
    )
    node = build_node(fargate, now=NOW)
    assert objects.name_of(node).startswith("fargate-ip-127-42-1-5.")
    assert objects.labels_of(node)["eks.amazonaws.com/compute-type"] == "fargate"
    assert "eks.amazonaws.com/nodegroup" not in objects.labels_of(node)
    assert node["spec"]["taints"][0]["effect"] == "NoSchedule"


def test_a_renewing_ready_node_is_left_alone() -> None:
    verdict = judge_node(build_node(IDENTITY, now=NOW), lease_renewed_at=100.0, now=130.0)
    assert (verdict.ready, verdict.mark_unknown, verdict.taints, verdict.pods_not_ready) == (
        "True",
        False,
        (),
        False,
    )


def test_a_silent_node_goes_unknown_tainted_unreachable_and_its_pods_not_ready() -> None:
    node = build_node(IDENTITY, now=NOW)
    verdict = judge_node(node, lease_renewed_at=100.0, now=141.0)
    assert verdict.ready == "Unknown"
    assert verdict.mark_unknown
    assert {t["key"] for t in verdict.taints} == {"node.kubernetes.io/unreachable"}
    assert verdict.pods_not_ready
    rewritten = unknown_conditions(node, now=NOW)
    assert {c["status"] for c in rewritten} == {"Unknown"}
    assert {c["message"] for c in rewritten} == {"Kubelet stopped posting node status."}
    node["status"]["conditions"] = rewritten
    again = judge_node(node, lease_renewed_at=100.0, now=200.0)
    assert not again.mark_unknown  # already rewritten: nothing more to write


def test_a_not_ready_node_is_tainted_not_ready() -> None:
    node = build_node(IDENTITY, now=NOW)
    node["status"]["conditions"][-1]["status"] = "False"
    verdict = judge_node(node, lease_renewed_at=100.0, now=101.0)
    assert verdict.ready == "False"
    assert {t["key"] for t in verdict.taints} == {"node.kubernetes.io/not-ready"}


def test_marking_pods_not_ready_flips_only_ready() -> None:
    pod = make_pod("p")
    pod["status"]["conditions"].append({"type": "PodScheduled", "status": "True"})
    conditions = pod_not_ready_conditions(pod, now=NOW)
    assert {c["type"]: c["status"] for c in conditions} == {
        "Ready": "False",
        "PodScheduled": "True",
    }
