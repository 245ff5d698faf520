"""IP mode: which pod addresses are registered (reference §2.6)."""

from __future__ import annotations

from localnlb.controller.service.objects import ServicePort
from localnlb.controller.targetgroupbinding.objects import (
    Endpoint,
    EndpointPort,
    EndpointSliceInfo,
    NodeInfo,
    PodInfo,
    endpoint_slice_from_object,
    pod_from_object,
)
from localnlb.controller.targetgroupbinding.pod_endpoints import PodEndpoint, resolve_pod_endpoints
from tests.unit.controller.factories import lb_service

HTTP = (EndpointPort(8080, "http"),)
NODES = {
    "ready": NodeInfo("ready", ready="True"),
    "lost": NodeInfo("lost", ready="Unknown"),
    "down": NodeInfo("down", ready="False"),
}


def pod(name: str, *, node: str = "ready", containers_ready: bool = True) -> PodInfo:
    status = "True" if containers_ready else "False"
    return PodInfo(name, "ui", node_name=node, conditions={"ContainersReady": status})


def endpoint(name: str, ip: str, **conditions: bool | None) -> Endpoint:
    return Endpoint((ip,), target_name=name, **conditions)  # type: ignore[arg-type]


def ips(
    endpoints: list[Endpoint],
    pods: list[PodInfo],
    *,
    ports: tuple[EndpointPort, ...] = HTTP,
    fail_open: bool = True,
) -> list[str]:
    slices = [EndpointSliceInfo("ui-nlb-abc", endpoints=tuple(endpoints), ports=ports)]
    got = resolve_pod_endpoints(
        lb_service(),
        80,
        slices,
        pods={p.name: p for p in pods},
        nodes=NODES,
        fail_open=fail_open,
    )
    return [e.ip for e in got.endpoints]


def test_ready_endpoints_on_the_endpoint_port() -> None:
    slices = [
        EndpointSliceInfo("s", endpoints=(endpoint("p1", "127.1.1.5", ready=True),), ports=HTTP)
    ]
    got = resolve_pod_endpoints(lb_service(), 80, slices, pods={"p1": pod("p1")}, nodes=NODES)
    assert got.endpoints == [PodEndpoint("127.1.1.5", 8080, "p1", "ready")]


def test_unreported_readiness_goes_through_the_pod_and_node_checks() -> None:
    assert ips([endpoint("p1", "127.1.1.5", ready=None)], [pod("p1")]) == ["127.1.1.5"]
    not_ready = pod("p1", containers_ready=False)
    assert ips([endpoint("p1", "127.1.1.5", ready=None)], [not_ready]) == []


def test_only_ports_with_the_service_ports_name() -> None:
    ports = (EndpointPort(9090, "metrics"), EndpointPort(8080, "http"))
    slices = [
        EndpointSliceInfo("s", endpoints=(endpoint("p1", "127.1.1.5", ready=True),), ports=ports)
    ]
    got = resolve_pod_endpoints(lb_service(), 80, slices, pods={"p1": pod("p1")}, nodes=NODES)
    assert [e.port for e in got.endpoints] == [8080]


def test_unnamed_service_port_takes_every_endpoint_port() -> None:
    service = lb_service(ports=(ServicePort(80, target_port=8080, node_port=30080),))
    slices = [
        EndpointSliceInfo(
            "s", endpoints=(endpoint("p1", "127.1.1.5"),), ports=(EndpointPort(8080),)
        )
    ]
    got = resolve_pod_endpoints(service, 80, slices, pods={"p1": pod("p1")}, nodes=NODES)
    assert len(got.endpoints) == 1


def test_not_ready_pod_held_only_by_readiness_gates_is_registered() -> None:
    assert ips([endpoint("p1", "127.1.1.5", ready=False)], [pod("p1")]) == ["127.1.1.5"]


def test_not_ready_containers_are_not_registered() -> None:
    got = ips([endpoint("p1", "127.1.1.5", ready=False)], [pod("p1", containers_ready=False)])
    assert got == []


def test_terminating_pod_on_a_lost_node_is_kept_aside_like_any_other() -> None:
    lost = endpoint("p1", "127.1.1.5", ready=False, terminating=True)
    assert ips([lost], [pod("p1", node="lost")]) == ["127.1.1.5"]


def test_terminating_pods_are_deregistered_at_once() -> None:
    terminating = endpoint("p1", "127.1.1.5", ready=False, serving=True, terminating=True)
    assert ips([terminating, endpoint("p2", "127.1.1.6", ready=True)], [pod("p1"), pod("p2")]) == [
        "127.1.1.6"
    ]


def test_pods_on_not_ready_nodes_are_skipped() -> None:
    got = ips([endpoint("p1", "127.1.1.5", ready=False)], [pod("p1", node="down")])
    assert got == []


def test_pods_on_unknown_nodes_only_when_nothing_else_is_ready() -> None:
    lost = endpoint("p1", "127.1.1.5", ready=False)
    healthy = endpoint("p2", "127.1.1.6", ready=True)
    pods = [pod("p1", node="lost"), pod("p2")]
    assert ips([lost, healthy], pods) == ["127.1.1.6"]
    assert ips([lost], pods) == ["127.1.1.5"]
    assert ips([lost], pods, fail_open=False) == []


def test_endpoints_of_unknown_pods_or_other_kinds_are_skipped() -> None:
    other_kind = Endpoint(("127.1.1.7",), ready=True, target_kind="Node", target_name="p1")
    assert ips([endpoint("ghost", "127.1.1.5", ready=True), other_kind], [pod("p1")]) == []


def test_other_address_families_are_skipped() -> None:
    slices = [
        EndpointSliceInfo(
            "v6",
            address_type="IPv6",
            endpoints=(endpoint("p1", "fd00::5", ready=True),),
            ports=HTTP,
        )
    ]
    got = resolve_pod_endpoints(lb_service(), 80, slices, pods={"p1": pod("p1")}, nodes=NODES)
    assert got.endpoints == []


def test_scaling_to_three_replicas_gives_three_targets() -> None:
    endpoints = [endpoint(f"p{i}", f"127.1.1.{i}", ready=True) for i in range(1, 4)]
    assert len(ips(endpoints, [pod(f"p{i}") for i in range(1, 4)])) == 3


def test_kubernetes_object_forms() -> None:
    slice_ = endpoint_slice_from_object(
        {
            "metadata": {"name": "ui-nlb-x"},
            "addressType": "IPv4",
            "endpoints": [
                {
                    "addresses": ["127.1.1.5"],
                    "conditions": {"ready": False, "serving": True, "terminating": True},
                    "targetRef": {"kind": "Pod", "name": "p1"},
                    "nodeName": "ready",
                }
            ],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    )
    assert slice_.endpoints[0].terminating is True
    assert slice_.ports == HTTP
    got = pod_from_object(
        {
            "metadata": {"name": "p1", "namespace": "ui"},
            "spec": {
                "nodeName": "ready",
                "readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/k8s-ui-x"}],
            },
            "status": {"conditions": [{"type": "ContainersReady", "status": "True"}]},
        }
    )
    assert got.containers_ready
    assert got.readiness_gates == ("target-health.elbv2.k8s.aws/k8s-ui-x",)
