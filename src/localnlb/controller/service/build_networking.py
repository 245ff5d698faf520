"""The TargetGroupBinding's ``networking``: which sources the targets must admit, on which ports.

With NLB security groups (the default) one rule admits the shared backend group on the target
port (the NodePort in instance mode, the pod port in ip mode) and, when the health check uses
another numeric port, on that port too. Without NLB security groups (legacy) the rules are by
CIDR: the client source ranges when the client IP is preserved (or for UDP), the load balancer's
subnet CIDRs otherwise, plus a health-check rule from the subnets where needed.
"""

from __future__ import annotations

from localnlb.controller.model.enums import Scheme, TargetGroupIpAddressType
from localnlb.controller.model.resources import (
    TRAFFIC_PORT,
    IpBlock,
    NetworkingIngressRule,
    NetworkingPeer,
    NetworkingPort,
    SecurityGroupPeer,
)
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.build_security_groups import SecurityGroupPlan, source_ranges
from localnlb.controller.service.objects import ServicePort

TCP = "TCP"
UDP = "UDP"


def _as_int(port: int | str) -> int:
    """Go's ``intstr.IntValue()``: a name counts as 0."""
    if isinstance(port, int):
        return port
    return int(port) if port.lstrip("+-").isdigit() else 0


def _security_group_rules(
    ctx: BuildContext,
    port: ServicePort,
    *,
    traffic_port: int | str,
    health_check_port: int | str,
    backend_group: str,
) -> tuple[NetworkingIngressRule, ...]:
    ports: list[NetworkingPort] = []
    if ctx.settings.disable_restricted_sg_rules:
        ports.append(NetworkingPort(TCP))
        if port.protocol == UDP:
            ports.append(NetworkingPort(UDP))
    else:
        if port.protocol == TCP:
            ports.append(NetworkingPort(TCP, traffic_port))
        elif port.protocol == UDP:
            ports.append(NetworkingPort(UDP, traffic_port))
            if health_check_port in (TRAFFIC_PORT, traffic_port):
                ports.append(NetworkingPort(TCP, traffic_port))
        if health_check_port != TRAFFIC_PORT and _as_int(health_check_port) != _as_int(
            traffic_port
        ):
            ports.append(NetworkingPort(TCP, health_check_port))
    peer = NetworkingPeer(security_group=SecurityGroupPeer(backend_group))
    return (NetworkingIngressRule(from_=(peer,), ports=tuple(ports)),)


def _cidr_peers(cidrs: list[str]) -> tuple[NetworkingPeer, ...]:
    return tuple(NetworkingPeer(ip_block=IpBlock(cidr)) for cidr in cidrs)


def _legacy_rules(
    ctx: BuildContext,
    port: ServicePort,
    *,
    traffic_port: int | str,
    health_check_port: int | str,
    preserve_client_ip: bool,
    ip_address_type: TargetGroupIpAddressType,
    load_balancer_subnet_cidrs: tuple[str, ...],
) -> tuple[NetworkingIngressRule, ...]:
    manage = ctx.annotations.boolean(c.MANAGE_BACKEND_SG_RULES)
    if manage is False:
        return ()
    ipv6 = ip_address_type is TargetGroupIpAddressType.IPV6
    subnet_cidrs = [] if ipv6 else list(load_balancer_subnet_cidrs)
    protocol = UDP if port.protocol == UDP else TCP
    source = subnet_cidrs
    default_used = False
    if protocol == UDP or preserve_client_ip:
        source = source_ranges(ctx)
        if not source:
            default_used = True
            source = ["::/0"] if ipv6 else ["0.0.0.0/0"]
            if ctx.scheme is Scheme.INTERNAL:
                source = list(ctx.view.vpc_cidrs)
    rules = [NetworkingIngressRule(_cidr_peers(source), (NetworkingPort(protocol, traffic_port),))]
    health_sources = subnet_cidrs
    same_port = health_check_port == TRAFFIC_PORT or _as_int(health_check_port) == _as_int(
        traffic_port
    )
    if (
        port.protocol != UDP
        and same_port
        and (not preserve_client_ip or default_used or {"0.0.0.0/0", "::/0"} & set(source))
    ):
        health_sources = []
    if health_sources:
        check_port = traffic_port if health_check_port == TRAFFIC_PORT else health_check_port
        rules.append(
            NetworkingIngressRule(_cidr_peers(health_sources), (NetworkingPort(TCP, check_port),))
        )
    return tuple(rules)


def build_binding_networking(
    ctx: BuildContext,
    port: ServicePort,
    *,
    traffic_port: int | str,
    health_check_port: int | str,
    security: SecurityGroupPlan,
    preserve_client_ip: bool,
    ip_address_type: TargetGroupIpAddressType,
    load_balancer_subnet_cidrs: tuple[str, ...],
) -> tuple[NetworkingIngressRule, ...]:
    if security.uses_security_groups:
        if security.backend_group is None:
            return ()
        return _security_group_rules(
            ctx,
            port,
            traffic_port=traffic_port,
            health_check_port=health_check_port,
            backend_group=security.backend_group,
        )
    return _legacy_rules(
        ctx,
        port,
        traffic_port=traffic_port,
        health_check_port=health_check_port,
        preserve_client_ip=preserve_client_ip,
        ip_address_type=ip_address_type,
        load_balancer_subnet_cidrs=load_balancer_subnet_cidrs,
    )
