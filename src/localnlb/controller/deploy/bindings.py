"""Plan how a stack's TargetGroupBindings change: matched by target-group ARN (as the real
controller does), so a replaced target group gets a new binding and the old binding is deleted
after it (PostSynthesize: deleting it makes the binding controller deregister its targets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from localnlb.controller.deploy.actual import ActualTargetGroupBinding
from localnlb.controller.deploy.match import Matched, match
from localnlb.controller.model.resources import Resource, TargetGroupBindingSpec
from localnlb.controller.model.tokens import StringToken


def plan_binding_changes(
    desired: Iterable[Resource[TargetGroupBindingSpec]],
    actual: Iterable[ActualTargetGroupBinding],
    *,
    resolve: Callable[[StringToken], str],
) -> Matched[Resource[TargetGroupBindingSpec], ActualTargetGroupBinding]:
    """Pairs are updated (spec patched), ``to_create`` created, ``to_delete`` deleted last."""
    return match(
        desired,
        actual,
        key=lambda d: resolve(d.spec.target_group_arn),
        actual_key=lambda a: a.target_group_arn,
    )
