"""The actual state of a stack's AWS resources, as the deploy planners need it.

The ELBv2/EC2 shells fill these from ``Describe*`` calls (found by the stack tags); the
planners compare them with the desired stack. Only the fields a decision depends on are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from localnlb.controller.model.enums import IpAddressType, Protocol, Scheme, TargetType
from localnlb.controller.model.resources import TRAFFIC_PORT, HealthCheckConfig
from localnlb.controller.service.tracking import resource_id_of


@dataclass(frozen=True, slots=True)
class ActualLoadBalancer:
    arn: str
    name: str
    scheme: Scheme
    dns_name: str
    ip_address_type: IpAddressType = IpAddressType.IPV4
    type: str = "network"
    subnet_ids: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def resource_id(self) -> str | None:
        return resource_id_of(self.tags)


@dataclass(frozen=True, slots=True)
class ActualListener:
    arn: str
    port: int
    protocol: Protocol
    target_group_arns: tuple[str, ...]  # of the default forward action
    attributes: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActualTargetGroup:
    arn: str
    name: str
    target_type: TargetType
    protocol: Protocol
    port: int
    health_check: HealthCheckConfig
    attributes: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def resource_id(self) -> str | None:
        return resource_id_of(self.tags)


@dataclass(frozen=True, slots=True)
class ActualTargetGroupBinding:
    name: str
    namespace: str
    target_group_arn: str


def health_check_port_from_api(value: str) -> int | str:
    """ELBv2 returns ``HealthCheckPort`` as a string (``"traffic-port"`` or ``"30549"``); the
    model holds a number or ``traffic-port``, so drift is compared like for like."""
    return TRAFFIC_PORT if value == TRAFFIC_PORT else int(value)
