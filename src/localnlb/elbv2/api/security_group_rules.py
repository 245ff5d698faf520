"""Security-group ingress rules: from the request's forms (``IpPermissions`` or the legacy
``CidrIp``/``IpProtocol``/``FromPort``/``ToPort`` members) to rules, and back to the wire."""

from __future__ import annotations

import ipaddress
from typing import Any

from localnlb.common.ids import ec2_id
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.ec2_errors import InvalidGroupNotFound, InvalidParameterValue
from localnlb.elbv2.model.ec2 import IngressRule

PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}


def _protocol(raw: str) -> str:
    value = PROTOCOL_NUMBERS.get(raw.lower(), raw.lower())
    if value not in ("tcp", "udp", "icmp", "-1"):
        raise InvalidParameterValue(f"Invalid value '{raw}' for IP protocol. Unknown protocol.")
    return value


def requested_rules(ctx: ApiContext, params: dict[str, Any]) -> list[IngressRule]:
    permissions = list(params.get("IpPermissions") or [])
    if params.get("CidrIp") or params.get("IpProtocol"):
        permissions.append(
            {
                "IpProtocol": params.get("IpProtocol", "-1"),
                "FromPort": params.get("FromPort"),
                "ToPort": params.get("ToPort"),
                "IpRanges": [{"CidrIp": params["CidrIp"]}] if params.get("CidrIp") else [],
            }
        )
    rules: list[IngressRule] = []
    for permission in permissions:
        protocol = _protocol(str(permission.get("IpProtocol", "-1")))
        from_port = permission.get("FromPort") if protocol != "-1" else None
        to_port = permission.get("ToPort") if protocol != "-1" else None
        if protocol in ("tcp", "udp") and (from_port is None or to_port is None):
            raise InvalidParameterValue(
                "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."
            )
        for ip_range in permission.get("IpRanges") or []:
            cidr = ip_range.get("CidrIp", "")
            try:
                ipaddress.IPv4Network(cidr, strict=False)
            except ValueError as exc:
                raise InvalidParameterValue(f"CIDR block {cidr} is malformed") from exc
            rules.append(
                IngressRule(
                    ec2_id("sgr"),
                    protocol,
                    from_port,
                    to_port,
                    cidr_ipv4=cidr,
                    description=ip_range.get("Description"),
                )
            )
        for pair in permission.get("UserIdGroupPairs") or []:
            source = pair.get("GroupId", "")
            if ctx.store.security_groups.get(source) is None:
                raise InvalidGroupNotFound(f"The security group '{source}' does not exist")
            rules.append(
                IngressRule(
                    ec2_id("sgr"),
                    protocol,
                    from_port,
                    to_port,
                    source_group_id=source,
                    description=pair.get("Description"),
                )
            )
    if not rules:
        raise InvalidParameterValue("The request must specify at least one source (CIDR or group)")
    return rules


def same_rule(a: IngressRule, b: IngressRule) -> bool:
    return (a.ip_protocol, a.from_port, a.to_port, a.cidr_ipv4, a.source_group_id) == (
        b.ip_protocol,
        b.from_port,
        b.to_port,
        b.cidr_ipv4,
        b.source_group_id,
    )


def present_rule(ctx: ApiContext, group_id: str, rule: IngressRule) -> dict[str, Any]:
    result: dict[str, Any] = {
        "SecurityGroupRuleId": rule.rule_id,
        "GroupId": group_id,
        "GroupOwnerId": ctx.settings.account_id,
        "IsEgress": False,
        "IpProtocol": rule.ip_protocol,
        "FromPort": rule.from_port if rule.from_port is not None else -1,
        "ToPort": rule.to_port if rule.to_port is not None else -1,
        "CidrIpv4": rule.cidr_ipv4,
        "Description": rule.description,
    }
    if rule.source_group_id:
        result["ReferencedGroupInfo"] = {
            "GroupId": rule.source_group_id,
            "UserId": ctx.settings.account_id,
        }
    return result


def present_permissions(ctx: ApiContext, rules: tuple[IngressRule, ...]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for rule in rules:
        key = (rule.ip_protocol, rule.from_port, rule.to_port)
        permission = grouped.setdefault(
            key,
            {
                "IpProtocol": rule.ip_protocol,
                "FromPort": rule.from_port,
                "ToPort": rule.to_port,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            },
        )
        if rule.cidr_ipv4:
            permission["IpRanges"].append(
                {"CidrIp": rule.cidr_ipv4, "Description": rule.description}
            )
        if rule.source_group_id:
            permission["UserIdGroupPairs"].append(
                {"GroupId": rule.source_group_id, "UserId": ctx.settings.account_id}
            )
    return list(grouped.values())
