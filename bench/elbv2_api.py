"""Benchmark of the ELBv2 API's server-side handling time.

DescribeTargetHealth on a target group with 1,000 targets and DescribeLoadBalancers with 200
load balancers, each measured over repeated calls with boto3 against an in-process server on
127.0.0.1. The server reports the time it spent on each request (parse, validate, handle,
serialise) in the ``x-localnlb-handling-ms`` header; the client-side round trip is shown too.
Goal: under 50 ms server time for each. Run: ``python -m bench elbv2_api`` (or ``python -m
bench.elbv2_api``).
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from localnlb.elbv2.api.context import ApiSettings
from localnlb.elbv2.api.server import HANDLING_HEADER
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, start_elbv2

LOAD_BALANCERS = 200
TARGETS = 1000
REPEATS = 40
GOAL_MS = 50.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> str:
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {_cpu_model()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


class InThread:
    """The server on its own event loop in a thread, so that boto3 can call it synchronously."""

    def __init__(self, state_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        api = ApiSettings(limit_overrides={"network-load-balancers": LOAD_BALANCERS + 10})
        settings = Elbv2Settings(state_dir=state_dir, api=api)
        future = asyncio.run_coroutine_threadsafe(start_elbv2(settings), self.loop)
        self.server: Elbv2Server = future.result(timeout=30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _client(service: str, url: str) -> Any:
    factory: Any = boto3.client
    return factory(
        service,
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def populate(elbv2: Any, ec2: Any) -> str:
    """200 load balancers (spread over the AZs) and one target group with 1,000 ip targets."""
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    arns = []
    for index in range(LOAD_BALANCERS):
        subnet = subnets[index % len(subnets)]["SubnetId"]
        created = elbv2.create_load_balancer(
            Name=f"bench-{index}", Type="network", Subnets=[subnet]
        )
        arns.append(created["LoadBalancers"][0]["LoadBalancerArn"])
    vpc_id = subnets[0]["VpcId"]
    tg = elbv2.create_target_group(
        Name="bench", Protocol="TCP", Port=80, VpcId=vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=arns[0],
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    prefix = subnets[0]["CidrBlock"].rsplit(".", 2)[0]
    targets = [
        {"Id": f"{prefix}.{1 + n // 250}.{1 + n % 250}", "Port": 8080} for n in range(TARGETS)
    ]
    for start in range(0, TARGETS, 100):
        elbv2.register_targets(TargetGroupArn=tg, Targets=targets[start : start + 100])
    return str(tg)


def measure(call: Callable[[], Any]) -> tuple[list[float], list[float]]:
    call()  # warm-up
    server_ms, client_ms = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = call()
        client_ms.append((time.perf_counter() - started) * 1000)
        server_ms.append(float(response["ResponseMetadata"]["HTTPHeaders"][HANDLING_HEADER]))
    return server_ms, client_ms


def _row(name: str, server_ms: list[float], client_ms: list[float]) -> str:
    p95 = statistics.quantiles(server_ms, n=20)[-1]
    verdict = "ok" if statistics.median(server_ms) < GOAL_MS else "SLOW"
    return (
        f"| {name} | {statistics.median(server_ms):.1f} | {p95:.1f} | {max(server_ms):.1f} | "
        f"{statistics.median(client_ms):.1f} | {verdict} |"
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="localnlb-bench-") as state:
        running = InThread(Path(state))
        try:
            elbv2, ec2 = _client("elbv2", running.server.url), _client("ec2", running.server.url)
            setup_started = time.perf_counter()
            tg = populate(elbv2, ec2)
            setup_s = time.perf_counter() - setup_started
            health = measure(lambda: elbv2.describe_target_health(TargetGroupArn=tg))
            count = len(elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"])
            lbs = measure(elbv2.describe_load_balancers)
            lb_count = len(elbv2.describe_load_balancers()["LoadBalancers"])
        finally:
            running.stop()
    print(f"Machine: {machine_info()}")
    print(
        f"Set-up: {LOAD_BALANCERS} load balancers, {TARGETS} targets in {setup_s:.1f} s; "
        f"{REPEATS} calls each, goal < {GOAL_MS:.0f} ms server time (median)"
    )
    print()
    print("| call | server median ms | server p95 ms | server max ms | client median ms | goal |")
    print("|---|---|---|---|---|---|")
    print(_row(f"DescribeTargetHealth ({count} targets)", *health))
    print(_row(f"DescribeLoadBalancers ({lb_count} LBs)", *lbs))
    slow = max(statistics.median(health[0]), statistics.median(lbs[0])) >= GOAL_MS
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
