"""The TargetGroupBinding mutator: targetGroupName resolved to an ARN and targetType inferred
from DescribeTargetGroups, asked only for what is missing; the real webhook's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.controller.webhooks.binding_defaults import Denied, binding_patch

ARN = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/by-name/0123456789abcdef"


class FakeTargetGroups:
    def __init__(self, *groups: dict[str, Any]) -> None:
        self.groups = list(groups)
        self.asked: list[str] = []

    async def by_name(self, name: str) -> list[dict[str, Any]]:
        self.asked.append(f"name={name}")
        return [g for g in self.groups if g["TargetGroupName"] == name]

    async def by_arn(self, arn: str) -> list[dict[str, Any]]:
        self.asked.append(f"arn={arn}")
        return [g for g in self.groups if g["TargetGroupArn"] == arn]


GROUP = {"TargetGroupName": "by-name", "TargetGroupArn": ARN, "TargetType": "ip"}


def binding(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "b"}, "spec": {"serviceRef": {"name": "s", "port": 80}, **spec}}


async def test_name_resolved_and_type_inferred() -> None:
    lookup = FakeTargetGroups(GROUP)
    assert await binding_patch(binding(targetGroupName="by-name"), lookup) == [
        {"op": "add", "path": "/spec/targetGroupARN", "value": ARN},
        {"op": "add", "path": "/spec/targetType", "value": "ip"},
    ]
    assert lookup.asked == ["name=by-name", f"arn={ARN}"]


async def test_complete_bindings_cost_no_call() -> None:
    lookup = FakeTargetGroups(GROUP)
    complete = binding(targetGroupARN=ARN, targetGroupName="other", targetType="instance")
    assert await binding_patch(complete, lookup) == []
    assert lookup.asked == []


async def test_only_the_type_is_inferred_when_the_arn_is_given() -> None:
    instance = {**GROUP, "TargetType": "instance"}
    lookup = FakeTargetGroups(instance)
    assert await binding_patch(binding(targetGroupARN=ARN), lookup) == [
        {"op": "add", "path": "/spec/targetType", "value": "instance"}
    ]
    assert lookup.asked == [f"arn={ARN}"]


@pytest.mark.parametrize(
    ("spec", "groups", "message"),
    [
        ({}, [GROUP], "You must provide either TargetGroupARN or TargetGroupName"),
        (
            {"targetGroupName": "missing"},
            [GROUP],
            "expecting a single targetGroup with query [missing] but got 0",
        ),
        (
            {"targetGroupARN": ARN + "0"},
            [GROUP],
            "couldn't determine TargetType: expecting a single targetGroup but got 0",
        ),
        (
            {"targetGroupARN": ARN},
            [{**GROUP, "TargetType": "lambda"}],
            "unsupported TargetType: lambda",
        ),
    ],
)
async def test_refusals(spec: dict[str, Any], groups: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(Denied) as denied:
        await binding_patch(binding(**spec), FakeTargetGroups(*groups))
    assert str(denied.value) == message
