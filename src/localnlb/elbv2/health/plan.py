"""Which targets to check, from where and how: a pure function of the routing snapshot.

:func:`build_check_plan` reads a :class:`~localnlb.common.snapshot.RoutingSnapshot` and returns
one :class:`PlannedTarget` per (target group, target id, port) that AWS would health-check: the
target is registered and not leaving (its state is not ``unused``, ``draining`` or
``unavailable``), its target group is forwarded to by a listener of an ``active`` load balancer,
and its AZ is enabled on that load balancer (or it is an ``all``-zone target). "Before the load
balancer sends a health check request to a target, you must register it with a target group,
specify its target group in a listener rule, and ensure that the Availability Zone of the target
is enabled" (reference §3.6).

The probe comes from an LB node of that load balancer in the target's AZ (any node if none
matches), so the target sees the node's address as the source, as on AWS; the HTTP ``Host``
header is that node's IP and the listener's port. Durations are multiplied by the timing
profile's (test-only) time scale here, so nothing downstream knows about scaling.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from localnlb.common.snapshot import (
    ALL_ZONES,
    LbNodeRoute,
    LoadBalancerRoute,
    LoadBalancerState,
    RoutingSnapshot,
    TargetGroupRoute,
    TargetRoute,
    TargetState,
)
from localnlb.elbv2.health.machine import CheckSettings
from localnlb.elbv2.health.matcher import HttpCodeMatcher

NOT_CHECKED_STATES = frozenset({TargetState.UNUSED, TargetState.DRAINING, TargetState.UNAVAILABLE})


class CheckProtocol(enum.StrEnum):
    TCP = "TCP"
    HTTP = "HTTP"
    HTTPS = "HTTPS"


@dataclass(frozen=True, slots=True, order=True)
class TargetKey:
    target_group_arn: str
    target_id: str
    port: int


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One target's health check, everything the prober needs to perform it once."""

    protocol: CheckProtocol
    address: str
    port: int
    source_address: str  # the probing LB node's address
    host: str  # HTTP Host header: LB node IP and listener port
    path: str
    matcher: HttpCodeMatcher
    timeout: float
    proxy_protocol_v2: bool


@dataclass(frozen=True, slots=True)
class PlannedTarget:
    check: CheckSpec
    settings: CheckSettings


@dataclass(frozen=True, slots=True)
class _Use:
    load_balancer: LoadBalancerRoute
    listener_port: int


def build_check_plan(
    snapshot: RoutingSnapshot, *, time_scale: float = 1.0
) -> dict[TargetKey, PlannedTarget]:
    uses = _uses_by_target_group(snapshot)
    plan: dict[TargetKey, PlannedTarget] = {}
    for group in snapshot.target_groups:
        protocol = _protocol(group.health_check.protocol)
        if protocol is None or group.arn not in uses:
            continue
        settings = _settings(group, time_scale)
        for target in group.targets:
            if target.state in NOT_CHECKED_STATES or not target.address:
                continue
            port = _check_port(group.health_check.port, target)
            prober = _choose_node(uses[group.arn], target.availability_zone)
            if port is None or prober is None:
                continue
            node, listener_port = prober
            check = CheckSpec(
                protocol=protocol,
                address=target.address,
                port=port,
                source_address=node.address,
                host=f"{node.address}:{listener_port}",
                path=group.health_check.path or "/",
                matcher=HttpCodeMatcher.parse(group.health_check.matcher),
                timeout=group.health_check.timeout_seconds * time_scale,
                proxy_protocol_v2=group.proxy_protocol_v2,
            )
            plan[TargetKey(group.arn, target.id, target.port)] = PlannedTarget(check, settings)
    return plan


def _uses_by_target_group(snapshot: RoutingSnapshot) -> dict[str, list[_Use]]:
    uses: dict[str, list[_Use]] = {}
    for lb in sorted(snapshot.load_balancers, key=lambda lb: lb.arn):
        if lb.state is not LoadBalancerState.ACTIVE or not lb.nodes:
            continue
        ports: dict[str, int] = {}
        for listener in lb.listeners:
            arn = listener.target_group_arn
            if arn is not None:
                ports[arn] = min(ports.get(arn, listener.port), listener.port)
        for arn, port in ports.items():
            uses.setdefault(arn, []).append(_Use(lb, port))
    return uses


def _choose_node(uses: list[_Use], zone: str) -> tuple[LbNodeRoute, int] | None:
    if zone in (ALL_ZONES, ""):
        return uses[0].load_balancer.nodes[0], uses[0].listener_port
    for use in uses:
        for node in use.load_balancer.nodes:
            if node.availability_zone == zone:
                return node, use.listener_port
    return None  # the target's AZ is enabled on none of the load balancers: not in use


def _protocol(text: str) -> CheckProtocol | None:
    try:
        return CheckProtocol(text.upper())
    except ValueError:
        return None


def _check_port(setting: str, target: TargetRoute) -> int | None:
    if setting == "traffic-port":
        return target.port
    try:
        port = int(setting)
    except ValueError:
        return None
    return port if 1 <= port <= 65535 else None


def _settings(group: TargetGroupRoute, time_scale: float) -> CheckSettings:
    hc = group.health_check
    keep = 0 if group.terminate_on_unhealthy else group.unhealthy_draining_interval_seconds
    return CheckSettings(
        interval=hc.interval_seconds * time_scale,
        healthy_threshold=hc.healthy_threshold,
        unhealthy_threshold=hc.unhealthy_threshold,
        keep_connections_for=keep * time_scale,
    )
