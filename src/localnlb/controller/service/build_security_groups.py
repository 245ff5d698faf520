"""The load balancer's security groups (reference §2.9).

By default an NLB gets two: a *managed frontend* group whose ingress admits the source ranges on
each listener port (this is what enforces ``load-balancer-source-ranges``; the data plane
applies it), and the cluster's *shared backend* group, which the targets' rules admit. With
``aws-load-balancer-security-groups`` the user's groups replace the managed one (the backend
group is then added only if backend rules are managed); with ``disable-nlb-sg`` (or the
NLBSecurityGroup gate off) the NLB has none and targets are opened by CIDR instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from localnlb.controller.model.enums import IpAddressType
from localnlb.controller.model.resources import (
    SECURITY_GROUP_TYPE,
    IpPermission,
    IpRange,
    Ipv6Range,
    PrefixList,
    Resource,
    SecurityGroupSpec,
)
from localnlb.controller.model.tokens import StringToken
from localnlb.controller.service import constants as c
from localnlb.controller.service.build_context import BuildContext
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.naming import managed_security_group_name

GROUP_ID_FIELD = "groupID"


@dataclass(frozen=True, slots=True)
class SecurityGroupPlan:
    managed: Resource[SecurityGroupSpec] | None
    load_balancer_groups: tuple[StringToken, ...]
    backend_group: str | None  # the group targets admit traffic from (None: CIDR rules)
    uses_security_groups: bool  # False: legacy NLB without security groups


def source_ranges(ctx: BuildContext) -> list[str]:
    """``spec.loadBalancerSourceRanges`` if set, else the source-ranges annotation."""
    ranges = list(ctx.service.load_balancer_source_ranges)
    if not ranges:
        ranges = ctx.annotations.string_list(c.SOURCE_RANGES) or []
    return ranges


def _ingress_cidrs(ctx: BuildContext, *, prefix_lists_configured: bool) -> list[str]:
    cidrs = source_ranges(ctx)
    for cidr in cidrs:
        if ":" in cidr and ctx.ip_address_type is not IpAddressType.DUALSTACK:
            raise BuildError(f"unsupported v6 cidr {cidr} when lb is not dualstack")
    if not cidrs and not prefix_lists_configured:
        cidrs = ["0.0.0.0/0"]
        if ctx.ip_address_type is IpAddressType.DUALSTACK:
            cidrs.append("::/0")
    return cidrs


def _managed_ingress(ctx: BuildContext) -> tuple[IpPermission, ...]:
    prefix_lists = ctx.annotations.string_list(c.SG_PREFIX_LISTS)
    cidrs = _ingress_cidrs(ctx, prefix_lists_configured=prefix_lists is not None)
    permissions: list[IpPermission] = []
    for port in ctx.service.ports:
        protocol = port.protocol.lower()
        for cidr in cidrs:
            if ":" in cidr:
                permission = IpPermission(
                    protocol, port.port, port.port, ipv6_ranges=(Ipv6Range(cidr),)
                )
            else:
                permission = IpPermission(
                    protocol, port.port, port.port, ip_ranges=(IpRange(cidr),)
                )
            permissions.append(permission)
        for list_id in prefix_lists or ():
            permissions.append(
                IpPermission(protocol, port.port, port.port, prefix_lists=(PrefixList(list_id),))
            )
    return tuple(permissions)


def build_managed_security_group(ctx: BuildContext) -> Resource[SecurityGroupSpec]:
    service = ctx.service
    spec = SecurityGroupSpec(
        group_name=managed_security_group_name(
            cluster_name=ctx.settings.cluster_name,
            namespace=service.namespace,
            name=service.name,
            uid=service.uid,
        ),
        description=c.MANAGED_SG_DESCRIPTION,
        tags=ctx.additional_tags,
        ingress=_managed_ingress(ctx),
    )
    return Resource(SECURITY_GROUP_TYPE, c.RESOURCE_ID_MANAGED_SECURITY_GROUP, spec)


def _resolve_custom_groups(ctx: BuildContext, names_or_ids: list[str]) -> tuple[str, ...]:
    resolved: list[str] = []
    for wanted in names_or_ids:
        if wanted.startswith("sg-"):
            resolved.append(wanted)
        elif wanted in ctx.view.security_groups_by_name:
            resolved.append(ctx.view.security_groups_by_name[wanted])
        else:
            raise BuildError(f"couldn't find all securityGroups, nameOrIDs: {names_or_ids}")
    return tuple(resolved)


def build_security_groups(ctx: BuildContext) -> SecurityGroupPlan:
    disabled = ctx.annotations.boolean(c.DISABLE_NLB_SG)
    if disabled or not ctx.settings.nlb_security_group:
        return SecurityGroupPlan(None, (), None, uses_security_groups=False)
    backend = (
        ctx.view.backend_security_group_id if ctx.settings.enable_backend_security_group else None
    )
    custom = ctx.annotations.string_list(c.SECURITY_GROUPS)
    if custom:
        groups = _resolve_custom_groups(ctx, custom)
        manage = ctx.annotations.boolean(c.MANAGE_BACKEND_SG_RULES)
        if manage is None:
            manage = ctx.settings.enable_manage_backend_security_group_rules
        if manage and backend is not None:
            return SecurityGroupPlan(None, (*groups, backend), backend, uses_security_groups=True)
        return SecurityGroupPlan(None, groups, None, uses_security_groups=True)
    managed = build_managed_security_group(ctx)
    groups_: tuple[StringToken, ...] = (managed.status_ref(GROUP_ID_FIELD),)
    if backend is not None:
        groups_ = (*groups_, backend)
    return SecurityGroupPlan(managed, groups_, backend, uses_security_groups=True)
