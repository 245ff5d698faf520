"""DescribeTargetGroups for the TargetGroupBinding mutator, through boto3 on the AWS call pool.
A group that does not exist (``TargetGroupNotFound``) is simply not in the answer.
"""

from __future__ import annotations

from typing import Any

from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller

Raw = dict[str, Any]


class Boto3TargetGroupLookup:
    def __init__(self, client: Any, calls: AwsCaller) -> None:
        self._client = client
        self._calls = calls

    async def _describe(self, **params: Any) -> list[Raw]:
        try:
            answer = await self._calls(self._client, "describe_target_groups", **params)
        except AwsApiError as error:
            if error.code == "TargetGroupNotFound":
                return []
            raise
        return list(answer.get("TargetGroups") or [])

    async def by_name(self, name: str) -> list[Raw]:
        return await self._describe(Names=[name])

    async def by_arn(self, arn: str) -> list[Raw]:
        return await self._describe(TargetGroupArns=[arn])
