"""Issue 6's acceptance with the real kubectl, aws CLI and curl: the workshop's nlb (instance
mode) and ip-mode steps, scaling, draining, externalTrafficPolicy Local, and deletion.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.controller.conftest import IP_MODE_DIR, NLB_DIR, UI_BASE, Stack
from tests.helpers.commands import WAIT_UI_READY
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

HOSTNAME = re.compile(r"^k8s-ui-uinlb-[0-9a-f]{10}-[0-9a-f]{16}\.elb\.us-west-2\.amazonaws\.com$")


async def node_instances(stack: Stack) -> set[str]:
    nodes = await stack.kubectl_json("get", "nodes")
    return {n["spec"]["providerID"].rsplit("/", 1)[1] for n in nodes["items"]}


async def ui_pod_ips(stack: Stack) -> dict[str, str]:
    pods = await stack.kubectl_json("get", "pods", "-n", "ui", "-l", "app.kubernetes.io/name=ui")
    return {
        p["status"]["podIP"]: p["status"].get("hostIP", "")
        for p in pods["items"]
        if p["status"].get("podIP") and not p["metadata"].get("deletionTimestamp")
    }


async def create_workshop_nlb(stack: Stack) -> tuple[str, dict[str, Any]]:
    await stack.kubectl("apply", "-k", str(stack.workshop_dir / UI_BASE))
    started = time.monotonic()
    await stack.apply_workshop(NLB_DIR)
    hostname = await stack.wait_hostname(timeout=10)
    assert time.monotonic() - started < 10
    assert HOSTNAME.match(hostname), hostname
    return hostname, await stack.load_balancer(hostname)


async def test_workshop_nlb_in_instance_mode(stack: Stack) -> None:
    _, lb = await create_workshop_nlb(stack)
    assert lb["Scheme"] == "internet-facing"
    assert len(lb["SecurityGroups"]) == 2
    service = await stack.kubectl_json("get", "service", "-n", "ui", "ui-nlb")
    assert "service.k8s.aws/resources" in service["metadata"]["finalizers"]
    node_port = service["spec"]["ports"][0]["nodePort"]
    assert service["status"]["loadBalancer"]["ingress"][0]["ports"] == [
        {"port": 80, "protocol": "TCP"}
    ]
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    assert (group["TargetType"], group["Port"]) == ("instance", node_port)

    async def three_nodes() -> list[dict[str, Any]] | None:
        health = await stack.target_health(group["TargetGroupArn"])
        return health if len(health) == 3 else None

    health = await async_wait_until(three_nodes, timeout=10, what="three instance targets")
    assert {t["Target"]["Id"] for t in health} == await node_instances(stack)
    assert {t["Target"]["Port"] for t in health} == {node_port}
    assert all("AvailabilityZone" not in t["Target"] for t in health)
    assert {t["TargetHealth"]["State"] for t in health} <= {"initial", "healthy"}
    described = await stack.kubectl("describe", "service", "-n", "ui", "ui-nlb")
    assert "SuccessfullyReconciled" in described

    # Instance mode does not follow the replicas: scaling keeps the three node targets.
    await stack.kubectl("scale", "-n", "ui", "deployment/ui", "--replicas=2")
    await stack.kubectl(*WAIT_UI_READY)
    assert len(await stack.target_health(group["TargetGroupArn"])) == 3

    # externalTrafficPolicy Local: the same group, HTTP /healthz on healthCheckNodePort 10/6/2/2.
    await stack.kubectl(
        "patch", "service", "-n", "ui", "ui-nlb", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}'
    )
    service = await stack.kubectl_json("get", "service", "-n", "ui", "ui-nlb")
    health_node_port = service["spec"]["healthCheckNodePort"]
    assert health_node_port

    async def local_health_check() -> dict[str, Any] | None:
        [current] = await stack.target_groups(lb["LoadBalancerArn"])
        return current if current["HealthCheckProtocol"] == "HTTP" else None

    local = await async_wait_until(local_health_check, timeout=10, what="HTTP health check")
    assert local["TargetGroupArn"] == group["TargetGroupArn"]
    assert (local["HealthCheckPort"], local["HealthCheckPath"]) == (
        str(health_node_port),
        "/healthz",
    )
    assert [
        local["HealthCheckIntervalSeconds"],
        local["HealthCheckTimeoutSeconds"],
        local["HealthyThresholdCount"],
        local["UnhealthyThresholdCount"],
    ] == [10, 6, 2, 2]
    assert len(await stack.target_health(group["TargetGroupArn"])) == 3
    bindings = await stack.kubectl_json("get", "targetgroupbindings", "-n", "ui")
    assert len(bindings["items"]) == 1
    await delete_and_check_nothing_left(stack)


async def delete_and_check_nothing_left(stack: Stack) -> None:
    await stack.kubectl("delete", "service", "-n", "ui", "ui-nlb", "--timeout=60s")
    assert (await stack.aws("elbv2", "describe-load-balancers"))["LoadBalancers"] == []
    assert (await stack.aws("elbv2", "describe-target-groups"))["TargetGroups"] == []
    groups = (await stack.aws("ec2", "describe-security-groups"))["SecurityGroups"]
    assert [g["GroupName"] for g in groups if g["GroupName"] != "default"] == []
    bindings = await stack.kubectl_json("get", "targetgroupbindings", "-A")
    assert bindings["items"] == []


async def test_workshop_ip_mode_scale_drain_and_delete(stack: Stack) -> None:
    hostname, lb = await create_workshop_nlb(stack)
    await stack.apply_workshop(IP_MODE_DIR)
    described = await stack.kubectl("describe", "service/ui-nlb", "-n", "ui")
    assert "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip" in described

    async def ip_group() -> dict[str, Any] | None:
        groups = await stack.target_groups(lb["LoadBalancerArn"])
        return groups[0] if len(groups) == 1 and groups[0]["TargetType"] == "ip" else None

    group = await async_wait_until(ip_group, timeout=10, what="one ip target group")
    assert group["Port"] == 8080
    assert await stack.hostname() == hostname
    assert (await stack.load_balancer(hostname))["LoadBalancerArn"] == lb["LoadBalancerArn"]
    arn = group["TargetGroupArn"]
    zones = {
        s["CidrBlock"]: s["AvailabilityZone"]
        for s in (await stack.aws("ec2", "describe-subnets"))["Subnets"]
    }

    async def targets(count: int) -> list[dict[str, Any]] | None:
        health = await stack.target_health(arn)
        live = [t for t in health if t["TargetHealth"]["State"] != "draining"]
        return live if len(live) == count and len(health) == count else None

    [one] = await async_wait_until(lambda: targets(1), timeout=10, what="one pod target")
    pod_ips = await ui_pod_ips(stack)
    assert set(pod_ips) == {one["Target"]["Id"]}
    assert one["Target"]["Port"] == 8080
    assert one["Target"]["AvailabilityZone"] in set(zones.values())
    assert one["TargetHealth"]["State"] in {"initial", "healthy"}
    all_groups = (await stack.aws("elbv2", "describe-target-groups"))["TargetGroups"]
    assert [g["TargetGroupArn"] for g in all_groups] == [arn]  # the instance group is gone

    await stack.kubectl("scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await stack.kubectl(
        "wait",
        "--for=condition=Ready",
        "pod",
        "-n",
        "ui",
        "-l",
        "app.kubernetes.io/name=ui",
        "--timeout=60s",
    )
    three = await async_wait_until(lambda: targets(3), timeout=10, what="three pod targets")
    assert {t["Target"]["Id"] for t in three} == set(await ui_pod_ips(stack))

    # Scale down with a short deregistration delay: the removed pods drain, then go.
    await stack.annotate_service(
        "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes="
        "deregistration_delay.timeout_seconds=3"
    )

    async def short_delay() -> bool:
        answer = await stack.aws(
            "elbv2", "describe-target-group-attributes", "--target-group-arn", arn
        )
        return {"Key": "deregistration_delay.timeout_seconds", "Value": "3"} in answer["Attributes"]

    await async_wait_until(short_delay, timeout=10, what="deregistration delay 3 s")
    await stack.kubectl("scale", "-n", "ui", "deployment/ui", "--replicas=1")

    async def draining() -> list[dict[str, Any]] | None:
        health = await stack.target_health(arn)
        gone = [t for t in health if t["TargetHealth"]["State"] == "draining"]
        return gone if len(gone) == 2 else None

    drained = await async_wait_until(draining, timeout=15, what="two draining targets")
    assert {t["TargetHealth"]["Reason"] for t in drained} == {"Target.DeregistrationInProgress"}
    [kept] = await async_wait_until(lambda: targets(1), timeout=20, what="drained targets gone")
    assert kept["Target"]["Id"] not in {t["Target"]["Id"] for t in drained}
    await delete_and_check_nothing_left(stack)
