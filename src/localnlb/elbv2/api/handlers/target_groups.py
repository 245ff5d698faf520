"""CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup."""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.common.ids import hex_id
from localnlb.elbv2.api import lookups
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    DuplicateTargetGroupName,
    InvalidConfigurationRequest,
    ResourceInUse,
    TargetGroupNotFound,
    TooManyTargetGroups,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.api.health_check_rules import (
    check_health_check,
    check_health_check_request,
    merge_health_check,
)
from localnlb.elbv2.api.limits import limit
from localnlb.elbv2.api.naming import check_target_group_name, tags_from_params
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.api.presenters import present_target_group
from localnlb.elbv2.api.target_group_attribute_rules import target_group_defaults
from localnlb.elbv2.model.target_group import TargetGroup, default_health_check

NLB_TARGET_GROUP_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")
SUPPORTED_TARGET_TYPES = ("instance", "ip", "alb")


def _check_create(ctx: ApiContext, params: dict[str, Any]) -> tuple[str, int, str, str]:
    check_target_group_name(params["Name"])
    target_type = params.get("TargetType", "instance")
    if target_type not in SUPPORTED_TARGET_TYPES:
        raise InvalidConfigurationRequest(
            f"Target type '{target_type}' is not supported by Network Load Balancers"
        )
    protocol = params.get("Protocol")
    if protocol is None:
        raise ValidationError("A protocol must be specified")
    if params.get("Port") is None:
        raise ValidationError("A port must be specified")
    vpc_id = params.get("VpcId")
    if vpc_id is None:
        raise ValidationError("A VPC ID must be specified")
    if protocol not in NLB_TARGET_GROUP_PROTOCOLS:
        raise InvalidConfigurationRequest(
            f"Target group protocol '{protocol}' is not supported by localnlb, which emulates "
            f"Network Load Balancers; use one of '{', '.join(NLB_TARGET_GROUP_PROTOCOLS)}'"
        )
    if target_type == "alb" and protocol != "TCP":
        raise ValidationError("Target groups with target type 'alb' must use the TCP protocol")
    if ctx.store.vpcs.get(vpc_id) is None:
        raise ValidationError(f"The VPC ID '{vpc_id}' is not found")
    if params.get("IpAddressType", "ipv4") != "ipv4":
        raise InvalidConfigurationRequest(
            "IPv6 target groups are not supported: the VPC has no IPv6 CIDR"
        )
    if "ProtocolVersion" in params:
        raise ValidationError(
            "A protocol version can only be specified with HTTP or HTTPS protocols"
        )
    if "TargetControlPort" in params:
        raise InvalidConfigurationRequest(
            "A target control port can only be specified for Application Load Balancer "
            "target groups"
        )
    return protocol, int(params["Port"]), vpc_id, target_type


def create_target_group(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    protocol, port, vpc_id, target_type = _check_create(ctx, params)
    default = default_health_check(protocol=protocol, target_type=target_type)
    check_health_check_request(params, protocol=protocol, current_hc_protocol=default.protocol)
    health_check = merge_health_check(default, params)
    check_health_check(health_check, target_type=target_type, protocol=protocol)
    tags = tags_from_params(params.get("Tags"))
    name = params["Name"]
    existing = ctx.store.target_groups.by_name(name)
    if existing is not None:
        same = (existing.protocol, existing.port, existing.vpc_id, existing.target_type) == (
            protocol,
            port,
            vpc_id,
            target_type,
        ) and existing.health_check == health_check
        if same:
            return {"TargetGroups": [_present(ctx, existing, omit_empty_lbs=True)]}
        raise DuplicateTargetGroupName(
            f"A target group with the same name '{name}' exists, but with different settings"
        )
    if len(ctx.store.target_groups) >= limit(ctx, "target-groups"):
        raise TooManyTargetGroups("The maximum number of target groups has been reached")
    tg_id = hex_id(16)
    tg = TargetGroup(
        arn=ctx.arns.target_group(name, tg_id),
        tg_id=tg_id,
        name=name,
        protocol=protocol,
        port=port,
        vpc_id=vpc_id,
        target_type=target_type,
        ip_address_type="ipv4",
        health_check=health_check,
        attributes=target_group_defaults(protocol=protocol, target_type=target_type),
    )
    with ctx.store.transaction():
        ctx.store.target_groups.put(tg)
        ctx.store.tags.add(tg.arn, tags)
    ctx.changed()
    return {"TargetGroups": [_present(ctx, tg, omit_empty_lbs=True)]}


def _present(ctx: ApiContext, tg: TargetGroup, *, omit_empty_lbs: bool = False) -> dict[str, Any]:
    """AWS leaves ``LoadBalancerArns`` out of CreateTargetGroup's answer; Describe shows ``[]``."""
    arns = [lb.arn for lb in lookups.load_balancers_of_target_group(ctx, tg.arn)]
    presented = present_target_group(tg, load_balancer_arns=arns)
    if omit_empty_lbs and not arns:
        del presented["LoadBalancerArns"]
    return presented


def describe_target_groups(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn = params.get("LoadBalancerArn")
    arns = params.get("TargetGroupArns") or []
    names = params.get("Names") or []
    if sum(1 for given in (lb_arn, arns, names) if given) > 1:
        raise ValidationError(
            "You can specify only one of load balancer ARN, target group ARNs or target group names"
        )
    if lb_arn:
        lookups.load_balancer(ctx, lb_arn)
        used = {li.action.target_group_arn for li in ctx.store.listeners.of_load_balancer(lb_arn)}
        found = [tg for tg in ctx.store.target_groups.values() if tg.arn in used]
    elif arns:
        for arn in arns:
            lookups.check_target_group_arn(arn)
        found = [tg for arn in dict.fromkeys(arns) if (tg := ctx.store.target_groups.get(arn))]
        if len(found) != len(set(arns)):
            raise TargetGroupNotFound()
    elif names:
        found = [tg for n in dict.fromkeys(names) if (tg := ctx.store.target_groups.by_name(n))]
        if len(found) != len(set(names)):
            raise TargetGroupNotFound()
    else:
        found = list(ctx.store.target_groups.values())
    page, next_marker = paginate(
        found, marker=params.get("Marker"), page_size=params.get("PageSize")
    )
    result: dict[str, Any] = {"TargetGroups": [_present(ctx, tg) for tg in page]}
    if next_marker is not None:
        result["NextMarker"] = next_marker
    return result


def modify_target_group(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    tg = lookups.target_group(ctx, params["TargetGroupArn"])
    check_health_check_request(
        params, protocol=tg.protocol, current_hc_protocol=tg.health_check.protocol
    )
    health_check = merge_health_check(tg.health_check, params)
    check_health_check(health_check, target_type=tg.target_type, protocol=tg.protocol)
    updated = dataclasses.replace(tg, health_check=health_check)
    with ctx.store.transaction():
        ctx.store.target_groups.put(updated)
    ctx.changed()
    return {"TargetGroups": [_present(ctx, updated)]}


def delete_target_group(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["TargetGroupArn"]
    lookups.check_target_group_arn(arn)
    if ctx.store.target_groups.get(arn) is None:
        return {}
    if ctx.store.listeners.using_target_group(arn):
        raise ResourceInUse(f"Target group '{arn}' is currently in use by a listener or a rule")
    with ctx.store.transaction():
        ctx.store.registrations.delete_group(arn)
        ctx.store.target_groups.delete(arn)
        ctx.store.tags.remove(arn, list(ctx.store.tags.of(arn)))
    ctx.changed()
    return {}
