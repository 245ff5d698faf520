"""CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, SetSubnets, SetIpAddressType,
SetSecurityGroups for Network Load Balancers."""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.common.ids import hex_id
from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.attribute_rules import load_balancer_defaults
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    DuplicateLoadBalancerName,
    InvalidConfigurationRequest,
    InvalidSecurityGroup,
    LoadBalancerNotFound,
    OperationNotPermitted,
    TooManyLoadBalancers,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.limits import limit
from localnlb.elbv2.api.naming import check_load_balancer_name, tags_from_params
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.api.placement import requested_subnets, resolve_zones
from localnlb.elbv2.api.presenters import present_load_balancer, present_zone
from localnlb.elbv2.model.load_balancer import LoadBalancer

MAX_ARNS_PER_DESCRIBE = 20


def _check_type_and_address_type(params: dict[str, Any]) -> None:
    lb_type = params.get("Type", "application")
    if lb_type != "network":
        raise InvalidConfigurationRequest(
            f"Load balancers of type '{lb_type}' are not supported by localnlb; use --type network"
        )
    ip_type = params.get("IpAddressType", "ipv4")
    if ip_type == "dualstack-without-public-ipv4":
        raise InvalidConfigurationRequest(
            "IP address type 'dualstack-without-public-ipv4' is not supported for load "
            "balancers with type 'network'"
        )
    if ip_type == "dualstack":
        raise InvalidConfigurationRequest(
            "Dualstack requires subnets with IPv6 CIDR blocks; the localnlb VPC has none"
        )


def _security_groups(ctx: ApiContext, ids: list[str] | None) -> tuple[str, ...] | None:
    if ids is None:
        return None
    for group_id in ids:
        if ctx.store.security_groups.get(group_id) is None:
            raise InvalidSecurityGroup(f"Security group '{group_id}' does not exist")
    return tuple(ids)


def create_load_balancer(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    check_load_balancer_name(name)
    _check_type_and_address_type(params)
    scheme = params.get("Scheme", "internet-facing")
    mappings = requested_subnets(params)
    groups = _security_groups(ctx, params.get("SecurityGroups") or None)
    tags = tags_from_params(params.get("Tags"))
    now = ctx.now()
    existing = ctx.store.load_balancers.by_name(name)
    if existing is not None:
        same_subnets = {m["SubnetId"] for m in mappings} == {z.subnet_id for z in existing.zones}
        if existing.scheme == scheme and same_subnets and existing.security_groups == groups:
            return {
                "LoadBalancers": [
                    present_load_balancer(existing, region=ctx.settings.region, now=now)
                ]
            }
        raise DuplicateLoadBalancerName(
            f"A load balancer with the same name '{name}' exists, but with different settings"
        )
    if len(ctx.store.load_balancers) >= limit(ctx, "network-load-balancers"):
        raise TooManyLoadBalancers("The maximum number of load balancers has been reached")
    zones = resolve_zones(ctx, mappings, scheme=scheme)
    lb_id = hex_id(16)
    lb = LoadBalancer(
        arn=ctx.arns.load_balancer(name, lb_id),
        lb_id=lb_id,
        name=name,
        scheme=scheme,
        vpc_id=ctx.store.default_vpc.vpc_id,
        ip_address_type=params.get("IpAddressType", "ipv4"),
        created_at=now,
        active_at=now + ctx.settings.activation_delay_seconds,
        zones=zones,
        security_groups=groups,
        attributes=load_balancer_defaults(scheme=scheme),
    )
    with ctx.store.transaction():
        ctx.store.load_balancers.put(lb)
        ctx.store.tags.add(lb.arn, tags)
    ctx.changed()
    return {"LoadBalancers": [present_load_balancer(lb, region=ctx.settings.region, now=now)]}


def describe_load_balancers(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arns = params.get("LoadBalancerArns") or []
    names = params.get("Names") or []
    if arns and names:
        raise ValidationError(
            "Load balancer names and load balancer ARNs cannot be specified at the same time"
        )
    if len(arns) > MAX_ARNS_PER_DESCRIBE:
        raise ValidationError(
            f"You can specify up to {MAX_ARNS_PER_DESCRIBE} load balancer ARNs in a single call"
        )
    if arns:
        for arn in arns:
            lookups.check_load_balancer_arn(arn)
        found = [lb for arn in dict.fromkeys(arns) if (lb := ctx.store.load_balancers.get(arn))]
        if len(found) != len(set(arns)):
            raise LoadBalancerNotFound()
    elif names:
        found = [lb for n in dict.fromkeys(names) if (lb := ctx.store.load_balancers.by_name(n))]
        if len(found) != len(set(names)):
            missing = [n for n in names if ctx.store.load_balancers.by_name(n) is None]
            raise LoadBalancerNotFound(f"Load balancers '[{', '.join(missing)}]' not found")
    else:
        found = list(ctx.store.load_balancers.values())
    page, next_marker = paginate(
        found, marker=params.get("Marker"), page_size=params.get("PageSize")
    )
    now = ctx.now()
    region = ctx.settings.region
    result: dict[str, Any] = {
        "LoadBalancers": [present_load_balancer(lb, region=region, now=now) for lb in page]
    }
    if next_marker is not None:
        result["NextMarker"] = next_marker
    return result


def delete_load_balancer(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["LoadBalancerArn"]
    lookups.check_load_balancer_arn(arn)
    lb = ctx.store.load_balancers.get(arn)
    if lb is None:
        return {}  # deleting a deleted load balancer succeeds (all ELBv2 calls are idempotent)
    if lb.attributes.get("deletion_protection.enabled") == "true":
        raise OperationNotPermitted(
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
        )
    with ctx.store.transaction():
        for listener in ctx.store.listeners.of_load_balancer(arn):
            ctx.store.listeners.delete(listener.arn)
            ctx.store.tags.remove(listener.arn, list(ctx.store.tags.of(listener.arn)))
        ctx.store.load_balancers.delete(arn)
        ctx.store.tags.remove(arn, list(ctx.store.tags.of(arn)))
    ctx.changed()
    return {}


def set_subnets(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    if params.get("IpAddressType") not in (None, "ipv4"):
        _check_type_and_address_type({"Type": "network", "IpAddressType": params["IpAddressType"]})
    zones = resolve_zones(
        ctx, requested_subnets(params), scheme=lb.scheme, keep=lb.zones, exclude_lb_arn=lb.arn
    )
    updated = dataclasses.replace(lb, zones=zones)
    with ctx.store.transaction():
        ctx.store.load_balancers.put(updated)
    ctx.changed()
    return {
        "AvailabilityZones": [present_zone(z) for z in zones],
        "IpAddressType": updated.ip_address_type,
        "EnablePrefixForIpv6SourceNat": "off",
    }


def set_ip_address_type(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    _check_type_and_address_type({"Type": "network", "IpAddressType": params["IpAddressType"]})
    return {"IpAddressType": lb.ip_address_type}


def set_security_groups(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb = lookups.load_balancer(ctx, params["LoadBalancerArn"])
    if lb.security_groups is None:
        raise InvalidConfigurationRequest(
            "You can't set security groups on a Network Load Balancer that was created "
            "without security groups"
        )
    groups = _security_groups(ctx, params.get("SecurityGroups") or [])
    enforce = params.get("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
    updated = dataclasses.replace(
        lb,
        security_groups=groups,
        enforce_sg_on_private_link=enforce or lb.enforce_sg_on_private_link,
    )
    with ctx.store.transaction():
        ctx.store.load_balancers.put(updated)
    ctx.changed()
    return {
        "SecurityGroupIds": list(groups or ()),
        "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": (
            updated.enforce_sg_on_private_link or "on"
        ),
    }
