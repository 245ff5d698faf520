"""Routing snapshots for data-plane tests, built with keyword arguments and sane defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

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

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
HEALTH_CHECK = HealthCheckRoute(Protocol.TCP, "traffic-port", None, None, 10, 10, 3, 3)


def target(
    address: str, port: int, zone: str = ZONES[0], state: str = "healthy", **extra: Any
) -> TargetRoute:
    return TargetRoute(
        id=address,
        port=port,
        address=address,
        availability_zone=zone,
        state=TargetState(state),
        **extra,
    )


def target_group(*targets: TargetRoute, arn: str = "arn:tg", **attributes: Any) -> TargetGroupRoute:
    values: dict[str, Any] = {
        "arn": arn,
        "name": arn.rsplit(":", 1)[-1],
        "protocol": Protocol.TCP,
        "port": targets[0].port if targets else 80,
        "target_type": "ip",
        "health_check": HEALTH_CHECK,
        "preserve_client_ip": False,
        "targets": tuple(targets),
    }
    values.update(attributes)
    return TargetGroupRoute(**values)


def load_balancer(
    nodes: dict[str, str],
    *,
    port: int,
    protocol: str = "TCP",
    tg_arn: str = "arn:tg",
    cross_zone: bool = False,
    idle_timeout: int = 350,
    **extra: Any,
) -> LoadBalancerRoute:
    return LoadBalancerRoute(
        arn="arn:lb",
        name="lb",
        dns_name="lb-0123456789abcdef.elb.us-west-2.amazonaws.com",
        scheme="internet-facing",
        state=LoadBalancerState.ACTIVE,
        cross_zone=cross_zone,
        nodes=tuple(
            LbNodeRoute(zone, address, f"subnet-{zone}") for zone, address in nodes.items()
        ),
        listeners=(
            ListenerRoute(
                "arn:listener",
                port,
                Protocol(protocol),
                tg_arn,
                tcp_idle_timeout_seconds=idle_timeout,
            ),
        ),
        **extra,
    )


def snapshot(version: int, lb: LoadBalancerRoute, *groups: TargetGroupRoute) -> RoutingSnapshot:
    return RoutingSnapshot(version=version, load_balancers=(lb,), target_groups=tuple(groups))


def with_states(group: TargetGroupRoute, **states: str) -> TargetGroupRoute:
    """``group`` with the targets at the given addresses (``_`` for ``.``) in new states."""
    wanted = {k.replace("_", "."): v for k, v in states.items()}
    return dataclasses.replace(
        group,
        targets=tuple(
            dataclasses.replace(t, state=TargetState(wanted.get(t.address, t.state)))
            for t in group.targets
        ),
    )
