"""Create/Delete/DescribeSecurityGroups and Authorize/RevokeSecurityGroupIngress.

Only inbound rules matter here: a load balancer's security groups decide which source CIDRs the
data plane admits (the routing snapshot's ``allowed_source_cidrs``). Egress is allow-all.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from localnlb.common.ids import ec2_id
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import (
    DependencyViolation,
    DryRunOperation,
    InvalidGroupDuplicate,
    InvalidGroupNotFound,
    InvalidParameterValue,
    InvalidPermissionDuplicate,
    InvalidPermissionNotFound,
    InvalidVpcIdNotFound,
    MissingParameter,
)
from localnlb.elbv2.api.ec2_filters import check_filter_names, matches, present_tags
from localnlb.elbv2.api.handlers.ec2_instances import tag_specifications
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.api.security_group_rules import (
    present_permissions,
    present_rule,
    requested_rules,
    same_rule,
)
from localnlb.elbv2.model.ec2 import SecurityGroup


def create_security_group(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    name, description = params["GroupName"], params["Description"]
    vpc_id = params.get("VpcId") or ctx.store.default_vpc.vpc_id
    if ctx.store.vpcs.get(vpc_id) is None:
        raise InvalidVpcIdNotFound(f"The vpc ID '{vpc_id}' does not exist")
    if name.startswith("sg-"):
        raise InvalidParameterValue("Group names may not be in the format sg-*.")
    if len(name) > 255 or len(description) > 255:
        raise InvalidParameterValue("Group name and description must be at most 255 characters")
    if ctx.store.security_groups.by_name(vpc_id, name) is not None:
        raise InvalidGroupDuplicate(
            f"The security group '{name}' already exists for VPC '{vpc_id}'"
        )
    group = SecurityGroup(ec2_id("sg"), name, description, vpc_id)
    tags = tag_specifications(params, "security-group")
    with ctx.store.transaction():
        ctx.store.security_groups.put(group)
        ctx.store.tags.add(group.group_id, tags)
    return {
        "GroupId": group.group_id,
        "Tags": present_tags(tags) or None,
        "SecurityGroupArn": _arn(ctx, group.group_id),
    }


def _arn(ctx: ApiContext, group_id: str) -> str:
    return f"arn:aws:ec2:{ctx.settings.region}:{ctx.settings.account_id}:security-group/{group_id}"


def _group(ctx: ApiContext, params: dict[str, Any]) -> SecurityGroup:
    group_id = params.get("GroupId")
    if group_id:
        group = ctx.store.security_groups.get(group_id)
        if group is None:
            raise InvalidGroupNotFound(f"The security group '{group_id}' does not exist")
        return group
    name = params.get("GroupName")
    if not name:
        raise MissingParameter("The request must contain the parameter groupName or groupId")
    by_name = ctx.store.security_groups.by_name(ctx.store.default_vpc.vpc_id, name)
    if by_name is None:
        raise InvalidGroupNotFound(
            f"The security group '{name}' does not exist in default VPC "
            f"'{ctx.store.default_vpc.vpc_id}'"
        )
    return by_name


def delete_security_group(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    group = _group(ctx, params)
    if group.name == "default":
        raise InvalidParameterValue("The default security group cannot be deleted")
    users = [
        lb
        for lb in ctx.store.load_balancers.values()
        if group.group_id in (lb.security_groups or ())
    ]
    users_i = [
        i
        for i in ctx.store.instances.values()
        if group.group_id in i.security_group_ids and i.state.value != "terminated"
    ]
    if users or users_i:
        raise DependencyViolation(f"resource {group.group_id} has a dependent object")
    with ctx.store.transaction():
        ctx.store.security_groups.delete(group.group_id)
        ctx.store.tags.remove(group.group_id, list(ctx.store.tags.of(group.group_id)))
    return {"Return": True, "GroupId": group.group_id}


def authorize_security_group_ingress(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    group = _group(ctx, params)
    new = requested_rules(ctx, params)
    for rule in new:
        if any(same_rule(rule, old) for old in group.ingress):
            raise InvalidPermissionDuplicate(
                f'the specified rule "peer: {rule.cidr_ipv4 or rule.source_group_id}, '
                f"{rule.ip_protocol.upper()}, from port: {rule.from_port}, to port: "
                f'{rule.to_port}, ALLOW" already exists'
            )
    updated = dataclasses.replace(group, ingress=group.ingress + tuple(new))
    with ctx.store.transaction():
        ctx.store.security_groups.put(updated)
    ctx.changed()
    return {
        "Return": True,
        "SecurityGroupRules": [present_rule(ctx, group.group_id, r) for r in new],
    }


def revoke_security_group_ingress(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DryRun"):
        raise DryRunOperation()
    group = _group(ctx, params)
    rule_ids = params.get("SecurityGroupRuleIds") or []
    removing = requested_rules(ctx, params) if not rule_ids else []
    kept = []
    removed = 0
    for old in group.ingress:
        if old.rule_id in rule_ids or any(same_rule(r, old) for r in removing):
            removed += 1
        else:
            kept.append(old)
    if removed < max(len(rule_ids), len(removing)):
        raise InvalidPermissionNotFound("The specified rule does not exist in this security group.")
    with ctx.store.transaction():
        ctx.store.security_groups.put(dataclasses.replace(group, ingress=tuple(kept)))
    ctx.changed()
    return {"Return": True}


def _fields(group: SecurityGroup) -> dict[str, Any]:
    return {
        "group-id": lambda: [group.group_id],
        "group-name": lambda: [group.name],
        "vpc-id": lambda: [group.vpc_id],
        "description": lambda: [group.description],
        "ip-permission.cidr": lambda: [r.cidr_ipv4 for r in group.ingress if r.cidr_ipv4],
        "ip-permission.group-id": lambda: [
            r.source_group_id for r in group.ingress if r.source_group_id
        ],
    }


def describe_security_groups(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("GroupIds") or []
    names = params.get("GroupNames") or []
    filters = params.get("Filters")
    groups = list(ctx.store.security_groups.values())
    if groups:
        check_filter_names(filters, _fields(groups[0]))
    for group_id in ids:
        if ctx.store.security_groups.get(group_id) is None:
            raise InvalidGroupNotFound(f"The security group '{group_id}' does not exist")
    for name in names:
        if ctx.store.security_groups.by_name(ctx.store.default_vpc.vpc_id, name) is None:
            raise InvalidGroupNotFound(f"The security group '{name}' does not exist")
    found = [
        g
        for g in groups
        if (not ids or g.group_id in ids)
        and (not names or g.name in names)
        and matches(filters, fields=_fields(g), tags=ctx.store.tags.of(g.group_id))
    ]
    page, token = paginate(
        found, marker=params.get("NextToken"), page_size=params.get("MaxResults")
    )
    result: dict[str, Any] = {
        "SecurityGroups": [
            {
                "GroupId": g.group_id,
                "GroupName": g.name,
                "Description": g.description,
                "VpcId": g.vpc_id,
                "OwnerId": ctx.settings.account_id,
                "SecurityGroupArn": _arn(ctx, g.group_id),
                "IpPermissions": present_permissions(ctx, g.ingress),
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": present_tags(ctx.store.tags.of(g.group_id)) or None,
            }
            for g in page
        ]
    }
    if token is not None:
        result["NextToken"] = token
    return result
