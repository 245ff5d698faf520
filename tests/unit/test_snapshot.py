"""The routing snapshot survives its JSON round trip unchanged."""

from __future__ import annotations

from localnlb.common.snapshot import (
    HealthCheckRoute,
    LbNodeRoute,
    ListenerRoute,
    LoadBalancerRoute,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
)


def test_round_trip() -> None:
    health_check = HealthCheckRoute("TCP", "traffic-port", None, None, 10, 10, 3, 3)
    target_group = TargetGroupRoute(
        arn="arn:tg",
        name="tg",
        protocol="TCP",
        port=8080,
        target_type="ip",
        health_check=health_check,
        targets=(TargetRoute("127.42.1.5", 8080, "127.42.1.5", "us-west-2a", "healthy"),),
    )
    snapshot = RoutingSnapshot(
        version=7,
        load_balancers=(
            LoadBalancerRoute(
                arn="arn:lb",
                name="lb",
                dns_name="lb-0123456789abcdef.elb.us-west-2.amazonaws.com",
                scheme="internet-facing",
                state="active",
                cross_zone=False,
                nodes=(LbNodeRoute("us-west-2a", "127.42.0.100", "subnet-1"),),
                listeners=(ListenerRoute("arn:l", 80, "TCP", "arn:tg"),),
                allowed_source_cidrs=("127.0.0.0/8",),
            ),
        ),
        target_groups=(target_group,),
    )
    again = RoutingSnapshot.from_json(snapshot.to_json())
    assert again == snapshot
    assert again.target_group("arn:tg") == target_group
    assert again.target_group("missing") is None
