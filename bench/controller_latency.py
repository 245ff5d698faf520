"""Benchmark: how fast a cluster change reaches the ELBv2 API through the controller.

Runs the ELBv2/EC2 API (own thread), the embedded cluster and the controller in process, applies
the workshop's ui app and an ip-mode NLB Service, then:

* scale: ``kubectl scale`` the ui deployment up by one, several times; for each new pod the time
  from starting ``kubectl scale`` to its target appearing in ``DescribeTargetHealth``
  (end to end: scheduling, the pod process starting, the EndpointSlice, the controller), and the
  controller's own share: from the EndpointSlice listing the pod ready (seen by the controller's
  watch) to the target appearing;
* annotation: ``kubectl annotate`` the Service's target-group attributes; the time until
  ``DescribeTargetGroupAttributes`` shows the new value.

Goal: p50 under 1 s for both. Run: ``python -m bench controller_latency``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3

from bench.elbv2_api import machine_info
from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.provisioning import Ec2NodeProvisioner
from localnlb.common.addressing import build_address_plan
from localnlb.common.statedir import vpc_octet_for
from localnlb.controller.runtime.controller import (
    AwsEndpoints,
    LoadBalancerController,
    RuntimeSettings,
)
from localnlb.controller.runtime.leader import LeaderSettings
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, start_elbv2

REGION = "us-west-2"
WORKSHOP = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "eks-workshop"
SCALE_STEPS = 5
ANNOTATION_STEPS = 5
GOAL_SECONDS = 1.0
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "name": "ui-nlb",
        "namespace": "ui",
        "annotations": {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        },
    },
    "spec": {
        "type": "LoadBalancer",
        "ports": [{"port": 80, "targetPort": 8080, "name": "http"}],
        "selector": {"app.kubernetes.io/name": "ui"},
    },
}


def _client(service: str, url: str) -> Any:
    factory: Any = boto3.client
    return factory(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


async def _kubectl(env: dict[str, str], *args: str, stdin: str = "") -> str:
    process = await asyncio.create_subprocess_exec(
        "kubectl",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode())
    if process.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {err.decode()}")
    return out.decode()


async def _until(probe: Any, *, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await probe()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise TimeoutError("condition did not hold")


def _summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"{name}: n={len(samples)} p50={statistics.median(samples) * 1000:.0f} ms "
        f"p90={p90 * 1000:.0f} ms max={ordered[-1] * 1000:.0f} ms"
    )


async def _measure(state: Path, url: str) -> tuple[list[float], list[float], list[float]]:
    plan = build_address_plan(vpc_octet=vpc_octet_for(state), region=REGION)
    nodes = Ec2NodeProvisioner(_client("ec2", url), plan, cluster_name="eks-workshop").ensure(3)
    cluster = EmbeddedCluster(ClusterSettings(state_dir=state, plan=plan, nodes=nodes))
    await cluster.start()
    controller = LoadBalancerController(
        RuntimeSettings(
            kubeconfig=cluster.kubeconfig_path,
            aws=AwsEndpoints(url, url, REGION, "bench", "bench"),
            leader=LeaderSettings(identity="bench"),
        )
    )
    elbv2 = _client("elbv2", url)
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path)}
    end_to_end: list[float] = []
    controller_share: list[float] = []
    annotation: list[float] = []
    try:
        await controller.start()
        slice_ready_at: dict[str, float] = {}

        def on_slice(key: str, old: Any, new: Any) -> None:
            for endpoint in (new or {}).get("endpoints") or ():
                if (endpoint.get("conditions") or {}).get("ready"):
                    for address in endpoint.get("addresses") or ():
                        slice_ready_at.setdefault(address, time.monotonic())

        controller.informers[3].on_change(on_slice)
        await _kubectl(env, "apply", "-k", str(WORKSHOP / "manifests/base-application/ui"))
        await _kubectl(env, "apply", "-f", "-", stdin=json.dumps(SERVICE))

        async def group_arn() -> str | None:
            groups = await asyncio.to_thread(elbv2.describe_target_groups)
            ip = [g for g in groups["TargetGroups"] if g["TargetType"] == "ip"]
            return str(ip[0]["TargetGroupArn"]) if ip else None

        arn = await _until(group_arn)

        async def targets() -> set[str]:
            answer = await asyncio.to_thread(elbv2.describe_target_health, TargetGroupArn=arn)
            return {
                t["Target"]["Id"]
                for t in answer["TargetHealthDescriptions"]
                if t["TargetHealth"]["State"] != "draining"
            }

        await _until(lambda: _has(targets, 1))
        for replicas in range(2, 2 + SCALE_STEPS):
            before = await targets()
            started = time.monotonic()
            await _kubectl(env, "scale", "-n", "ui", "deployment/ui", f"--replicas={replicas}")
            now = await _until(lambda n=replicas: _has(targets, n))
            seen = time.monotonic()
            [new] = list(now - before)
            end_to_end.append(seen - started)
            controller_share.append(seen - slice_ready_at.get(new, seen))
        for step in range(ANNOTATION_STEPS):
            value = str(100 + step)
            started = time.monotonic()
            await _kubectl(
                env,
                "annotate",
                "service",
                "-n",
                "ui",
                "ui-nlb",
                "--overwrite",
                "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes="
                f"deregistration_delay.timeout_seconds={value}",
            )

            async def applied(v: str = value) -> bool:
                answer = await asyncio.to_thread(
                    elbv2.describe_target_group_attributes, TargetGroupArn=arn
                )
                return {"Key": "deregistration_delay.timeout_seconds", "Value": v} in answer[
                    "Attributes"
                ]

            await _until(applied)
            annotation.append(time.monotonic() - started)
        await _kubectl(env, "delete", "service", "-n", "ui", "ui-nlb", "--timeout=60s")
    finally:
        await controller.stop(grace=2.0)
        await cluster.stop(grace=2.0)
    return end_to_end, controller_share, annotation


async def _has(targets: Any, count: int) -> set[str] | None:
    current: set[str] = await targets()
    return current if len(current) == count else None


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="localnlb-bench-") as tmp:
        state = Path(tmp) / "state"
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="bench-elbv2", daemon=True)
        thread.start()
        server: Elbv2Server = asyncio.run_coroutine_threadsafe(
            start_elbv2(Elbv2Settings(state_dir=state)), loop
        ).result(timeout=30)
        try:
            end_to_end, share, annotation = asyncio.run(_measure(state, server.url))
        finally:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
    print(machine_info())
    print(_summary("scale → target registered (end to end)", end_to_end))
    print(_summary("EndpointSlice ready → target registered (controller)", share))
    print(_summary("annotation → target group attribute", annotation))
    slow = [
        name
        for name, samples in (("scale", end_to_end), ("annotation", annotation))
        if statistics.median(samples) >= GOAL_SECONDS
    ]
    if slow:
        print(f"over the {GOAL_SECONDS:.0f} s p50 goal: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
