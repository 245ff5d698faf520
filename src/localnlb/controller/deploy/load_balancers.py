"""Plan how a stack's load balancer changes.

Matched by the resource-id tag (``LoadBalancer``), never by name: renaming has no effect on an
existing load balancer, as the real controller's docs say. A different scheme or type cannot be
modified, so the old load balancer is deleted first (its listeners go with it) and a new one,
with a new name and DNS name, is created. Otherwise subnets, security groups, IP address type,
attributes (add/update only) and tags are changed in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from localnlb.controller.deploy.actual import ActualLoadBalancer
from localnlb.controller.deploy.changes import TagChanges, attribute_changes, tag_changes
from localnlb.controller.deploy.match import match
from localnlb.controller.model.enums import IpAddressType
from localnlb.controller.model.resources import LoadBalancerSpec, Resource


@dataclass(frozen=True, slots=True)
class LoadBalancerUpdate:
    desired: Resource[LoadBalancerSpec]
    actual: ActualLoadBalancer
    subnet_ids: tuple[str, ...] | None  # None: unchanged
    security_groups: tuple[str, ...] | None  # resolved ids; None: unchanged
    ip_address_type: IpAddressType | None
    attributes: dict[str, str]
    tags: TagChanges


@dataclass(frozen=True, slots=True)
class LoadBalancerPlan:
    delete_first: tuple[ActualLoadBalancer, ...]  # unmatched or replaced: deleted before creating
    create: tuple[Resource[LoadBalancerSpec], ...]
    update: tuple[LoadBalancerUpdate, ...]


def requires_replacement(desired: LoadBalancerSpec, actual: ActualLoadBalancer) -> bool:
    return desired.scheme != actual.scheme or desired.type != actual.type


def plan_load_balancer_changes(
    desired: Iterable[Resource[LoadBalancerSpec]],
    actual: Iterable[ActualLoadBalancer],
    *,
    desired_tags: dict[str, dict[str, str]],
    resolved_security_groups: dict[str, tuple[str, ...]],
    ignored_tags: frozenset[str] = frozenset(),
) -> LoadBalancerPlan:
    """``resolved_security_groups`` maps a desired id to its security-group ids (tokens resolved
    after the security groups were deployed)."""
    matched = match(desired, actual, key=lambda d: d.id, actual_key=lambda a: a.resource_id)
    delete_first = list(matched.to_delete)
    create = list(matched.to_create)
    update: list[LoadBalancerUpdate] = []
    for want, have in matched.pairs:
        if requires_replacement(want.spec, have):
            delete_first.append(have)
            create.append(want)
            continue
        subnets = tuple(m.subnet_id for m in want.spec.subnet_mappings)
        groups = resolved_security_groups.get(want.id, ())
        update.append(
            LoadBalancerUpdate(
                desired=want,
                actual=have,
                subnet_ids=subnets if sorted(subnets) != sorted(have.subnet_ids) else None,
                security_groups=groups if sorted(groups) != sorted(have.security_groups) else None,
                ip_address_type=(
                    want.spec.ip_address_type
                    if want.spec.ip_address_type != have.ip_address_type
                    else None
                ),
                attributes=attribute_changes(want.spec.load_balancer_attributes, have.attributes),
                tags=tag_changes(desired_tags.get(want.id, {}), have.tags, ignored=ignored_tags),
            )
        )
    return LoadBalancerPlan(tuple(delete_first), tuple(create), tuple(update))
