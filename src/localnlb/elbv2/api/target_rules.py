"""Which targets a target group accepts (reference §3.5), with AWS's messages.

Instance targets must be known, running instances of the target group's VPC. IP targets must be
IPv4 addresses; inside a VPC subnet their zone is derived (overriding it to ``all`` is refused,
as AWS does); outside, ``AvailabilityZone`` is required. Because localnlb sends real traffic to
targets, addresses outside 127.0.0.0/8 are refused: nothing ever leaves the machine.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from localnlb.common.addressing import LOOPBACK_NETWORK
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import InvalidTarget
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.model.ec2 import InstanceState
from localnlb.elbv2.model.target_group import TargetGroup


def check_instance_targets(ctx: ApiContext, tg: TargetGroup, targets: list[dict[str, Any]]) -> None:
    found = {t["Id"]: ctx.store.instances.get(t["Id"]) for t in targets}
    unknown = [i for i, instance in found.items() if instance is None]
    if unknown:
        raise InvalidTarget(
            "The following targets are not valid instances: " + ", ".join(f"'{i}'" for i in unknown)
        )
    instances = [instance for instance in found.values() if instance is not None]
    not_running = [i.instance_id for i in instances if i.state is not InstanceState.RUNNING]
    if not_running:
        raise InvalidTarget(
            "The following targets are not in a running state and cannot be registered: "
            + ", ".join(f"'{i}'" for i in not_running)
        )
    other_vpc = [i.instance_id for i in instances if i.vpc_id != tg.vpc_id]
    if other_vpc:
        raise InvalidTarget(
            f"The following targets are not in the target group VPC '{tg.vpc_id}': "
            + ", ".join(f"'{i}'" for i in other_vpc)
        )


def ip_target_zone(ctx: ApiContext, target: dict[str, Any]) -> str | None:
    """The zone to store for an ip target: None (derived from its subnet) or what was given."""
    address = target["Id"]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as exc:
        raise ValidationError(f"The IP address '{address}' is not a valid IPv4 address") from exc
    if ip.version != 4 or ip not in LOOPBACK_NETWORK:
        raise InvalidTarget(
            f"The IP address '{address}' cannot be a target: localnlb only sends traffic to "
            "addresses in 127.0.0.0/8"
        )
    given = target.get("AvailabilityZone")
    zone = ctx.plan.zone_of(address)
    if zone is not None:
        if given == "all":
            raise ValidationError(
                f"The IP address '{address}' is within the VPC, and cannot have its Availability "
                f"Zone overridden to 'all' from '{zone}'"
            )
        if given is not None and given != zone:
            raise ValidationError(
                f"The IP address '{address}' is in Availability Zone '{zone}', not '{given}'"
            )
        return None
    if given is None:
        raise ValidationError(
            f"The Availability Zone is required for IP address '{address}' because it is not in "
            "the VPC"
        )
    if given != "all" and given not in ctx.plan.zone_names:
        raise ValidationError(f"The Availability Zone '{given}' is not valid")
    return str(given)


def check_target_ids(tg: TargetGroup, targets: list[dict[str, Any]]) -> None:
    if tg.target_type == "alb":
        raise InvalidTarget("Application Load Balancer targets are not supported by localnlb")
    for target in targets:
        if "QuicServerId" in target:
            raise ValidationError(
                "A QUIC server ID can only be specified for target groups with protocol QUIC "
                "or TCP_QUIC"
            )
