"""The minimal EC2 domain: the default VPC and its per-AZ subnets, instances, security groups.

Instances are how the embedded cluster's nodes exist in EC2 (``providerID aws:///<az>/<id>``);
security groups feed the LB's allowed source CIDRs into the routing snapshot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class InstanceState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SHUTTING_DOWN = "shutting-down"
    TERMINATED = "terminated"
    STOPPING = "stopping"
    STOPPED = "stopped"


INSTANCE_STATE_CODES = {
    InstanceState.PENDING: 0,
    InstanceState.RUNNING: 16,
    InstanceState.SHUTTING_DOWN: 32,
    InstanceState.TERMINATED: 48,
    InstanceState.STOPPING: 64,
    InstanceState.STOPPED: 80,
}


@dataclass(frozen=True, slots=True)
class Vpc:
    vpc_id: str
    cidr: str
    is_default: bool = True


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    vpc_id: str
    zone_name: str
    zone_id: str
    cidr: str


@dataclass(frozen=True, slots=True)
class Instance:
    instance_id: str
    subnet_id: str
    vpc_id: str
    zone_name: str
    private_ip: str
    state: InstanceState
    launched_at: float
    image_id: str
    instance_type: str
    reservation_id: str
    security_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IngressRule:
    rule_id: str
    ip_protocol: str  # "tcp", "udp", "icmp" or "-1"
    from_port: int | None
    to_port: int | None
    cidr_ipv4: str | None = None
    source_group_id: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    group_id: str
    name: str
    description: str
    vpc_id: str
    ingress: tuple[IngressRule, ...] = ()
