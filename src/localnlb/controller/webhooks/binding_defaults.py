"""The TargetGroupBinding mutator (``mtargetgroupbinding.elbv2.k8s.aws``), on CREATE: a binding
that names its target group by ``spec.targetGroupName`` gets the group's ARN, and one without
``spec.targetType`` gets the group's target type, both read from ELBv2 DescribeTargetGroups
(reference §2.10). AWS is asked only for what is missing, so the bindings the controller writes
itself (ARN and type set) cost no call. What cannot be resolved is refused with the real
webhook's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

Raw = dict[str, Any]
TARGET_TYPES = ("instance", "ip")


class Denied(Exception):
    """The request is refused; the message is what the user reads."""


class TargetGroupLookup(Protocol):
    """DescribeTargetGroups by name or by ARN (a group that does not exist: no entry)."""

    async def by_name(self, name: str) -> list[Raw]: ...

    async def by_arn(self, arn: str) -> list[Raw]: ...


async def binding_patch(obj: Mapping[str, Any], lookup: TargetGroupLookup) -> list[Raw]:
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    arn, name = str(spec.get("targetGroupARN") or ""), str(spec.get("targetGroupName") or "")
    if not arn and not name:
        raise Denied("You must provide either TargetGroupARN or TargetGroupName")
    operations: list[Raw] = []
    if not arn:
        groups = await lookup.by_name(name)
        if len(groups) != 1:
            raise Denied(
                f"expecting a single targetGroup with query [{name}] but got {len(groups)}"
            )
        arn = str(groups[0]["TargetGroupArn"])
        operations.append({"op": "add", "path": "/spec/targetGroupARN", "value": arn})
    if not spec.get("targetType"):
        groups = await lookup.by_arn(arn)
        if len(groups) != 1:
            raise Denied(
                "couldn't determine TargetType: expecting a single targetGroup but got"
                f" {len(groups)}"
            )
        target_type = str(groups[0].get("TargetType", ""))
        if target_type not in TARGET_TYPES:
            raise Denied(f"unsupported TargetType: {target_type}")
        operations.append({"op": "add", "path": "/spec/targetType", "value": target_type})
    if operations and "spec" not in obj:
        return [{"op": "add", "path": "/spec", "value": {}}, *operations]
    return operations
