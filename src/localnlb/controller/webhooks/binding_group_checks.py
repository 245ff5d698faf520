"""What the TargetGroupBinding validator checks against ELBv2 on CREATE, pure: the binding's IP
address type, VPC and protocol must be the target group's (reference §2.10). The shell asks
DescribeTargetGroups for the binding's ARN once and hands the answer in as :class:`Described`;
a group that cannot be described refuses the binding, with the real webhook's wrapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Raw = dict[str, Any]
VPC_ID = re.compile(r"^(?:vpc-[0-9a-f]{8}|vpc-[0-9a-f]{17}|vpc-[0-9a-f]{32})$")
QUIC_PROTOCOLS = ("QUIC", "TCP_QUIC")


@dataclass(frozen=True, slots=True)
class Described:
    """DescribeTargetGroups by ARN: the groups found, or why AWS could not say."""

    groups: tuple[Raw, ...] = ()
    error: str | None = None


class _Unknown(Exception):
    """The group cannot be read; the message says why."""


def _group(described: Described) -> Raw:
    if described.error is not None:
        raise _Unknown(described.error)
    if len(described.groups) != 1:
        raise _Unknown(f"expecting a single targetGroup but got {len(described.groups)}")
    return described.groups[0]


def _address_type(group: Raw) -> str:
    found = str(group.get("IpAddressType") or "")
    if found in ("", "ipv4"):
        return "ipv4"
    if found == "ipv6":
        return "ipv6"
    raise _Unknown(f"unsupported IPAddressType: {found}")


def address_and_vpc_refusal(
    *, arn: str, ip_address_type: str | None, vpc_id: str, described: Described
) -> str | None:
    """An absent IP address type means ``ipv4``; an absent VPC is not checked."""
    try:
        group_type = _address_type(_group(described))
    except _Unknown as unknown:
        return f"unable to get target group IP address type: {unknown}"
    if (ip_address_type or "ipv4") != group_type:
        return f"invalid IP address type {group_type} for TargetGroup {arn}"
    if not vpc_id:
        return None
    if not VPC_ID.match(vpc_id):
        return (
            f"ValidationError: vpcID {vpc_id} failed to satisfy constraint: VPC Id must begin"
            " with 'vpc-' followed by 8, 17 or 32 lowercase letters (a-f) or numbers."
        )
    if str(_group(described).get("VpcId") or "") != vpc_id:
        return f"invalid VpcID {vpc_id} doesnt match VpcID from TargetGroup {arn}"
    return None


def protocol_refusal(
    *, arn: str, protocol: str | None, target_type: str | None, described: Described
) -> str | None:
    """Bindings without ``targetGroupProtocol`` (older ones) are not checked."""
    if protocol is None:
        return None
    try:
        group_protocol = str(_group(described).get("Protocol") or "")
    except _Unknown as unknown:
        return f"unable to get target group protocol: {unknown}"
    if group_protocol != protocol:
        return f"TargetGroup {arn} protocol differs (got {protocol}, expected {group_protocol})"
    if group_protocol in QUIC_PROTOCOLS and target_type == "instance":
        return "QUIC protocol is not supported for Instance target types."
    return None
