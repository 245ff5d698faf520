"""Where a registered target is: its address, its zone and (instances) its state.

Instance targets resolve to the instance's private IP and subnet zone; ip targets to their
address and the zone whose subnet holds it (or what was registered: ``all``, a zone name for
out-of-VPC addresses). Both DescribeTargetHealth and the routing snapshot use this.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from localnlb.common.addressing import AddressPlan
from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.model.health_view import TargetPlacement
from localnlb.elbv2.model.target import Registration
from localnlb.elbv2.model.target_group import TargetGroup


@functools.lru_cache(maxsize=65536)
def _zone_of(plan: AddressPlan, address: str) -> str | None:
    """Cached: DescribeTargetHealth and the snapshot ask this for every target, every time."""
    return plan.zone_of(address)


@dataclass(frozen=True, slots=True)
class ResolvedTarget:
    address: str | None
    placement: TargetPlacement


def resolve_target(ctx: ApiContext, tg: TargetGroup, registration: Registration) -> ResolvedTarget:
    if tg.target_type == "instance":
        instance = ctx.store.instances.get(registration.target_id)
        if instance is None:
            return ResolvedTarget(None, TargetPlacement(None, "terminated"))
        return ResolvedTarget(
            instance.private_ip, TargetPlacement(instance.zone_name, instance.state.value)
        )
    zone = registration.availability_zone or _zone_of(ctx.plan, registration.target_id)
    return ResolvedTarget(registration.target_id, TargetPlacement(zone))
