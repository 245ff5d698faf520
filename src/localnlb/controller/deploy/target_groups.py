"""Plan how a stack's target groups change: create, update in place, replace, delete.

Desired and actual target groups are matched by their resource-id tag (``ui/ui-nlb:80``). A
pair whose immutable fields differ (target type, port, protocol; and, with the
NLBHealthCheckAdvancedConfig gate off, the health-check settings) cannot be modified: it is
*replaced*, i.e. a new target group is created (its name hash differs) and the old one is
deleted after the listeners and bindings moved on (PostSynthesize). Everything else (health
check with the gate on, attributes add/update-only, tags) is changed in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from localnlb.controller.deploy.actual import ActualTargetGroup
from localnlb.controller.deploy.changes import TagChanges, attribute_changes, tag_changes
from localnlb.controller.deploy.errors import DeployError
from localnlb.controller.deploy.match import match
from localnlb.controller.model.enums import Protocol
from localnlb.controller.model.resources import HealthCheckConfig, Resource, TargetGroupSpec


@dataclass(frozen=True, slots=True)
class TargetGroupUpdate:
    desired: Resource[TargetGroupSpec]
    actual: ActualTargetGroup
    health_check: HealthCheckConfig | None  # the config to send; None: no drift
    attributes: dict[str, str]
    tags: TagChanges

    @property
    def changed(self) -> bool:
        return self.health_check is not None or bool(self.attributes) or not self.tags.empty


@dataclass(frozen=True, slots=True)
class TargetGroupPlan:
    create: tuple[Resource[TargetGroupSpec], ...]
    update: tuple[TargetGroupUpdate, ...]
    replace: tuple[tuple[Resource[TargetGroupSpec], ActualTargetGroup], ...]
    delete: tuple[ActualTargetGroup, ...]

    @property
    def to_create(self) -> tuple[Resource[TargetGroupSpec], ...]:
        return self.create + tuple(desired for desired, _ in self.replace)

    @property
    def to_delete(self) -> tuple[ActualTargetGroup, ...]:
        """Deleted last (after listeners and bindings stopped using them)."""
        return tuple(actual for _, actual in self.replace) + self.delete


def _health_check_settings(check: HealthCheckConfig) -> tuple[object, ...]:
    http = check.protocol is not Protocol.TCP
    return (
        check.port,
        check.protocol,
        check.path if http else None,
        check.matcher if http else None,
        check.interval_seconds,
        check.timeout_seconds,
        check.healthy_threshold_count,
        check.unhealthy_threshold_count,
    )


def health_check_drifted(desired: HealthCheckConfig, actual: HealthCheckConfig) -> bool:
    return _health_check_settings(desired) != _health_check_settings(actual)


def requires_replacement(
    desired: TargetGroupSpec, actual: ActualTargetGroup, *, advanced_health_check: bool = True
) -> bool:
    if (desired.target_type, desired.port, desired.protocol) != (
        actual.target_type,
        actual.port,
        actual.protocol,
    ):
        return True
    if advanced_health_check:
        return False
    return health_check_drifted(desired.health_check_config, actual.health_check)


def _resource_id(group: ActualTargetGroup) -> str:
    if group.resource_id is None:
        raise DeployError(f"unexpected targetGroup with no resourceID: {group.arn}")
    return group.resource_id


def plan_target_group_changes(
    desired: Iterable[Resource[TargetGroupSpec]],
    actual: Iterable[ActualTargetGroup],
    *,
    desired_tags: dict[str, dict[str, str]],
    advanced_health_check: bool = True,
    ignored_tags: frozenset[str] = frozenset(),
) -> TargetGroupPlan:
    """``desired_tags`` maps each desired resource id to its full tag set (tracking included)."""
    desired = list(desired)
    primary, leftovers = _one_per_resource_id(
        desired, actual, advanced_health_check=advanced_health_check
    )
    matched = match(desired, primary, key=lambda d: d.id, actual_key=_resource_id)
    create = list(matched.to_create)
    update: list[TargetGroupUpdate] = []
    replace: list[tuple[Resource[TargetGroupSpec], ActualTargetGroup]] = []
    for want, have in matched.pairs:
        if requires_replacement(want.spec, have, advanced_health_check=advanced_health_check):
            replace.append((want, have))
            continue
        check = want.spec.health_check_config
        update.append(
            TargetGroupUpdate(
                desired=want,
                actual=have,
                health_check=check if health_check_drifted(check, have.health_check) else None,
                attributes=attribute_changes(want.spec.target_group_attributes, have.attributes),
                tags=tag_changes(desired_tags.get(want.id, {}), have.tags, ignored=ignored_tags),
            )
        )
    delete = matched.to_delete + leftovers
    return TargetGroupPlan(tuple(create), tuple(update), tuple(replace), delete)


def _one_per_resource_id(
    desired: list[Resource[TargetGroupSpec]],
    actual: Iterable[ActualTargetGroup],
    *,
    advanced_health_check: bool,
) -> tuple[list[ActualTargetGroup], tuple[ActualTargetGroup, ...]]:
    """Several actual groups can share a resource id after an interrupted replacement: keep the
    one that fits the desired group (else the first) and delete the others."""
    desired_by_id = {d.id: d for d in desired}
    by_id: dict[str, list[ActualTargetGroup]] = {}
    for group in actual:
        by_id.setdefault(_resource_id(group), []).append(group)
    primary: list[ActualTargetGroup] = []
    leftovers: list[ActualTargetGroup] = []
    for resource_id, groups in by_id.items():
        want = desired_by_id.get(resource_id)
        keep = groups[0]
        if want is not None:
            fitting = (
                g
                for g in groups
                if not requires_replacement(
                    want.spec, g, advanced_health_check=advanced_health_check
                )
            )
            keep = next(fitting, groups[0])
        primary.append(keep)
        leftovers.extend(g for g in groups if g is not keep)
    return primary, tuple(leftovers)
