"""Endpoints vs registered targets → what to deregister and what to register.

Targets are keyed ``<id>:<port>`` (instance id or pod IP). Targets already draining are left out
before matching: they are on their way out and must not be deregistered again nor count as
present. Unmatched registered targets are deregistered *first*, then new endpoints are
registered (the shell keeps that order), each in calls of at most 200 targets. With
``multiClusterTargetGroup`` the binding owns only the targets it registered itself, so targets
registered by others are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from localnlb.controller.deploy.match import match
from localnlb.controller.targetgroupbinding.node_endpoints import NodePortEndpoint
from localnlb.controller.targetgroupbinding.pod_endpoints import PodEndpoint

MAX_TARGETS_PER_CALL = 200
DRAINING_STATES = frozenset({"draining", "unhealthy.draining"})
AVAILABILITY_ZONE_ALL = "all"

ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class TargetDescription:
    id: str
    port: int
    availability_zone: str | None = None

    @property
    def key(self) -> str:
        return f"{self.id}:{self.port}"


@dataclass(frozen=True, slots=True)
class ActualTarget:
    target: TargetDescription
    state: str  # AWS TargetHealth.State: initial | healthy | unhealthy | unused | draining | ...
    reason: str | None = None
    description: str | None = None

    @property
    def is_draining(self) -> bool:
        return self.state in DRAINING_STATES


@dataclass(frozen=True, slots=True)
class TargetChanges:
    deregister: tuple[TargetDescription, ...]  # applied first
    register: tuple[TargetDescription, ...]

    @property
    def empty(self) -> bool:
        return not self.deregister and not self.register


def node_target(endpoint: NodePortEndpoint) -> TargetDescription:
    return TargetDescription(endpoint.instance_id, endpoint.port)


def pod_target(endpoint: PodEndpoint, *, in_vpc: bool) -> TargetDescription:
    """A pod address outside the VPC's CIDRs must be registered with AvailabilityZone ``all``."""
    return TargetDescription(endpoint.ip, endpoint.port, None if in_vpc else AVAILABILITY_ZONE_ALL)


def diff_targets(
    desired: Iterable[TargetDescription],
    actual: Iterable[ActualTarget],
    *,
    owned_keys: frozenset[str] | None = None,
    max_targets: int = 0,
) -> TargetChanges:
    """``owned_keys`` (multi-cluster): only these registered targets may be deregistered.
    ``max_targets`` > 0 caps how many targets the group holds after the change."""
    present = [t for t in actual if not t.is_draining]
    matched = match(desired, present, key=lambda d: d.key, actual_key=lambda a: a.target.key)
    deregister = tuple(
        t.target for t in matched.to_delete if owned_keys is None or t.target.key in owned_keys
    )
    register = matched.to_create
    if max_targets > 0:
        room = max(0, max_targets - (len(present) - len(deregister)))
        register = register[:room]
    return TargetChanges(deregister, register)


def chunked(items: Sequence[ItemT], size: int = MAX_TARGETS_PER_CALL) -> list[Sequence[ItemT]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
