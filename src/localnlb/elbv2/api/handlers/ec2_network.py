"""DescribeVpcs, DescribeSubnets, DescribeAvailabilityZones: the default VPC of the address plan
and its one subnet per AZ (ids created once per state dir and kept)."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import (
    InvalidParameterValue,
    InvalidSubnetIdNotFound,
    InvalidVpcIdNotFound,
)
from localnlb.elbv2.api.ec2_filters import check_filter_names, matches, present_tags
from localnlb.elbv2.api.pagination import paginate
from localnlb.elbv2.model.ec2 import Subnet, Vpc


def _vpc_fields(vpc: Vpc) -> dict[str, Any]:
    return {
        "vpc-id": lambda: [vpc.vpc_id],
        "cidr": lambda: [vpc.cidr],
        "cidr-block-association.cidr-block": lambda: [vpc.cidr],
        "is-default": lambda: ["true" if vpc.is_default else "false"],
        "state": lambda: ["available"],
        "owner-id": list,
    }


def describe_vpcs(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    filters = params.get("Filters")
    check_filter_names(filters, _vpc_fields(ctx.store.default_vpc))
    ids = params.get("VpcIds") or []
    for vpc_id in ids:
        if ctx.store.vpcs.get(vpc_id) is None:
            raise InvalidVpcIdNotFound(f"The vpc ID '{vpc_id}' does not exist")
    vpcs = [
        v
        for v in ctx.store.vpcs.values()
        if (not ids or v.vpc_id in ids)
        and matches(filters, fields=_vpc_fields(v), tags=ctx.store.tags.of(v.vpc_id))
    ]
    return {"Vpcs": [_present_vpc(ctx, v) for v in vpcs]}


def _present_vpc(ctx: ApiContext, vpc: Vpc) -> dict[str, Any]:
    return {
        "VpcId": vpc.vpc_id,
        "CidrBlock": vpc.cidr,
        "State": "available",
        "DhcpOptionsId": "default",
        "InstanceTenancy": "default",
        "IsDefault": vpc.is_default,
        "OwnerId": ctx.settings.account_id,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{vpc.vpc_id[4:]}",
                "CidrBlock": vpc.cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "Tags": present_tags(ctx.store.tags.of(vpc.vpc_id)),
    }


def _subnet_fields(subnet: Subnet) -> dict[str, Any]:
    return {
        "subnet-id": lambda: [subnet.subnet_id],
        "vpc-id": lambda: [subnet.vpc_id],
        "availability-zone": lambda: [subnet.zone_name],
        "availability-zone-id": lambda: [subnet.zone_id],
        "cidr-block": lambda: [subnet.cidr],
        "cidrBlock": lambda: [subnet.cidr],
        "default-for-az": lambda: ["false"],
        "state": lambda: ["available"],
    }


def describe_subnets(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    filters = params.get("Filters")
    subnets = list(ctx.store.subnets.values())
    if subnets:
        check_filter_names(filters, _subnet_fields(subnets[0]))
    ids = params.get("SubnetIds") or []
    for subnet_id in ids:
        if ctx.store.subnets.get(subnet_id) is None:
            raise InvalidSubnetIdNotFound(f"The subnet ID '{subnet_id}' does not exist")
    found = [
        s
        for s in subnets
        if (not ids or s.subnet_id in ids)
        and matches(filters, fields=_subnet_fields(s), tags=ctx.store.tags.of(s.subnet_id))
    ]
    page, token = paginate(
        found, marker=params.get("NextToken"), page_size=params.get("MaxResults")
    )
    result: dict[str, Any] = {"Subnets": [_present_subnet(ctx, s) for s in page]}
    if token is not None:
        result["NextToken"] = token
    return result


def _present_subnet(ctx: ApiContext, subnet: Subnet) -> dict[str, Any]:
    available = ipaddress.IPv4Network(subnet.cidr).num_addresses - 5
    return {
        "SubnetId": subnet.subnet_id,
        "SubnetArn": (
            f"arn:aws:ec2:{ctx.settings.region}:{ctx.settings.account_id}:subnet/{subnet.subnet_id}"
        ),
        "VpcId": subnet.vpc_id,
        "AvailabilityZone": subnet.zone_name,
        "AvailabilityZoneId": subnet.zone_id,
        "CidrBlock": subnet.cidr,
        "AvailableIpAddressCount": available,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "State": "available",
        "OwnerId": ctx.settings.account_id,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": present_tags(ctx.store.tags.of(subnet.subnet_id)),
    }


def describe_availability_zones(ctx: ApiContext, params: dict[str, Any]) -> dict[str, Any]:
    names = params.get("ZoneNames") or []
    zone_ids = params.get("ZoneIds") or []
    known = {az.zone_name for az in ctx.plan.subnets} | {az.zone_id for az in ctx.plan.subnets}
    for wanted in [*names, *zone_ids]:
        if wanted not in known:
            raise InvalidParameterValue(f"The zone '{wanted}' does not exist.")
    zones = []
    for az in ctx.plan.subnets:
        if names and az.zone_name not in names:
            continue
        if zone_ids and az.zone_id not in zone_ids:
            continue
        fields: dict[str, Callable[[], list[str]]] = {
            "zone-name": functools.partial(list, [az.zone_name]),
            "zone-id": functools.partial(list, [az.zone_id]),
            "region-name": lambda: [ctx.settings.region],
            "state": lambda: ["available"],
            "zone-type": lambda: ["availability-zone"],
            "group-name": lambda: [ctx.settings.region],
        }
        check_filter_names(params.get("Filters"), fields)
        if not matches(params.get("Filters"), fields=fields, tags={}):
            continue
        zones.append(
            {
                "State": "available",
                "OptInStatus": "opt-in-not-required",
                "Messages": [],
                "RegionName": ctx.settings.region,
                "ZoneName": az.zone_name,
                "ZoneId": az.zone_id,
                "GroupName": ctx.settings.region,
                "NetworkBorderGroup": ctx.settings.region,
                "ZoneType": "availability-zone",
            }
        )
    return {"AvailabilityZones": zones}
