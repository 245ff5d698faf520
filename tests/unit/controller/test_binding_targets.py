"""A binding's targets through the ClusterView seam, played as the workshop plays them:
three nodes in instance mode, then ip mode scaled 1 → 3, then a pod terminating."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

import pytest

from localnlb.controller.model.enums import TargetType
from localnlb.controller.targetgroupbinding.errors import BackendNotFoundError, ResolveError
from localnlb.controller.targetgroupbinding.objects import (
    Endpoint,
    EndpointPort,
    EndpointSliceInfo,
    NodeInfo,
    PodInfo,
)
from localnlb.controller.targetgroupbinding.resolve import (
    BindingRef,
    binding_from_object,
    resolve_desired_targets,
)
from localnlb.controller.targetgroupbinding.targets import (
    ActualTarget,
    TargetDescription,
    diff_targets,
)
from tests.unit.controller.factories import NODE_PORT, lb_service
from tests.unit.controller.fakes import FakeClusterView

VPC = ip_network("127.1.0.0/16")
NODES = [
    NodeInfo(f"node-{z}", provider_id=f"aws:///us-west-2{z}/i-0{z}{z}{z}", ready="True")
    for z in "abc"
]
INSTANCE = BindingRef("k8s-ui-uinlb-1", "ui", "arn:tg/1", "ui-nlb", 80, TargetType.INSTANCE)
IP = replace(
    INSTANCE, name="k8s-ui-uinlb-2", target_group_arn="arn:tg/2", target_type=TargetType.IP
)


def in_vpc(address: str) -> bool:
    return ip_address(address) in VPC


def cluster_with_pods(count: int, *, terminating: int = 0) -> FakeClusterView:
    pods = [
        PodInfo(
            f"ui-{i}", "ui", node_name=NODES[i % 3].name, conditions={"ContainersReady": "True"}
        )
        for i in range(count)
    ]
    endpoints = tuple(
        Endpoint(
            (f"127.1.{16 * (i % 3) + 1}.{10 + i}",),
            ready=i >= terminating,
            terminating=i < terminating,
            target_name=f"ui-{i}",
        )
        for i in range(count)
    )
    slices = [
        EndpointSliceInfo("ui-nlb-x", endpoints=endpoints, ports=(EndpointPort(8080, "http"),))
    ]
    return FakeClusterView([lb_service()], list(NODES), {("ui", "ui-nlb"): slices}, pods)


def test_instance_mode_registers_the_three_nodes_whatever_the_replicas() -> None:
    for replicas in (1, 3):
        targets = resolve_desired_targets(
            INSTANCE, cluster_with_pods(replicas), in_vpc=in_vpc
        ).targets
        assert targets == [TargetDescription(f"i-0{z}{z}{z}", NODE_PORT) for z in "abc"]


def test_ip_mode_scale_up_then_a_terminating_pod() -> None:
    one = resolve_desired_targets(IP, cluster_with_pods(1), in_vpc=in_vpc).targets
    assert one == [TargetDescription("127.1.1.10", 8080)]
    three = resolve_desired_targets(IP, cluster_with_pods(3), in_vpc=in_vpc).targets
    changes = diff_targets(three, [ActualTarget(one[0], "healthy")])
    assert (len(changes.register), changes.deregister) == (2, ())
    after = resolve_desired_targets(IP, cluster_with_pods(3, terminating=1), in_vpc=in_vpc).targets
    changes = diff_targets(after, [ActualTarget(t, "healthy") for t in three])
    assert changes.deregister == (one[0],)


def test_pod_outside_the_vpc_is_registered_in_zone_all() -> None:
    (target,) = resolve_desired_targets(IP, cluster_with_pods(1), in_vpc=lambda _: False).targets
    assert target.availability_zone == "all"


def test_missing_service() -> None:
    with pytest.raises(BackendNotFoundError, match=r'^services "ui-nlb" not found$'):
        resolve_desired_targets(INSTANCE, FakeClusterView(), in_vpc=in_vpc)


def test_binding_object_form() -> None:
    binding = binding_from_object(
        {
            "metadata": {"name": "k8s-ui-uinlb-1", "namespace": "ui"},
            "spec": {
                "targetGroupARN": "arn:tg/1",
                "targetType": "instance",
                "serviceRef": {"name": "ui-nlb", "port": 80},
                "nodeSelector": {"matchLabels": {"role": "edge"}},
            },
        }
    )
    assert binding == replace(INSTANCE, node_selector={"role": "edge"})


def test_node_selector_is_rejected_for_ip_bindings() -> None:
    with pytest.raises(ResolveError, match=r"^TargetGroupBinding cannot set NodeSelector"):
        binding_from_object(
            {
                "metadata": {"name": "b"},
                "spec": {
                    "targetType": "ip",
                    "serviceRef": {"name": "s", "port": 80},
                    "nodeSelector": {"matchLabels": {"a": "b"}},
                },
            }
        )


def test_gated_pod_whose_containers_are_not_ready_asks_for_a_recheck() -> None:
    view = cluster_with_pods(1)
    gate = "target-health.elbv2.k8s.aws/k8s-ui-uinlb-2"
    view.pods = [PodInfo("ui-0", "ui", node_name="node-a", readiness_gates=(gate,), conditions={})]
    view.slices[("ui", "ui-nlb")] = [
        EndpointSliceInfo(
            "s",
            endpoints=(Endpoint(("127.1.1.10",), ready=False, target_name="ui-0"),),
            ports=(EndpointPort(8080, "http"),),
        )
    ]
    got = resolve_desired_targets(IP, view, in_vpc=in_vpc)
    assert (got.targets, got.contains_potential_ready) == ([], True)
