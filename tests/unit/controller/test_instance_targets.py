"""Instance mode: which nodes are registered, on which port (reference §2.5)."""

from __future__ import annotations

import pytest

from localnlb.controller.service.objects import ServicePort
from localnlb.controller.targetgroupbinding.errors import BackendNotFoundError, ResolveError
from localnlb.controller.targetgroupbinding.node_endpoints import (
    NodePortEndpoint,
    resolve_node_port_endpoints,
)
from localnlb.controller.targetgroupbinding.objects import NodeInfo, Taint, node_from_object
from tests.unit.controller.factories import NODE_PORT, lb_service


def node(
    name: str,
    *,
    ready: str = "True",
    labels: dict[str, str] | None = None,
    unschedulable: bool = False,
    taints: tuple[Taint, ...] = (),
) -> NodeInfo:
    return NodeInfo(
        name=name,
        provider_id=f"aws:///us-west-2a/i-0{name}",
        ready=ready,
        labels=labels or {},
        unschedulable=unschedulable,
        taints=taints,
    )


def instances(
    nodes: list[NodeInfo], *, node_selector: dict[str, str] | None = None, fail_open: bool = True
) -> list[str]:
    endpoints = resolve_node_port_endpoints(
        lb_service(), 80, nodes, node_selector=node_selector or {}, fail_open=fail_open
    )
    return [e.instance_id for e in endpoints]


def test_every_ready_node_on_the_node_port() -> None:
    got = resolve_node_port_endpoints(lb_service(), 80, [node("a"), node("b")], node_selector={})
    assert got == [
        NodePortEndpoint("i-0a", NODE_PORT, "a"),
        NodePortEndpoint("i-0b", NODE_PORT, "b"),
    ]


def test_service_port_by_name() -> None:
    assert (
        len(resolve_node_port_endpoints(lb_service(), "http", [node("a")], node_selector={})) == 1
    )


def test_unknown_service_port() -> None:
    with pytest.raises(BackendNotFoundError, match=r"^unable to find port 81 on service ui/"):
        resolve_node_port_endpoints(lb_service(), 81, [node("a")], node_selector={})


def test_cluster_ip_service_cannot_have_node_targets() -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_node_port_endpoints(lb_service(type="ClusterIP"), 80, [node("a")], node_selector={})
    assert (
        str(caught.value) == "service type must be either 'NodePort' or 'LoadBalancer': ui/ui-nlb"
    )


@pytest.mark.parametrize(
    "label",
    [
        "node.kubernetes.io/exclude-from-external-load-balancers",
        "alpha.service-controller.kubernetes.io/exclude-balancer",
        "node-role.kubernetes.io/master",
    ],
)
def test_excluded_nodes(label: str) -> None:
    assert instances([node("a"), node("b", labels={label: ""})]) == ["i-0a"]


def test_fargate_nodes_are_never_targets() -> None:
    fargate = node("f", labels={"eks.amazonaws.com/compute-type": "fargate"})
    assert instances([node("a"), fargate]) == ["i-0a"]


def test_not_ready_nodes_are_skipped() -> None:
    assert instances([node("a"), node("b", ready="False"), node("c", ready="Unknown")]) == ["i-0a"]


def test_cordoned_nodes_stay_targets() -> None:
    assert instances([node("a", unschedulable=True)]) == ["i-0a"]


@pytest.mark.parametrize(
    ("taint", "kept"),
    [
        (Taint("ToBeDeletedByClusterAutoscaler", "NoSchedule"), False),
        (Taint("ToBeDeletedByClusterAutoscaler", "PreferNoSchedule"), False),
        (Taint("karpenter.sh/disrupted", "NoSchedule"), False),
        (Taint("karpenter.sh/disrupted", "NoExecute"), True),
        (Taint("dedicated", "NoSchedule"), True),
    ],
)
def test_nodes_being_removed_are_skipped(taint: Taint, kept: bool) -> None:
    assert instances([node("a", taints=(taint,))]) == (["i-0a"] if kept else [])


def test_fail_open_uses_unknown_nodes_when_none_is_ready() -> None:
    nodes = [node("a", ready="Unknown"), node("b", ready="False")]
    assert instances(nodes) == ["i-0a"]
    assert instances(nodes, fail_open=False) == []


def test_target_node_labels_select_a_subset() -> None:
    nodes = [node("a", labels={"key1": "value1"}), node("b"), node("c", labels={"key1": "other"})]
    assert instances(nodes, node_selector={"key1": "value1"}) == ["i-0a"]
    assert instances([node("b")], node_selector={"key1": "value1"}) == []


def test_pods_and_traffic_policy_do_not_change_the_target_set() -> None:
    local = lb_service(external_traffic_policy="Local", health_check_node_port=32001)
    got = resolve_node_port_endpoints(local, 80, [node("a"), node("b")], node_selector={})
    assert len(got) == 2


@pytest.mark.parametrize(
    ("provider_id", "message"),
    [
        ("", "providerID is not specified for node: x"),
        (
            "kind://docker/kind/x",
            "providerID kind://docker/kind/x is invalid for EC2 instances, node: x",
        ),
    ],
)
def test_invalid_provider_id(provider_id: str, message: str) -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_node_port_endpoints(
            lb_service(), 80, [NodeInfo("x", provider_id=provider_id)], node_selector={}
        )
    assert str(caught.value) == message


def test_node_from_object() -> None:
    got = node_from_object(
        {
            "metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "us-west-2a"}},
            "spec": {
                "providerID": "aws:///us-west-2a/i-0abc",
                "unschedulable": True,
                "taints": [{"key": "k", "effect": "NoSchedule"}],
            },
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
        }
    )
    assert (got.ready, got.unschedulable, got.zone, got.taints) == (
        "False",
        True,
        "us-west-2a",
        (Taint("k", "NoSchedule"),),
    )


def test_node_port_of_the_referenced_port() -> None:
    service = lb_service(
        ports=(
            ServicePort(80, name="http", target_port=8080, node_port=30080),
            ServicePort(443, name="https", target_port=8443, node_port=30443),
        )
    )
    got = resolve_node_port_endpoints(service, 443, [node("a")], node_selector={})
    assert got[0].port == 30443
