"""The paths localnlb status draws: instance mode through a node's NodePort, ip mode straight to
the pod, and cross-AZ hops marked."""

from __future__ import annotations

from typing import Any

from localnlb.cli.status_paths import build_target_lines, render_path
from localnlb.common.snapshot import (
    HealthCheckRoute,
    LbNodeRoute,
    ListenerRoute,
    LoadBalancerRoute,
    LoadBalancerState,
    Protocol,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
    TargetState,
)

CHECK = HealthCheckRoute(Protocol.TCP, "traffic-port", None, None, 10, 10, 3, 3)


def snapshot(target_type: str, targets: tuple[TargetRoute, ...]) -> RoutingSnapshot:
    group = TargetGroupRoute("arn:tg", "tg", Protocol.TCP, 80, target_type, CHECK, targets=targets)
    lb = LoadBalancerRoute(
        "arn:lb",
        "lb",
        "lb.example",
        "internet-facing",
        LoadBalancerState.ACTIVE,
        False,
        (LbNodeRoute("us-west-2a", "127.42.0.100", "s"),),
        (ListenerRoute("arn:l", 80, Protocol.TCP, "arn:tg"),),
    )
    return RoutingSnapshot(version=1, load_balancers=(lb,), target_groups=(group,))


def node(name: str, zone: str, instance: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}},
        "spec": {"providerID": f"aws:///{zone}/{instance}"},
    }


NODES = [node("node-a", "us-west-2a", "i-a"), node("node-b", "us-west-2b", "i-b")]
SERVICE = {
    "metadata": {"name": "ui-nlb", "namespace": "ui"},
    "spec": {"ports": [{"port": 80, "nodePort": 30549}], "externalTrafficPolicy": "Cluster"},
}
SLICE = {
    "metadata": {"namespace": "ui", "labels": {"kubernetes.io/service-name": "ui-nlb"}},
    "endpoints": [
        {
            "targetRef": {"name": "ui-1"},
            "nodeName": "node-a",
            "zone": "us-west-2a",
            "conditions": {"ready": True},
        },
    ],
}


def test_instance_targets_go_through_the_node_port_and_mark_the_cross_az_hop() -> None:
    targets = (
        TargetRoute("i-a", 30549, "127.42.0.10", "us-west-2a", TargetState.HEALTHY),
        TargetRoute(
            "i-b",
            30549,
            "127.42.16.10",
            "us-west-2b",
            TargetState.INITIAL,
            "Elb.InitialHealthChecking",
        ),
    )
    lines = build_target_lines(
        snapshot("instance", targets), nodes=NODES, services=[SERVICE], slices=[SLICE], pods=[]
    )
    same, other = lines
    assert render_path(same.paths[0]) == "LB node us-west-2a -> node-a:30549 -> pod ui-1"
    assert not same.cross_az()
    assert (
        render_path(other.paths[0]) == "LB node us-west-2b -> node-b:30549 =[cross-AZ]=> pod ui-1"
    )
    assert other.cross_az()
    assert (other.state, other.reason) == ("initial", "Elb.InitialHealthChecking")


def test_local_policy_paths_only_reach_the_nodes_own_pods() -> None:
    local = {
        "metadata": SERVICE["metadata"],
        "spec": {"ports": [{"port": 80, "nodePort": 30549}], "externalTrafficPolicy": "Local"},
    }
    targets = (TargetRoute("i-b", 30549, "127.42.16.10", "us-west-2b", TargetState.UNHEALTHY),)
    [line] = build_target_lines(
        snapshot("instance", targets), nodes=NODES, services=[local], slices=[SLICE], pods=[]
    )
    assert [render_path(p) for p in line.paths] == ["LB node us-west-2b -> node-b:30549"]


def test_ip_targets_go_straight_to_the_pod() -> None:
    pod = {
        "metadata": {"name": "ui-1"},
        "spec": {"nodeName": "node-a"},
        "status": {"podIP": "127.42.1.1"},
    }
    targets = (TargetRoute("127.42.1.1", 8080, "127.42.1.1", "us-west-2a", TargetState.HEALTHY),)
    [line] = build_target_lines(
        snapshot("ip", targets), nodes=NODES, services=[], slices=[], pods=[pod]
    )
    assert [render_path(p) for p in line.paths] == ["LB node us-west-2a -> pod ui-1"]
    assert line.target == "127.42.1.1:8080"
