"""Routing snapshots for health-checker tests, built the way the ELBv2 API would serve them."""

from __future__ import annotations

from dataclasses import replace

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

LB_ARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/web/0123456789abcdef"
TG_ARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/fedcba9876543210"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
NODES = (
    LbNodeRoute("us-west-2a", "127.42.0.100", "subnet-a"),
    LbNodeRoute("us-west-2b", "127.42.16.100", "subnet-b"),
)

TCP_CHECK = HealthCheckRoute(
    protocol=Protocol.TCP,
    port="traffic-port",
    path=None,
    matcher=None,
    interval_seconds=5,
    timeout_seconds=2,
    healthy_threshold=2,
    unhealthy_threshold=2,
)


def http_check(
    *, path: str = "/healthz", matcher: str = "200-399", https: bool = False
) -> HealthCheckRoute:
    return replace(
        TCP_CHECK, protocol=Protocol.HTTPS if https else Protocol.HTTP, path=path, matcher=matcher
    )


def target(
    address: str, port: int, zone: str = "us-west-2a", state: str = "initial"
) -> TargetRoute:
    return TargetRoute(
        id=address, port=port, address=address, availability_zone=zone, state=TargetState(state)
    )


def target_group(
    *targets: TargetRoute,
    arn: str = TG_ARN,
    health_check: HealthCheckRoute = TCP_CHECK,
    proxy_protocol_v2: bool = False,
    terminate_on_unhealthy: bool = True,
    unhealthy_draining_interval_seconds: int = 0,
) -> TargetGroupRoute:
    return TargetGroupRoute(
        arn=arn,
        name=arn.rsplit("/", 2)[-2],
        protocol=Protocol.TCP,
        port=80,
        target_type="ip",
        health_check=health_check,
        proxy_protocol_v2=proxy_protocol_v2,
        terminate_on_unhealthy=terminate_on_unhealthy,
        unhealthy_draining_interval_seconds=unhealthy_draining_interval_seconds,
        targets=targets,
    )


def load_balancer(
    *,
    arn: str = LB_ARN,
    nodes: tuple[LbNodeRoute, ...] = NODES,
    listeners: tuple[tuple[int, str], ...] = ((80, TG_ARN),),
    state: str = LoadBalancerState.ACTIVE,
) -> LoadBalancerRoute:
    return LoadBalancerRoute(
        arn=arn,
        name=arn.rsplit("/", 2)[-2],
        dns_name=f"{arn.rsplit('/', 2)[-2]}-{arn.rsplit('/', 1)[-1]}.elb.us-west-2.amazonaws.com",
        scheme="internet-facing",
        state=LoadBalancerState(state),
        cross_zone=False,
        nodes=nodes,
        listeners=tuple(
            ListenerRoute(
                arn=f"{arn}/listener/{port}", port=port, protocol=Protocol.TCP, target_group_arn=tg
            )
            for port, tg in listeners
        ),
    )


def snapshot(
    *groups: TargetGroupRoute,
    load_balancers: tuple[LoadBalancerRoute, ...] | None = None,
    version: int = 1,
) -> RoutingSnapshot:
    return RoutingSnapshot(
        version=version,
        load_balancers=(load_balancer(),) if load_balancers is None else load_balancers,
        target_groups=groups,
    )
