"""The target calls of ELBv2 over boto3 (the binding controller's ``TargetsClient``).

``DescribeTargetHealth`` answers become :class:`ActualTarget` values; registrations carry the
AvailabilityZone only when the core set one (``all`` for addresses outside the VPC). A target
group that no longer exists has no targets: cleanup of a binding whose group is gone succeeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller
from localnlb.controller.targetgroupbinding.targets import ActualTarget, TargetDescription

TARGET_GROUP_NOT_FOUND = "TargetGroupNotFound"


def _target_params(targets: Sequence[TargetDescription]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for target in targets:
        entry: dict[str, Any] = {"Id": target.id, "Port": target.port}
        if target.availability_zone is not None:
            entry["AvailabilityZone"] = target.availability_zone
        params.append(entry)
    return params


def actual_target(raw: dict[str, Any]) -> ActualTarget:
    target = raw["Target"]
    health = raw.get("TargetHealth") or {}
    return ActualTarget(
        TargetDescription(
            str(target["Id"]), int(target["Port"]), target.get("AvailabilityZone") or None
        ),
        state=str(health.get("State", "")),
        reason=health.get("Reason"),
        description=health.get("Description"),
    )


class TargetCalls:
    def __init__(self, client: Any, calls: AwsCaller) -> None:
        self._client = client
        self._calls = calls

    async def describe_target_health(self, target_group_arn: str) -> list[ActualTarget]:
        try:
            answer = await self._calls(
                self._client, "describe_target_health", TargetGroupArn=target_group_arn
            )
        except AwsApiError as error:
            if error.code == TARGET_GROUP_NOT_FOUND:
                return []
            raise
        return [actual_target(d) for d in answer.get("TargetHealthDescriptions", [])]

    async def register_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        await self._calls(
            self._client,
            "register_targets",
            TargetGroupArn=target_group_arn,
            Targets=_target_params(targets),
        )

    async def deregister_targets(
        self, target_group_arn: str, targets: Sequence[TargetDescription]
    ) -> None:
        try:
            await self._calls(
                self._client,
                "deregister_targets",
                TargetGroupArn=target_group_arn,
                Targets=_target_params(targets),
            )
        except AwsApiError as error:
            if error.code != TARGET_GROUP_NOT_FOUND:
                raise
