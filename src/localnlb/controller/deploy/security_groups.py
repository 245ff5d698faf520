"""Plan how the stack's managed security group changes, rule by rule.

Matched by the resource-id tag (``ManagedLBSecurityGroup``). Ingress is compared as single rules
(protocol, port range, one source) so a changed source range revokes exactly the old CIDR and
authorizes exactly the new one: connections from other sources are never interrupted. Unmatched
groups are deleted last, after the load balancer stopped using them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from localnlb.controller.deploy.changes import TagChanges, tag_changes
from localnlb.controller.deploy.match import match
from localnlb.controller.model.resources import (
    IpPermission,
    IpRange,
    Ipv6Range,
    PrefixList,
    Resource,
    SecurityGroupSpec,
)
from localnlb.controller.service.tracking import resource_id_of


@dataclass(frozen=True, slots=True)
class ActualSecurityGroup:
    group_id: str
    name: str
    ingress: tuple[IpPermission, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def resource_id(self) -> str | None:
        return resource_id_of(self.tags)


@dataclass(frozen=True, slots=True)
class SecurityGroupUpdate:
    desired: Resource[SecurityGroupSpec]
    actual: ActualSecurityGroup
    authorize: tuple[IpPermission, ...]
    revoke: tuple[IpPermission, ...]
    tags: TagChanges


@dataclass(frozen=True, slots=True)
class SecurityGroupPlan:
    create: tuple[Resource[SecurityGroupSpec], ...]
    update: tuple[SecurityGroupUpdate, ...]
    delete: tuple[ActualSecurityGroup, ...]  # last, in PostSynthesize


def single_rules(permissions: Iterable[IpPermission]) -> list[IpPermission]:
    """Each permission split into one permission per source, in a stable order, once each."""
    rules: list[IpPermission] = []
    for p in permissions:
        base = IpPermission(p.ip_protocol, p.from_port, p.to_port)
        rules += [_with(base, ip_ranges=(r,)) for r in p.ip_ranges]
        rules += [_with(base, ipv6_ranges=(r,)) for r in p.ipv6_ranges]
        rules += [_with(base, prefix_lists=(r,)) for r in p.prefix_lists]
    return list(dict.fromkeys(rules))


def _with(
    base: IpPermission,
    *,
    ip_ranges: tuple[IpRange, ...] = (),
    ipv6_ranges: tuple[Ipv6Range, ...] = (),
    prefix_lists: tuple[PrefixList, ...] = (),
) -> IpPermission:
    return IpPermission(
        base.ip_protocol, base.from_port, base.to_port, ip_ranges, ipv6_ranges, prefix_lists
    )


def ingress_changes(
    desired: Iterable[IpPermission], actual: Iterable[IpPermission]
) -> tuple[tuple[IpPermission, ...], tuple[IpPermission, ...]]:
    """(to authorize, to revoke)."""
    matched = match(single_rules(desired), single_rules(actual), key=lambda rule: rule)
    return matched.to_create, matched.to_delete


def plan_security_group_changes(
    desired: Iterable[Resource[SecurityGroupSpec]],
    actual: Iterable[ActualSecurityGroup],
    *,
    desired_tags: dict[str, dict[str, str]],
    ignored_tags: frozenset[str] = frozenset(),
) -> SecurityGroupPlan:
    matched = match(desired, actual, key=lambda d: d.id, actual_key=lambda a: a.resource_id)
    update = []
    for want, have in matched.pairs:
        authorize, revoke = ingress_changes(want.spec.ingress, have.ingress)
        update.append(
            SecurityGroupUpdate(
                desired=want,
                actual=have,
                authorize=authorize,
                revoke=revoke,
                tags=tag_changes(desired_tags.get(want.id, {}), have.tags, ignored=ignored_tags),
            )
        )
    return SecurityGroupPlan(matched.to_create, tuple(update), matched.to_delete)
