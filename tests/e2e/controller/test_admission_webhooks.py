"""The controller's admission webhooks end to end, with the real kubectl: the controller serves
and registers them, the embedded API server calls them.

- In a namespace labelled ``elbv2.k8s.aws/pod-readiness-gate-inject=enabled``, the pods of a
  Deployment created after the ip Service's TargetGroupBinding carry the binding's readiness
  gate, and are Ready only once their targets are healthy (real health checks).
- A new LoadBalancer Service without a class gets ``spec.loadBalancerClass:
  service.k8s.aws/nlb``; with the controller stopped its configuration is gone, so Services can
  still be created (and keep no class).
- A TargetGroupBinding naming its target group by ``targetGroupName`` gets the ARN and the
  target type from ELBv2; one naming no group, or a group that does not exist, is refused.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.e2e.controller.conftest import Stack, controller_for
from tests.e2e.controller.test_traffic import all_healthy
from tests.e2e.controller.workloads import (
    gated_namespace_with_ip_service,
    service_manifest,
    web_deployment,
)
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


def conditions_of(pod: dict[str, Any]) -> dict[str, str]:
    return {c["type"]: c["status"] for c in pod["status"].get("conditions") or []}


async def test_injected_gates_hold_pods_until_their_targets_are_healthy(
    traffic_stack: Stack,
) -> None:
    stack = traffic_stack
    table = await stack.kubectl("get", "mutatingwebhookconfigurations")
    assert table.splitlines()[1].split()[:2] == ["aws-load-balancer-webhook", "3"]
    gate = await gated_namespace_with_ip_service(stack)
    await stack.apply(web_deployment("gated", replicas=2))
    held: set[str] = set()  # pods seen running (containers ready) but held back by the gate

    async def all_ready() -> list[dict[str, Any]] | None:
        pods = (await stack.kubectl_json("get", "pods", "-n", "gated"))["items"]
        for pod in pods:
            conditions = conditions_of(pod)
            if conditions.get("ContainersReady") == "True" and conditions.get("Ready") != "True":
                held.add(pod["metadata"]["name"])
        ready = len(pods) == 2 and all(conditions_of(p).get("Ready") == "True" for p in pods)
        return list(pods) if ready else None

    pods = await async_wait_until(all_ready, timeout=60, interval=0.2, what="2 ready pods")
    for pod in pods:
        assert pod["spec"]["readinessGates"] == [{"conditionType": gate}]
        assert conditions_of(pod)[gate] == "True"
    # each pod was running before it was Ready: the gate held it until its target was healthy
    assert held == {p["metadata"]["name"] for p in pods}
    lb = await stack.load_balancer(str(await stack.hostname("gated", "web")))
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    healthy = await all_healthy(stack, group["TargetGroupArn"], 2)
    assert healthy is not None
    assert set(healthy) == {p["status"]["podIP"] for p in pods}
    wide = (await stack.kubectl("get", "pods", "-n", "gated", "-o", "wide")).splitlines()
    assert [row.split()[-1] for row in wide[1:]] == ["1/1", "1/1"]


async def test_pods_outside_labelled_namespaces_get_no_gate(stack: Stack) -> None:
    # the same ip Service and binding in both; only the namespace label differs
    gate = await gated_namespace_with_ip_service(stack)
    await gated_namespace_with_ip_service(stack, "plain", inject=False)
    await stack.apply(web_deployment("plain"))
    await stack.apply(web_deployment("gated"))

    async def pods(namespace: str) -> list[dict[str, Any]] | None:
        items = (await stack.kubectl_json("get", "pods", "-n", namespace))["items"]
        return list(items) if items else None

    [plain] = await async_wait_until(lambda: pods("plain"), timeout=15, what="plain pod")
    [gated] = await async_wait_until(lambda: pods("gated"), timeout=15, what="gated pod")
    assert "readinessGates" not in plain["spec"]
    assert gated["spec"]["readinessGates"] == [{"conditionType": gate}]


async def service_class(stack: Stack, name: str) -> str | None:
    obj = await stack.kubectl_json("get", "service", "-n", "ui", name)
    found = obj["spec"].get("loadBalancerClass")
    return None if found is None else str(found)


async def test_new_load_balancer_services_get_the_class(bare_stack: Stack) -> None:
    stack = bare_stack
    controller = controller_for(stack.elbv2, stack.cluster)
    await asyncio.wait_for(controller.start(), timeout=30)
    try:
        await stack.kubectl("create", "namespace", "ui")
        await stack.apply(service_manifest("plain-lb"))
        assert await service_class(stack, "plain-lb") == "service.k8s.aws/nlb"
        # owned through the class: the controller makes its load balancer
        await async_wait_until(
            lambda: stack.hostname("ui", "plain-lb"), timeout=15, what="plain-lb's hostname"
        )
        other = service_manifest("other", spec={"loadBalancerClass": "example.com/lb"})
        await stack.apply(other)
        assert await service_class(stack, "other") == "example.com/lb"
        cluster_ip = json.loads(service_manifest("internal", spec={"type": "ClusterIP"}))
        await stack.apply(json.dumps(cluster_ip))
        assert await service_class(stack, "internal") is None
    finally:
        await controller.stop(grace=2.0)
    # a clean stop takes the configuration away (failurePolicy Fail would block Services)
    assert await stack.kubectl("get", "mutatingwebhookconfigurations") == ""
    await stack.apply(service_manifest("after-stop"))
    assert await service_class(stack, "after-stop") is None


async def test_binding_by_target_group_name_gets_its_arn_and_type(stack: Stack) -> None:
    await stack.kubectl("create", "namespace", "tg")
    vpc = (await stack.aws("ec2", "describe-vpcs"))["Vpcs"][0]["VpcId"]
    created = await stack.aws(
        "elbv2",
        "create-target-group",
        *("--name", "named-by-hand", "--protocol", "TCP", "--port", "8080"),
        *("--target-type", "ip", "--vpc-id", vpc),
    )
    arn = created["TargetGroups"][0]["TargetGroupArn"]

    def binding(name: str, **spec: Any) -> dict[str, Any]:
        return {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": name, "namespace": "tg"},
            "spec": {"serviceRef": {"name": "web", "port": 80}, **spec},
        }

    await stack.apply(json.dumps(binding("by-name", targetGroupName="named-by-hand")))
    stored = await stack.kubectl_json("get", "targetgroupbinding", "-n", "tg", "by-name")
    assert stored["spec"]["targetGroupARN"] == arn
    assert stored["spec"]["targetType"] == "ip"
    missing = json.dumps(binding("missing", targetGroupName="no-such-group"))
    refused = await stack.kubectl_fails("apply", "-f", "-", stdin=missing)
    assert refused.endswith(
        'admission webhook "mtargetgroupbinding.elbv2.k8s.aws" denied the request:'
        " expecting a single targetGroup with query [no-such-group] but got 0"
    )
    refused = await stack.kubectl_fails("apply", "-f", "-", stdin=json.dumps(binding("neither")))
    assert refused.endswith(
        "denied the request: You must provide either TargetGroupARN or TargetGroupName"
    )
    listed = await stack.kubectl_json("get", "targetgroupbindings", "-n", "tg")
    assert [b["metadata"]["name"] for b in listed["items"]] == ["by-name"]
