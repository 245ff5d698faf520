"""Fargate profiles: which pods they select, their command-line form, the one-pod node."""

from __future__ import annotations

import pytest

from localnlb.cluster.nodes.fargate import FargateProfile, fargate_identity, profile_for
from localnlb.cluster.nodes.objects import build_node
from localnlb.common.addressing import build_address_plan
from tests.unit.cluster.builders import make_pod


def test_profiles_select_by_namespace_and_labels() -> None:
    everything = FargateProfile.parse("fargate")
    labelled = FargateProfile.parse("ui:app=ui,tier=web")
    assert labelled.labels == {"app": "ui", "tier": "web"}
    assert everything.selects(make_pod("p", namespace="fargate"))
    assert not everything.selects(make_pod("p", namespace="ui"))
    assert labelled.selects(make_pod("p", labels={"app": "ui", "tier": "web", "x": "y"}))
    assert not labelled.selects(make_pod("p", labels={"app": "ui"}))
    assert profile_for(make_pod("p", namespace="fargate"), (labelled, everything)) is everything


@pytest.mark.parametrize("text", ["", ":app=ui", "ui:app", "ui:=x"])
def test_malformed_profiles_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"profile|key=value"):
        FargateProfile.parse(text)


def test_a_fargate_node_is_named_after_its_pod_and_kept_to_itself() -> None:
    subnet = build_address_plan(vpc_octet=42).subnets[1]
    identity = fargate_identity(pod_ip="127.42.17.9", subnet=subnet, region="us-west-2")
    node = build_node(identity, now="2026-11-26T10:00:00Z")
    assert node["metadata"]["name"] == "fargate-ip-127-42-17-9.us-west-2.compute.internal"
    assert node["metadata"]["labels"]["eks.amazonaws.com/compute-type"] == "fargate"
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "us-west-2b"
    assert node["spec"]["providerID"].endswith("/" + node["metadata"]["name"])
    assert node["spec"]["taints"] == [
        {"key": "eks.amazonaws.com/compute-type", "value": "fargate", "effect": "NoSchedule"}
    ]
