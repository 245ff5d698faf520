"""Build the :class:`RoutingSnapshot` the data plane and the health checker consume, from the
store and the same target-health logic DescribeTargetHealth uses (so both always agree).

Only ``active`` load balancers get nodes. Every registered target appears, draining ones with
their ``draining_until``; targets with no address (an instance that no longer exists) are left
out because nothing can be sent to them. Attribute strings are parsed here, once.
"""

from __future__ import annotations

from collections.abc import Mapping

from localnlb.common.snapshot import (
    ALL_ZONES,
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
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.handlers.targets import enabled_zones_of, target_health_of
from localnlb.elbv2.model.arns import dns_name
from localnlb.elbv2.model.load_balancer import LoadBalancer, LoadBalancerStateCode
from localnlb.elbv2.model.target_group import TargetGroup


def build_snapshot(ctx: ApiContext, version: int) -> RoutingSnapshot:
    now = ctx.now()
    lbs = tuple(
        _load_balancer(ctx, lb)
        for lb in ctx.store.load_balancers.values()
        if lb.state_at(now) is LoadBalancerStateCode.ACTIVE
    )
    tgs = tuple(_target_group(ctx, tg, now) for tg in ctx.store.target_groups.values())
    return RoutingSnapshot(version=version, load_balancers=lbs, target_groups=tgs)


def _allowed_cidrs(ctx: ApiContext, lb: LoadBalancer) -> tuple[str, ...] | None:
    if lb.security_groups is None:
        return None
    cidrs: list[str] = []
    for group_id in lb.security_groups:
        group = ctx.store.security_groups.get(group_id)
        for rule in group.ingress if group else ():
            if rule.cidr_ipv4 and rule.cidr_ipv4 not in cidrs:
                cidrs.append(rule.cidr_ipv4)
    return tuple(cidrs)


def _load_balancer(ctx: ApiContext, lb: LoadBalancer) -> LoadBalancerRoute:
    listeners = sorted(ctx.store.listeners.of_load_balancer(lb.arn), key=lambda li: li.port)
    return LoadBalancerRoute(
        arn=lb.arn,
        name=lb.name,
        dns_name=dns_name(name=lb.name, lb_id=lb.lb_id, region=ctx.settings.region),
        scheme=lb.scheme,
        state=LoadBalancerState.ACTIVE,
        cross_zone=lb.cross_zone,
        nodes=tuple(LbNodeRoute(z.zone_name, z.node_address, z.subnet_id) for z in lb.zones),
        listeners=tuple(
            ListenerRoute(
                arn=li.arn,
                port=li.port,
                protocol=Protocol(li.protocol),
                target_group_arn=li.action.target_group_arn,
                tcp_idle_timeout_seconds=li.idle_timeout_seconds,
            )
            for li in listeners
        ),
        allowed_source_cidrs=_allowed_cidrs(ctx, lb),
    )


def _target_group(ctx: ApiContext, tg: TargetGroup, now: float) -> TargetGroupRoute:
    hc = tg.health_check
    attrs = tg.attributes
    zones = enabled_zones_of(ctx, tg)
    targets = []
    for registration in ctx.store.registrations.of_group(tg.arn).values():
        if registration.is_gone(now):
            continue
        health, address, zone = target_health_of(
            ctx, tg, registration, enabled_zones=zones, now=now
        )
        if address is None:
            continue
        targets.append(
            TargetRoute(
                id=registration.target_id,
                port=registration.port,
                address=address,
                availability_zone=zone or ALL_ZONES,
                state=TargetState(health.state.value),
                reason=health.reason.value if health.reason else None,
                draining_until=registration.draining_until,
            )
        )
    return TargetGroupRoute(
        arn=tg.arn,
        name=tg.name,
        protocol=Protocol(tg.protocol),
        port=tg.port,
        target_type=tg.target_type,
        health_check=HealthCheckRoute(
            protocol=Protocol(hc.protocol),
            port=hc.port,
            path=hc.path,
            matcher=hc.matcher,
            interval_seconds=hc.interval_seconds,
            timeout_seconds=hc.timeout_seconds,
            healthy_threshold=hc.healthy_threshold,
            unhealthy_threshold=hc.unhealthy_threshold,
        ),
        cross_zone=attrs.get(
            "load_balancing.cross_zone.enabled", "use_load_balancer_configuration"
        ),
        deregistration_delay_seconds=tg.deregistration_delay_seconds,
        terminate_on_deregistration=_flag(
            attrs, "deregistration_delay.connection_termination.enabled"
        ),
        preserve_client_ip=_flag(attrs, "preserve_client_ip.enabled"),
        proxy_protocol_v2=_flag(attrs, "proxy_protocol_v2.enabled"),
        stickiness=_flag(attrs, "stickiness.enabled"),
        terminate_on_unhealthy=_flag(
            attrs, "target_health_state.unhealthy.connection_termination.enabled", default="true"
        ),
        unhealthy_draining_interval_seconds=int(
            attrs.get("target_health_state.unhealthy.draining_interval_seconds", "0")
        ),
        targets=tuple(targets),
    )


def _flag(attrs: Mapping[str, str], key: str, *, default: str = "false") -> bool:
    return attrs.get(key, default) == "true"
