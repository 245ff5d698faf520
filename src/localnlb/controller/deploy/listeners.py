"""Plan how the listeners of one load balancer change: matched by port; a changed protocol or
default action (e.g. the listener now forwards to the replacement target group after an
instance → ip switch) is a ModifyListener in place; attributes add/update only; tags diffed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from localnlb.controller.deploy.actual import ActualListener
from localnlb.controller.deploy.changes import TagChanges, attribute_changes, tag_changes
from localnlb.controller.deploy.match import match
from localnlb.controller.model.resources import ListenerSpec, Resource
from localnlb.controller.model.tokens import StringToken


@dataclass(frozen=True, slots=True)
class ListenerUpdate:
    desired: Resource[ListenerSpec]
    actual: ActualListener
    modify: bool  # protocol or default action differ
    target_group_arns: tuple[str, ...]
    attributes: dict[str, str]
    tags: TagChanges


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    create: tuple[Resource[ListenerSpec], ...]
    update: tuple[ListenerUpdate, ...]
    delete: tuple[ActualListener, ...]


def plan_listener_changes(
    desired: Iterable[Resource[ListenerSpec]],
    actual: Iterable[ActualListener],
    *,
    resolve: Callable[[StringToken], str],
    desired_tags: dict[str, dict[str, str]],
    ignored_tags: frozenset[str] = frozenset(),
) -> ListenerPlan:
    matched = match(desired, actual, key=lambda d: d.spec.port, actual_key=lambda a: a.port)
    update: list[ListenerUpdate] = []
    for want, have in matched.pairs:
        arns = tuple(resolve(token) for token in want.spec.target_group_arns)
        update.append(
            ListenerUpdate(
                desired=want,
                actual=have,
                modify=want.spec.protocol != have.protocol or arns != have.target_group_arns,
                target_group_arns=arns,
                attributes=attribute_changes(want.spec.listener_attributes, have.attributes),
                tags=tag_changes(desired_tags.get(want.id, {}), have.tags, ignored=ignored_tags),
            )
        )
    return ListenerPlan(matched.to_create, tuple(update), matched.to_delete)
