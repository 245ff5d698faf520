"""The routing snapshot survives its JSON round trip unchanged: enums in, AWS words on the wire."""

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


def test_round_trip() -> None:
    health_check = HealthCheckRoute(Protocol.HTTP, "traffic-port", None, None, 10, 10, 3, 3)
    target_group = TargetGroupRoute(
        arn="arn:tg",
        name="tg",
        protocol=Protocol.UDP,
        port=8080,
        target_type="ip",
        health_check=health_check,
        targets=(
            TargetRoute(
                "127.42.1.5", 8080, "127.42.1.5", "us-west-2a", TargetState.UNHEALTHY_DRAINING
            ),
        ),
    )
    snapshot = RoutingSnapshot(
        version=7,
        load_balancers=(
            LoadBalancerRoute(
                arn="arn:lb",
                name="lb",
                dns_name="lb-0123456789abcdef.elb.us-west-2.amazonaws.com",
                scheme="internet-facing",
                state=LoadBalancerState.ACTIVE,
                cross_zone=False,
                nodes=(LbNodeRoute("us-west-2a", "127.42.0.100", "subnet-1"),),
                listeners=(ListenerRoute("arn:l", 80, Protocol.TCP_UDP, "arn:tg"),),
                allowed_source_cidrs=("127.0.0.0/8",),
            ),
        ),
        target_groups=(target_group,),
    )
    wire = snapshot.to_json()
    assert '"state":"unhealthy.draining"' in wire
    assert '"protocol":"TCP_UDP"' in wire
    again = RoutingSnapshot.from_json(wire)
    assert again == snapshot
    [group] = again.target_groups
    assert group.targets[0].state is TargetState.UNHEALTHY_DRAINING
    assert (group.protocol, group.health_check.protocol) == (Protocol.UDP, Protocol.HTTP)
    assert type(group.health_check.protocol) is Protocol
    [lb] = again.load_balancers
    assert lb.state is LoadBalancerState.ACTIVE
    assert lb.listeners[0].protocol is Protocol.TCP_UDP
    assert again.target_group("arn:tg") == target_group
    assert again.target_group("missing") is None
