"""Where a load balancer lives: subnets (or subnet mappings) → one :class:`LbZone` per AZ, each
with an LB-node address from that subnet's ``lb_nodes`` range of the address plan.

Addresses are allocated once and kept for the load balancer's life (AWS's NLB node IPs are
static); SetSubnets keeps the zones that stay and allocates only for new ones.
"""

from __future__ import annotations

from typing import Any

from localnlb.elbv2.api.context import ApiContext
from localnlb.elbv2.api.elbv2_errors import (
    AllocationIdNotFound,
    InvalidConfigurationRequest,
    InvalidSubnet,
    SubnetNotFound,
)
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.model.ec2 import Subnet
from localnlb.elbv2.model.load_balancer import LbZone


def requested_subnets(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Subnets xor SubnetMappings, as a list of mapping dicts (``SubnetId`` and options)."""
    subnets = params.get("Subnets")
    mappings = params.get("SubnetMappings")
    if subnets and mappings:
        raise ValidationError("You can specify subnets or subnet mappings, but not both")
    if subnets:
        return [{"SubnetId": s} for s in subnets]
    if mappings:
        if any(not m.get("SubnetId") for m in mappings):
            raise ValidationError("A subnet ID must be specified for every subnet mapping")
        return list(mappings)
    raise ValidationError("At least one subnet must be specified")


def resolve_zones(
    ctx: ApiContext,
    mappings: list[dict[str, Any]],
    *,
    scheme: str,
    keep: tuple[LbZone, ...] = (),
    exclude_lb_arn: str | None = None,
) -> tuple[LbZone, ...]:
    subnets: list[tuple[Subnet, dict[str, Any]]] = []
    for mapping in mappings:
        subnet = ctx.store.subnets.get(mapping["SubnetId"])
        if subnet is None:
            raise SubnetNotFound(f"The subnet ID '{mapping['SubnetId']}' is not valid")
        subnets.append((subnet, mapping))
    zones = [s.zone_name for s, _ in subnets]
    if len(set(zones)) != len(zones):
        raise InvalidConfigurationRequest("You can specify only one subnet per Availability Zone")
    if len({s.vpc_id for s, _ in subnets}) > 1:
        raise InvalidConfigurationRequest("All subnets must belong to the same VPC")
    used = _used_addresses(ctx, exclude_lb_arn)
    kept = {z.zone_name: z for z in keep}
    result = []
    for subnet, mapping in subnets:
        if mapping.get("AllocationId"):
            raise AllocationIdNotFound(
                f"The allocation ID '{mapping['AllocationId']}' does not exist"
            )
        previous = kept.get(subnet.zone_name)
        if previous is not None and previous.subnet_id == subnet.subnet_id:
            result.append(previous)
            continue
        private = mapping.get("PrivateIPv4Address")
        if private is not None and scheme != "internal":
            raise InvalidConfigurationRequest(
                "Private IPv4 addresses can be specified only for internal load balancers"
            )
        address = _allocate(ctx, subnet, used, wanted=private)
        used.add(address)
        result.append(
            LbZone(subnet.zone_name, subnet.subnet_id, address, private_ipv4_address=private)
        )
    return tuple(sorted(result, key=lambda z: z.zone_name))


def _used_addresses(ctx: ApiContext, exclude_lb_arn: str | None) -> set[str]:
    return {
        zone.node_address
        for lb in ctx.store.load_balancers.values()
        if lb.arn != exclude_lb_arn
        for zone in lb.zones
    }


def _allocate(ctx: ApiContext, subnet: Subnet, used: set[str], *, wanted: str | None) -> str:
    node_range = ctx.plan.subnet_for_zone(subnet.zone_name).lb_nodes
    if wanted is not None:
        if wanted not in node_range:
            raise InvalidConfigurationRequest(
                f"The private IPv4 address '{wanted}' must be in the range {node_range.first}-"
                f"{node_range.last} of subnet '{subnet.subnet_id}'"
            )
        if wanted in used:
            raise InvalidConfigurationRequest(
                f"The private IPv4 address '{wanted}' is already in use"
            )
        return wanted
    for address in node_range.addresses():
        if str(address) not in used:
            return str(address)
    raise InvalidSubnet(
        f"Not enough IP space available in {subnet.subnet_id}. ELB requires at least 8 free IP "
        "addresses in each subnet."
    )
