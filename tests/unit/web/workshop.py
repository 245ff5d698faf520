"""Inputs shaped like the workshop's: three nodes in three AZs, the ui pod, the ui-nlb Service,
and its NLB in instance or ip mode, as the ELBv2 side and the API server would serve them."""

from __future__ import annotations

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
from localnlb.web.cluster_view import ClusterView, NodeView, PodView, ServicePortView, ServiceView

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
NODE_PORT = 30549
LB_NAME = "k8s-ui-uinlb-a9f5e7b6c1"
DNS_NAME = f"{LB_NAME}-0123456789abcdef.elb.us-west-2.amazonaws.com"
UI_LABELS = (
    ("app.kubernetes.io/component", "service"),
    ("app.kubernetes.io/instance", "ui"),
    ("app.kubernetes.io/name", "ui"),
)


def nodes() -> tuple[NodeView, ...]:
    return tuple(
        NodeView(
            name=f"ip-127-30-{i * 16}-10.us-west-2.compute.internal",
            zone=zone,
            address=f"127.30.{i * 16}.10",
            instance_id=f"i-0000000000000000{i}",
            ready=True,
        )
        for i, zone in enumerate(ZONES)
    )


def ui_pod(index: int, *, node: int, ready: bool = True) -> PodView:
    return PodView(
        namespace="ui",
        name=f"ui-6d5bb7c7b-{index:05d}",
        ip=f"127.30.{node * 16 + 8}.{index + 1}",
        node_name=nodes()[node].name,
        ready=ready,
        phase="Running",
        labels=UI_LABELS,
    )


def ui_nlb_service(*, policy: str = "Cluster") -> ServiceView:
    return ServiceView(
        namespace="ui",
        name="ui-nlb",
        type="LoadBalancer",
        selector=(UI_LABELS[0], UI_LABELS[1], UI_LABELS[2]),
        ports=(ServicePortView("http", 80, "TCP", NODE_PORT),),
        hostnames=(DNS_NAME,),
        external_traffic_policy=policy,
    )


def cluster(*pods: PodView, policy: str = "Cluster") -> ClusterView:
    return ClusterView(nodes=nodes(), pods=pods, services=(ui_nlb_service(policy=policy),))


def _health_check() -> HealthCheckRoute:
    return HealthCheckRoute(Protocol.TCP, "traffic-port", None, None, 10, 10, 3, 3)


def lb_nodes() -> tuple[LbNodeRoute, ...]:
    return tuple(
        LbNodeRoute(zone, f"127.30.{i * 16 + 4}.1", f"subnet-{i}") for i, zone in enumerate(ZONES)
    )


def instance_group(
    state: str = "initial", reason: str | None = "Elb.RegistrationInProgress"
) -> TargetGroupRoute:
    targets = tuple(
        TargetRoute(n.instance_id, NODE_PORT, n.address, n.zone, TargetState(state), reason)
        for n in nodes()
    )
    return TargetGroupRoute(
        arn="arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/k8s-ui-uinlb-inst/1",
        name="k8s-ui-uinlb-inst",
        protocol=Protocol.TCP,
        port=NODE_PORT,
        target_type="instance",
        health_check=_health_check(),
        targets=targets,
    )


def ip_group(*pods: PodView, state: str = "initial", reason: str | None = None) -> TargetGroupRoute:
    plan = nodes()
    zone_of = {n.name: n.zone for n in plan}
    targets = tuple(
        TargetRoute(p.ip, 8080, p.ip, zone_of[p.node_name], TargetState(state), reason)
        for p in pods
    )
    return TargetGroupRoute(
        arn="arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/k8s-ui-uinlb-ip/2",
        name="k8s-ui-uinlb-ip",
        protocol=Protocol.TCP,
        port=8080,
        target_type="ip",
        health_check=_health_check(),
        targets=targets,
    )


def snapshot(
    group: TargetGroupRoute, *, version: int = 1, cross_zone: bool = False
) -> RoutingSnapshot:
    lb = LoadBalancerRoute(
        arn="arn:aws:elasticloadbalancing:us-west-2:000000000000:loadbalancer/net/x/1",
        name=LB_NAME,
        dns_name=DNS_NAME,
        scheme="internet-facing",
        state=LoadBalancerState.ACTIVE,
        cross_zone=cross_zone,
        nodes=lb_nodes(),
        listeners=(ListenerRoute("arn:listener/1", 80, Protocol.TCP, group.arn),),
    )
    return RoutingSnapshot(version=version, load_balancers=(lb,), target_groups=(group,))
