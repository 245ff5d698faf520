"""The TargetGroupBinding validator end to end, with the real kubectl: the controller registers
``vtargetgroupbinding.elbv2.k8s.aws`` in a ValidatingWebhookConfiguration, the embedded API
server calls it after the mutator, and kubectl prints its refusals.

- ``kubectl patch`` of a binding's targetType is refused (immutable); a label change is not.
- A second binding of the same target group, in another namespace, is refused, unless both
  are multi-cluster.
- An ip binding with a nodeSelector is refused.
- A clean stop removes the configuration (and the patch then goes through).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.e2e.controller.conftest import Stack, controller_for

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]
DENIED = 'admission webhook "vtargetgroupbinding.elbv2.k8s.aws" denied the request: '


def binding(name: str, namespace: str, **spec: Any) -> str:
    return json.dumps(
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"serviceRef": {"name": "web", "port": 80}, **spec},
        }
    )


async def ip_target_group(stack: Stack, name: str) -> str:
    vpc = (await stack.aws("ec2", "describe-vpcs"))["Vpcs"][0]["VpcId"]
    created = await stack.aws(
        "elbv2",
        "create-target-group",
        *("--name", name, "--protocol", "TCP", "--port", "8080"),
        *("--target-type", "ip", "--vpc-id", vpc),
    )
    return str(created["TargetGroups"][0]["TargetGroupArn"])


async def test_bindings_are_validated(bare_stack: Stack) -> None:
    stack = bare_stack
    controller = controller_for(stack.elbv2, stack.cluster)
    await asyncio.wait_for(controller.start(), timeout=30)
    try:
        for namespace in ("tg", "other"):
            await stack.kubectl("create", "namespace", namespace)
        arn = await ip_target_group(stack, "validated")
        first = binding("first", "tg", targetGroupARN=arn, targetType="ip")
        await stack.apply(first)

        refused = await stack.kubectl_fails(
            *("patch", "targetgroupbinding", "first", "-n", "tg", "--type", "merge"),
            *("-p", json.dumps({"spec": {"targetType": "instance"}})),
        )
        assert refused == (
            "Error from server (Forbidden): " + DENIED + "TargetGroupBinding update may not"
            " change these immutable fields: spec.targetType"
        )
        await stack.kubectl("label", "targetgroupbinding", "first", "-n", "tg", "team=web")
        stored = await stack.kubectl_json("get", "targetgroupbinding", "first", "-n", "tg")
        assert stored["spec"]["targetType"] == "ip"
        assert stored["metadata"]["labels"] == {"team": "web"}

        second = binding("second", "other", targetGroupName="validated")  # the mutator's ARN
        refused = await stack.kubectl_fails("apply", "-f", "-", stdin=second)
        assert refused.endswith(
            DENIED + f"TargetGroup {arn} is already bound to following TargetGroupBindings"
            f" [tg/first]. Please enable MultiCluster mode on all TargetGroupBindings"
            f" referencing {arn} or choose a different Target Group ARN."
        )

        # multi-cluster on every binding of the group: a second one is allowed
        multi = json.dumps({"spec": {"multiClusterTargetGroup": True}})
        await stack.kubectl(
            *("patch", "targetgroupbinding", "first", "-n", "tg", "--type", "merge", "-p", multi)
        )
        second = binding("second", "other", targetGroupARN=arn, multiClusterTargetGroup=True)
        await stack.apply(second)

        other_arn = await ip_target_group(stack, "selected")
        selected = binding(
            "selected", "other", targetGroupARN=other_arn, nodeSelector={"matchLabels": {"a": "b"}}
        )
        refused = await stack.kubectl_fails("apply", "-f", "-", stdin=selected)
        assert refused.endswith(
            DENIED + "TargetGroupBinding cannot set NodeSelector when TargetType is ip"
        )
        listed = await stack.kubectl_json("get", "targetgroupbindings", "-A")
        assert sorted(b["metadata"]["name"] for b in listed["items"]) == ["first", "second"]
    finally:
        await controller.stop(grace=2.0)
    assert await stack.kubectl("get", "validatingwebhookconfigurations") == ""
    await stack.kubectl(
        *("patch", "targetgroupbinding", "first", "-n", "tg", "--type", "merge"),
        *("-p", json.dumps({"spec": {"targetType": "instance"}})),
    )
