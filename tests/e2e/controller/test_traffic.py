"""Real traffic and real health through the controller's load balancers: the ELBv2 API with the
health checker (time scale 0.1), the data plane's LB nodes, kube-proxy on the nodes, and curl.

Instance mode: 3 node targets become healthy and ``curl http://<hostname>/home`` answers through
kube-proxy; with externalTrafficPolicy Local the nodes without a ui pod fail the /healthz check
(Target.FailedHealthChecks) while traffic still flows. Ip mode: the pod targets become healthy,
scaling to 3 gives 3 healthy targets, and each LB node (one per zone) reaches its zone's pod.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.controller.conftest import IP_MODE_DIR, NLB_DIR, Stack
from tests.e2e.controller.workloads import gated_namespace_with_ip_service, web_deployment
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


async def states(stack: Stack, arn: str) -> dict[str, tuple[str, str]]:
    return {
        t["Target"]["Id"]: (t["TargetHealth"]["State"], t["TargetHealth"].get("Reason", ""))
        for t in await stack.live_targets(arn)
    }


async def all_healthy(stack: Stack, arn: str, count: int) -> dict[str, Any] | None:
    current = await states(stack, arn)
    ok = len(current) == count and all(s == "healthy" for s, _ in current.values())
    return dict(current) if ok else None


async def answers(stack: Stack, hostname: str) -> list[str]:
    """One GET /home through each LB node the hosts file lists; the bodies (all must be 200).

    The list is read afresh on every try, as a client re-resolves: the data plane rewrites it a
    moment after DescribeTargetHealth says healthy (only zones with a healthy target are
    listed), and a node listed a moment too early has no target in its zone."""

    async def every_listed_node_answers() -> list[str] | None:
        addresses = stack.addresses(hostname)
        bodies = []
        for address in addresses:
            code, body = await stack.curl(hostname, address)
            if code != "200":
                return None
            bodies.append(body)
        return bodies or None

    return await async_wait_until(
        every_listed_node_answers, timeout=20, what="200 via every LB node the hosts file lists"
    )


async def answers_addresses(stack: Stack, hostname: str) -> list[str]:
    await answers(stack, hostname)
    return stack.addresses(hostname)


async def test_traffic_and_health_in_instance_then_ip_mode(traffic_stack: Stack) -> None:
    stack = traffic_stack
    hostname = await stack.expose_ui(NLB_DIR)
    lb = await stack.load_balancer(hostname)
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    arn = group["TargetGroupArn"]
    await async_wait_until(lambda: all_healthy(stack, arn, 3), timeout=30, what="3 healthy nodes")
    assert len(await answers(stack, hostname)) == len(lb["AvailabilityZones"])

    # externalTrafficPolicy Local: only the node with the ui pod passes /healthz.
    await stack.kubectl(
        "patch", "service", "-n", "ui", "ui-nlb", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}'
    )
    pods = await stack.kubectl_json("get", "pods", "-n", "ui", "-l", "app.kubernetes.io/name=ui")
    [pod_node] = {p["spec"]["nodeName"] for p in pods["items"]}
    node = await stack.kubectl_json("get", "node", pod_node)
    pod_instance = node["spec"]["providerID"].rsplit("/", 1)[1]

    async def local_verdicts() -> dict[str, tuple[str, str]] | None:
        current = await states(stack, arn)
        wanted = {
            i: ("healthy", "") if i == pod_instance else ("unhealthy", "Target.FailedHealthChecks")
            for i in current
        }
        return current if len(current) == 3 and current == wanted else None

    await async_wait_until(local_verdicts, timeout=30, what="Local: one healthy node")
    code, _ = await stack.curl(hostname, stack.addresses(hostname)[0])
    assert code == "200"

    # ip mode: the same hostname, pod targets, healthy, one pod per zone after scaling to 3.
    await stack.apply_workshop(IP_MODE_DIR)

    async def ip_group() -> str | None:
        groups = await stack.target_groups(lb["LoadBalancerArn"])
        ok = len(groups) == 1 and groups[0]["TargetType"] == "ip"
        return str(groups[0]["TargetGroupArn"]) if ok else None

    ip_arn = await async_wait_until(ip_group, timeout=10, what="the ip target group")
    await async_wait_until(lambda: all_healthy(stack, ip_arn, 1), timeout=30, what="healthy pod")
    await stack.kubectl("scale", "-n", "ui", "deployment/ui", "--replicas=3")
    await async_wait_until(lambda: all_healthy(stack, ip_arn, 3), timeout=30, what="3 healthy")
    assert await stack.hostname() == hostname
    pods = await stack.kubectl_json("get", "pods", "-n", "ui", "-l", "app.kubernetes.io/name=ui")
    names = {p["metadata"]["name"] for p in pods["items"]}
    served = {name for body in await answers(stack, hostname) for name in names if name in body}
    assert len(served) == 3  # each zone's LB node reaches its own zone's pod


async def test_readiness_gate_goes_true_once_the_target_is_healthy(traffic_stack: Stack) -> None:
    stack = traffic_stack
    gate = await gated_namespace_with_ip_service(
        stack, annotations={"aws-load-balancer-type": "nlb-ip"}
    )
    await stack.apply(web_deployment("gated"))  # gate injected

    async def gated_and_ready() -> dict[str, Any] | None:
        # The kubelet recomputes Ready a moment after the controller sets the gate, as in
        # Kubernetes: wait for both rather than read them in one snapshot.
        for pod in (await stack.kubectl_json("get", "pods", "-n", "gated"))["items"]:
            conditions = {c["type"]: c for c in pod["status"].get("conditions") or []}
            statuses = (conditions.get(gate, {}).get("status"), conditions["Ready"]["status"])
            if statuses == ("True", "True"):
                return conditions
        return None

    await async_wait_until(gated_and_ready, timeout=40, what="gate True, then the pod Ready")
    table = await stack.kubectl("get", "pods", "-n", "gated", "-o", "wide")
    assert table.splitlines()[0].split()[-2:] == ["READINESS", "GATES"]
    assert table.splitlines()[1].split()[-1] == "1/1"


# On both engines: the kernel's (what ``up`` runs as root here) and the user-space workers'.
@pytest.mark.parametrize("traffic_stack", ["auto", "user"], indirect=True)
async def test_source_ranges_admit_only_their_cidrs(traffic_stack: Stack) -> None:
    stack = traffic_stack
    hostname = await stack.expose_ui(IP_MODE_DIR)
    lb = await stack.load_balancer(hostname)
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    await async_wait_until(
        lambda: all_healthy(stack, group["TargetGroupArn"], 1), timeout=30, what="healthy pod"
    )
    address = (await answers_addresses(stack, hostname))[0]

    async def from_elsewhere() -> str:
        return await stack.shell(
            f"curl -s -o /dev/null -w '%{{http_code}}' --max-time 2 --interface 127.0.0.9 "
            f"--resolve {hostname}:80:{address} http://{hostname}/home || true"
        )

    async def admitted_from_elsewhere() -> bool:
        return await from_elsewhere() == "200"

    # 127.0.0.0/8 (the workshop's INBOUND_CIDRS) admits 127.0.0.9.
    await async_wait_until(admitted_from_elsewhere, timeout=15, what="127.0.0.9 admitted")
    await stack.annotate_service(
        "service.beta.kubernetes.io/load-balancer-source-ranges=127.0.0.1/32"
    )

    async def refused_from_elsewhere() -> bool:
        return await from_elsewhere() == "000"

    await async_wait_until(refused_from_elsewhere, timeout=15, what="127.0.0.9 refused")
    code, _ = await stack.curl(hostname, address)  # from 127.0.0.1: still admitted
    assert code == "200"
