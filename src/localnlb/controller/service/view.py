"""What the builder needs to know about the outside world, fetched beforehand.

The real controller's builder calls EC2 and ELBv2 in the middle of a build (subnet discovery, the
existing load balancer's scheme). Here the shell fetches those facts first into a
:class:`BuildView`, so that ``build_stack`` stays a pure function of (Service, view, settings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from localnlb.controller.model.enums import Scheme

ROLE_ELB_TAG = "kubernetes.io/role/elb"
ROLE_INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb"


@dataclass(frozen=True, slots=True)
class SubnetInfo:
    subnet_id: str
    availability_zone: str
    cidr: str
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.tags.get("Name")


@dataclass(frozen=True, slots=True)
class ExistingLoadBalancer:
    """The Service's load balancer as it exists now (found by its stack tags)."""

    scheme: Scheme
    subnet_ids: tuple[str, ...]
    dns_name: str = ""


@dataclass(frozen=True, slots=True)
class BuildView:
    subnets: tuple[SubnetInfo, ...]  # the VPC's subnets
    vpc_cidrs: tuple[str, ...] = ()
    existing_load_balancer: ExistingLoadBalancer | None = None
    # The shared backend security group, ensured by the shell before building (None: not used).
    backend_security_group_id: str | None = None
    # Security groups by id and by Name tag, to resolve the security-groups annotation.
    security_groups_by_name: Mapping[str, str] = field(default_factory=dict)
