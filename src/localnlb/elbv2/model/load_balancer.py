"""A Network Load Balancer: identity, placement (one node address per enabled AZ), attributes.

``state`` is derived from time: a new load balancer is ``provisioning`` for a short activation
delay and ``active`` afterwards, as AWS's is (reference §3.2), so no timer has to flip it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class LoadBalancerStateCode(enum.StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"


class Scheme(enum.StrEnum):
    INTERNET_FACING = "internet-facing"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class LbZone:
    """One enabled AZ: its subnet and the LB node's address, static for the LB's life."""

    zone_name: str
    subnet_id: str
    node_address: str
    allocation_id: str | None = None
    private_ipv4_address: str | None = None


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    arn: str
    lb_id: str
    name: str
    scheme: str
    vpc_id: str
    ip_address_type: str
    created_at: float  # wall-clock seconds
    active_at: float  # wall-clock seconds at which provisioning ends
    zones: tuple[LbZone, ...]
    security_groups: tuple[str, ...] | None = None
    enforce_sg_on_private_link: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def state_at(self, now: float) -> LoadBalancerStateCode:
        if now >= self.active_at:
            return LoadBalancerStateCode.ACTIVE
        return LoadBalancerStateCode.PROVISIONING

    @property
    def zone_names(self) -> frozenset[str]:
        return frozenset(z.zone_name for z in self.zones)

    @property
    def cross_zone(self) -> bool:
        return self.attributes.get("load_balancing.cross_zone.enabled", "false") == "true"
