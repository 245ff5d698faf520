"""Reference Part 5 scenarios that need the real APIs: ownership, build-error events, node
eligibility in instance mode, readiness gates, user-made bindings, scheme change and deletion
protection. (The workshop steps themselves are in test_workshop_flow.py.)
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from tests.e2e.controller.conftest import NLB_DIR, UI_BASE, Stack
from tests.e2e.controller.workloads import (
    A,
    gated_namespace_with_ip_service,
    service_manifest,
    web_deployment,
)
from tests.helpers.commands import WAIT_UI_READY
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


async def events_of(stack: Stack, name: str, namespace: str = "ui") -> list[dict[str, Any]]:
    listed = await stack.kubectl_json(
        "get", "events", "-n", namespace, "--field-selector", f"involvedObject.name={name}"
    )
    return list(listed["items"])


async def wait_event(stack: Stack, name: str, reason: str) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        return next((e for e in await events_of(stack, name) if e["reason"] == reason), None)

    return await async_wait_until(found, timeout=10, what=f"event {reason} on {name}")


async def test_ownership_by_class_and_annotations(stack: Stack) -> None:
    await stack.kubectl("create", "namespace", "ui")
    # A NodePort Service: a new LoadBalancer one without a class would get ours from the
    # service webhook (test_admission_webhooks.py), and the annotations would not matter.
    await stack.apply(
        service_manifest(
            "external-only",
            annotations={"aws-load-balancer-type": "external"},
            spec={"type": "NodePort"},
        ),
    )
    await stack.apply(service_manifest("other-class", spec={"loadBalancerClass": "example.com/lb"}))
    await stack.apply(service_manifest("nlb-ip", annotations={"aws-load-balancer-type": "nlb-ip"}))
    await stack.apply(
        service_manifest("our-class", spec={"loadBalancerClass": "service.k8s.aws/nlb"})
    )
    for owned in ("nlb-ip", "our-class"):
        await async_wait_until(partial(stack.hostname, "ui", owned), timeout=10, what=owned)
    for ignored in ("external-only", "other-class"):
        obj = await stack.kubectl_json("get", "service", "-n", "ui", ignored)
        assert not obj["metadata"].get("finalizers")
        assert not obj["status"].get("loadBalancer")
        assert await events_of(stack, ignored) == []
    answer = await stack.aws("elbv2", "describe-load-balancers")
    assert len(answer["LoadBalancers"]) == 2
    [ip_lb] = [lb for lb in answer["LoadBalancers"] if "nlbip" in lb["LoadBalancerName"]]
    [group] = await stack.target_groups(ip_lb["LoadBalancerArn"])
    assert group["TargetType"] == "ip"
    # The default scheme is internal (no scheme annotation).
    assert {lb["Scheme"] for lb in answer["LoadBalancers"]} == {"internal"}


async def test_build_errors_become_warning_events(stack: Stack) -> None:
    await stack.kubectl("create", "namespace", "ui")
    await stack.apply(
        service_manifest(
            "cluster-ip",
            annotations={
                "aws-load-balancer-type": "external",
                "aws-load-balancer-nlb-target-type": "instance",
            },
            spec={"type": "ClusterIP"},
        ),
    )
    event = await wait_event(stack, "cluster-ip", "FailedBuildModel")
    assert event["type"] == "Warning"
    assert event["message"] == (
        'Failed build model due to unsupported service type "ClusterIP" for load balancer '
        'target type "instance"'
    )
    await stack.apply(
        service_manifest(
            "long-name",
            annotations={
                "aws-load-balancer-type": "nlb-ip",
                "aws-load-balancer-name": "x" * 33,
            },
        ),
    )
    event = await wait_event(stack, "long-name", "FailedBuildModel")
    assert event["message"].endswith("load balancer name cannot be longer than 32 characters")
    assert (await stack.aws("elbv2", "describe-load-balancers"))["LoadBalancers"] == []


async def instance_targets(stack: Stack, group_arn: str) -> dict[str, str]:
    return {
        t["Target"]["Id"]: t["TargetHealth"]["State"] for t in await stack.target_health(group_arn)
    }


async def test_node_exclusion_and_target_node_labels(stack: Stack) -> None:
    hostname = await stack.expose_ui(NLB_DIR)
    lb = await stack.load_balancer(hostname)
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    arn = group["TargetGroupArn"]
    nodes = (await stack.kubectl_json("get", "nodes"))["items"]
    instance = {n["metadata"]["name"]: n["spec"]["providerID"].rsplit("/", 1)[1] for n in nodes}
    first = sorted(instance)[0]

    async def states(expected: dict[str, str]) -> bool:
        current = await instance_targets(stack, arn)
        return all(current.get(i) in (s.split("|")) for i, s in expected.items()) and set(
            current
        ) == set(expected)

    live = "initial|healthy"
    await async_wait_until(
        lambda: states(dict.fromkeys(instance.values(), live)), timeout=10, what="3 node targets"
    )
    await stack.kubectl(
        "label", "node", first, "node.kubernetes.io/exclude-from-external-load-balancers=true"
    )
    await async_wait_until(
        lambda: states({i: "draining" if n == first else live for n, i in instance.items()}),
        timeout=10,
        what="excluded node draining",
    )
    await stack.kubectl(
        "label", "node", first, "node.kubernetes.io/exclude-from-external-load-balancers-"
    )

    async def live_ids() -> set[str]:
        return {t["Target"]["Id"] for t in await stack.live_targets(arn)}

    async def registered_again() -> bool:
        return instance[first] in await live_ids()

    await async_wait_until(registered_again, timeout=10, what="node registered again")

    # target-node-labels: only the labelled nodes.
    await stack.annotate_service(f"{A}aws-load-balancer-target-node-labels=localnlb.test/pick=yes")

    async def none_live() -> bool:
        return await live_ids() == set()

    await async_wait_until(none_live, timeout=10, what="no node has the label")
    await stack.kubectl("label", "node", first, "localnlb.test/pick=yes")

    async def only_first() -> bool:
        return await live_ids() == {instance[first]}

    await async_wait_until(only_first, timeout=10, what="the labelled node only")
    await stack.annotate_service(f"{A}aws-load-balancer-target-node-labels-")

    async def all_nodes() -> bool:
        return await live_ids() == set(instance.values())

    await async_wait_until(all_nodes, timeout=10, what="every node again")


async def test_user_made_binding_for_an_outside_target_group(stack: Stack) -> None:
    await stack.kubectl("apply", "-k", str(stack.workshop_dir / UI_BASE))
    vpc = (await stack.aws("ec2", "describe-vpcs"))["Vpcs"][0]["VpcId"]
    created = await stack.aws(
        "elbv2",
        "create-target-group",
        "--name",
        "made-by-hand",
        "--protocol",
        "TCP",
        "--port",
        "8080",
        "--target-type",
        "ip",
        "--vpc-id",
        vpc,
    )
    arn = created["TargetGroups"][0]["TargetGroupArn"]
    binding = {
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "by-hand", "namespace": "ui"},
        "spec": {
            "targetGroupARN": arn,
            "targetType": "ip",
            "serviceRef": {"name": "ui", "port": 80},
        },
    }
    await stack.apply(json.dumps(binding))
    await stack.kubectl(*WAIT_UI_READY)
    pods = (await stack.kubectl_json("get", "pods", "-n", "ui"))["items"]
    pod_ip = pods[0]["status"]["podIP"]

    async def registered() -> list[dict[str, Any]] | None:
        health = await stack.target_health(arn)
        return health if [t["Target"]["Id"] for t in health] == [pod_ip] else None

    [target] = await async_wait_until(registered, timeout=10, what="the pod registered")
    assert target["Target"]["Port"] == 8080

    async def observed() -> dict[str, Any] | None:
        obj = await stack.kubectl_json("get", "targetgroupbinding", "-n", "ui", "by-hand")
        generation = obj["metadata"].get("generation")
        seen = (obj.get("status") or {}).get("observedGeneration")
        return dict(obj) if generation and seen == generation else None

    obj = await async_wait_until(observed, timeout=10, what="status.observedGeneration")
    assert "elbv2.k8s.aws/resources" in obj["metadata"]["finalizers"]
    table = await stack.kubectl("get", "targetgroupbindings", "-n", "ui")
    assert table.split()[:5] == ["NAME", "SERVICE-NAME", "SERVICE-PORT", "TARGET-TYPE", "AGE"]
    # Its Service gone: BackendNotFound, and the targets are deregistered.
    await stack.kubectl("delete", "service", "-n", "ui", "ui")

    event = await wait_event(stack, "by-hand", "BackendNotFound")
    assert event["message"] == 'services "ui" not found'
    assert event["involvedObject"]["kind"] == "TargetGroupBinding"

    async def deregistered() -> bool:
        health = await stack.target_health(arn)
        return all(t["TargetHealth"]["State"] == "draining" for t in health)

    await async_wait_until(deregistered, timeout=10, what="targets deregistered")
    await stack.kubectl("delete", "targetgroupbinding", "-n", "ui", "by-hand", "--timeout=30s")
    # Deregistered: a group no load balancer uses has nothing to drain, so the target goes.
    assert await stack.live_targets(arn) == []


async def test_readiness_gate_conditions_on_gated_pods(stack: Stack) -> None:
    gate = await gated_namespace_with_ip_service(stack)
    await stack.apply(web_deployment("gated"))  # the pod webhook adds the gate

    async def gated_pod() -> dict[str, Any] | None:
        pods = (await stack.kubectl_json("get", "pods", "-n", "gated"))["items"]
        for pod in pods:
            conditions = {c["type"]: c for c in pod["status"].get("conditions") or []}
            # Unknown while the pod is an endpoint but not (yet) a target.
            if conditions.get(gate, {}).get("status") in ("True", "False"):
                return dict(pod)
        return None

    pod = await async_wait_until(gated_pod, timeout=20, what="the gate's condition")
    assert pod["spec"]["readinessGates"] == [{"conditionType": gate}]
    conditions = {c["type"]: c for c in pod["status"]["conditions"]}
    # The gate holds the pod until its target is healthy (no probe verdict: never).
    if conditions[gate]["status"] == "False":
        assert conditions[gate]["reason"] in {
            "Elb.RegistrationInProgress",
            "Elb.InitialHealthChecking",
            "Target.FailedHealthChecks",
        }
        assert conditions["Ready"]["status"] == "False"
    else:
        assert conditions[gate]["status"] == "True"
    lb = await stack.load_balancer(str(await stack.hostname("gated", "web")))
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    ids = [t["Target"]["Id"] for t in await stack.target_health(group["TargetGroupArn"])]
    assert ids == [pod["status"]["podIP"]]  # registered although the pod is not Ready
    # Deleting the Service deletes the binding, which releases the gate.
    await stack.kubectl("delete", "service", "-n", "gated", "web", "--timeout=60s")

    async def released() -> bool:
        current = await gated_pod()
        return current is not None and any(
            c["type"] == gate and c["status"] == "True" for c in current["status"]["conditions"]
        )

    await async_wait_until(released, timeout=10, what="gate released")


async def test_scheme_change_and_deletion_protection(stack: Stack) -> None:
    first = await stack.expose_ui(NLB_DIR)
    await stack.annotate_service(f"{A}aws-load-balancer-scheme=internal")

    async def new_hostname() -> str | None:
        current = await stack.hostname()
        return current if current and current != first else None

    second = await async_wait_until(new_hostname, timeout=10, what="a new hostname")
    [lb] = (await stack.aws("elbv2", "describe-load-balancers"))["LoadBalancers"]
    assert (lb["DNSName"], lb["Scheme"]) == (second, "internal")

    await stack.annotate_service(
        f"{A}aws-load-balancer-attributes=deletion_protection.enabled=true"
    )

    async def protected() -> bool:
        answer = await stack.aws(
            "elbv2",
            "describe-load-balancer-attributes",
            "--load-balancer-arn",
            lb["LoadBalancerArn"],
        )
        return {"Key": "deletion_protection.enabled", "Value": "true"} in answer["Attributes"]

    await async_wait_until(protected, timeout=10, what="deletion protection on")
    await stack.kubectl("delete", "service", "-n", "ui", "ui-nlb", "--wait=false")

    async def stuck_event() -> bool:
        return any(
            e["reason"] == "FailedBuildModel"
            and "deletion_protection is enabled, cannot delete the service: ui-nlb" in e["message"]
            for e in await events_of(stack, "ui-nlb")
        )

    await async_wait_until(stuck_event, timeout=10, what="stuck on deletion protection")
    assert (await stack.kubectl_json("get", "service", "-n", "ui", "ui-nlb"))["metadata"][
        "deletionTimestamp"
    ]
    await stack.annotate_service(
        f"{A}aws-load-balancer-attributes=deletion_protection.enabled=false"
    )
    await stack.kubectl("wait", "--for=delete", "service/ui-nlb", "-n", "ui", "--timeout=30s")
    assert (await stack.aws("elbv2", "describe-load-balancers"))["LoadBalancers"] == []


async def test_multi_cluster_target_group_keeps_foreign_targets(stack: Stack) -> None:
    await stack.kubectl("apply", "-k", str(stack.workshop_dir / UI_BASE))
    await stack.apply(
        service_manifest(
            "shared",
            annotations={
                "aws-load-balancer-type": "nlb-ip",
                "aws-load-balancer-multi-cluster-target-group": "true",
            },
        ),
    )
    lb = await stack.load_balancer(
        await async_wait_until(partial(stack.hostname, "ui", "shared"), timeout=10)
    )
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    arn = group["TargetGroupArn"]

    async def live(count: int) -> set[str] | None:
        keys = {f"{t['Target']['Id']}:{t['Target']['Port']}" for t in await stack.live_targets(arn)}
        return keys if len(keys) == count else None

    [pod] = await async_wait_until(partial(live, 1), timeout=15, what="the pod target")
    foreign_ip = pod.split(":")[0]
    await stack.aws(
        "elbv2",
        "register-targets",
        "--target-group-arn",
        arn,
        "--targets",
        f"Id={foreign_ip},Port=8081",
    )
    # Another reconcile (a new pod) keeps the target another cluster registered.
    await stack.kubectl("scale", "-n", "ui", "deployment/ui", "--replicas=2")
    kept = await async_wait_until(partial(live, 3), timeout=20, what="2 pods + the foreign one")
    assert f"{foreign_ip}:8081" in kept
    await stack.annotate_service(
        f"{A}aws-load-balancer-multi-cluster-target-group=false", name="shared"
    )
    owned = await async_wait_until(partial(live, 2), timeout=15, what="foreign target removed")
    assert f"{foreign_ip}:8081" not in owned


async def test_removed_node_drains_and_an_added_node_registers(stack: Stack) -> None:
    lb = await stack.load_balancer(await stack.expose_ui(NLB_DIR))
    [group] = await stack.target_groups(lb["LoadBalancerArn"])
    arn = group["TargetGroupArn"]
    fleet = stack.cluster.fleet
    assert fleet is not None
    identity = next(a for a in stack.cluster.settings.nodes)
    instance_id = (await stack.kubectl_json("get", "node", identity.name))["spec"][
        "providerID"
    ].rsplit("/", 1)[1]

    async def state_of(instance: str) -> str | None:
        current = await instance_targets(stack, arn)
        return current.get(instance)

    async def registered() -> bool:
        return await state_of(instance_id) in ("initial", "healthy")

    async def draining() -> bool:
        return await state_of(instance_id) == "draining"

    await async_wait_until(registered, timeout=10, what="the node registered")
    await fleet.remove_node(identity.name, grace=1.0)
    await async_wait_until(draining, timeout=10, what="the removed node draining")
    await fleet.add_node(identity)
    await async_wait_until(registered, timeout=15, what="the node registered again")
