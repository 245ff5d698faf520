"""The health checker plugged into the real ELBv2 API: boto3 sees what real probes found.

The API server and the scheduler share one event loop in a background thread (as in
``localnlb elbv2``), so that synchronous boto3 can call it; backends run on that loop too. Time is
scaled by the test-only profile scale, so HealthCheckIntervalSeconds=5 means 0.5 s here.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot
from localnlb.elbv2.health.scheduler import scheduler_factory
from localnlb.elbv2.health.timing import FAST
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, start_elbv2
from tests.component.health.backends import Backend
from tests.component.health.conftest import SCALE, unused_port
from tests.helpers.waiting import wait_until

T = TypeVar("T")
pytestmark = pytest.mark.timeout(60)


@dataclass
class Running:
    server: Elbv2Server
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def client(self, service: str) -> Any:
        factory: Any = boto3.client  # the stubs only accept literal service names
        return factory(
            service,
            endpoint_url=self.server.url,
            region_name="us-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="elbv2-health", daemon=True)
    thread.start()
    factory = scheduler_factory(profile=FAST.scaled(SCALE))
    settings = Elbv2Settings(state_dir=tmp_path / "state")
    server = asyncio.run_coroutine_threadsafe(
        start_elbv2(settings, probed_health_factory=factory), loop
    ).result(timeout=30)
    try:
        yield Running(server, loop)
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def _health(elbv2: Any, tg_arn: str) -> dict[str, dict[str, Any]]:
    descriptions = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: d for d in descriptions}


def test_describe_target_health_shows_what_the_probes_found(running: Running) -> None:
    elbv2, ec2 = running.client("elbv2"), running.client("ec2")
    subnet = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[0]
    base = subnet["CidrBlock"].split("/")[0].split(".")
    live_ip = f"{base[0]}.{base[1]}.{int(base[2]) + 1}.50"  # the zone's pod range
    dead_ip = f"{base[0]}.{base[1]}.{int(base[2]) + 1}.51"
    live = running.run(Backend(live_ip).start())
    try:
        dead_port = unused_port(dead_ip)
        lb = elbv2.create_load_balancer(
            Name="health", Type="network", Subnets=[subnet["SubnetId"]]
        )["LoadBalancers"][0]
        tg = elbv2.create_target_group(
            Name="health",
            Protocol="TCP",
            Port=80,
            VpcId=subnet["VpcId"],
            TargetType="ip",
            HealthCheckIntervalSeconds=5,
            HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=2,
        )["TargetGroups"][0]
        tg_arn = tg["TargetGroupArn"]
        elbv2.register_targets(
            TargetGroupArn=tg_arn,
            Targets=[{"Id": live_ip, "Port": live.port}, {"Id": dead_ip, "Port": dead_port}],
        )
        elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="TCP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )
        started = time.monotonic()
        first = _health(elbv2, tg_arn)
        assert {d["TargetHealth"]["State"] for d in first.values()} == {"initial"}
        assert {d["TargetHealth"]["Reason"] for d in first.values()} <= {
            "Elb.RegistrationInProgress",
            "Elb.InitialHealthChecking",
        }

        seen: list[dict[str, dict[str, Any]]] = []

        def settled() -> dict[str, dict[str, Any]] | None:
            health = _health(elbv2, tg_arn)
            seen.append(health)
            states = {ip: d["TargetHealth"]["State"] for ip, d in health.items()}
            return health if states == {live_ip: "healthy", dead_ip: "unhealthy"} else None

        final = wait_until(settled, timeout=15, what="live healthy and dead unhealthy")
        took = time.monotonic() - started
        assert final[live_ip]["TargetHealth"] == {"State": "healthy"}
        assert final[dead_ip]["TargetHealth"] == {
            "State": "unhealthy",
            "Reason": "Target.FailedHealthChecks",
            "Description": "Health checks failed",
        }
        assert final[live_ip]["HealthCheckPort"] == str(live.port)
        initial_texts = {
            (d["TargetHealth"].get("Reason"), d["TargetHealth"].get("Description"))
            for health in seen
            for d in health.values()
            if d["TargetHealth"]["State"] == "initial"
        }
        assert initial_texts <= {
            ("Elb.RegistrationInProgress", "Target registration is in progress"),
            ("Elb.InitialHealthChecking", "Initial health checks in progress"),
        }
        # LB activation (~0.5 s) + first check jitter + one interval, all well within 5 s
        assert took < 5.0
        assert len(live.seen) >= 2  # never healthy without real checks

        # The routing snapshot the data plane reads carries the same verdicts, at most one
        # batching period (0.1 s) after the API shows them.
        def snapshot_agrees() -> RoutingSnapshot | None:
            current = running.run(_current_snapshot(running.server))
            (group,) = [g for g in current.target_groups if g.arn == tg_arn]
            states = {t.id: t.state for t in group.targets}
            return current if states == {live_ip: "healthy", dead_ip: "unhealthy"} else None

        snapshot = wait_until(snapshot_agrees, timeout=2, what="the snapshot's verdicts")

        # Kill the live backend: the long poll the data plane uses wakes with the new verdict
        # within unhealthy threshold x interval (+ a check's timeout and slack).
        version = snapshot.version
        running.run(live.stop())
        killed = time.monotonic()
        while True:
            snapshot = _long_poll(running.server.url, after=version)
            version = snapshot.version
            (group,) = [g for g in snapshot.target_groups if g.arn == tg_arn]
            if {t.id: t.state for t in group.targets}[live_ip] == "unhealthy":
                break
            assert time.monotonic() - killed < 5.0
        assert time.monotonic() - killed < 2 * 5 * SCALE + 2 * SCALE + 1.0
    finally:
        running.run(live.stop())


async def _current_snapshot(server: Elbv2Server) -> RoutingSnapshot:
    return server.feed.current()  # on the server's loop, not racing it from the test thread


def _long_poll(url: str, *, after: int) -> RoutingSnapshot:
    with urllib.request.urlopen(f"{url}{SNAPSHOT_PATH}?after={after}&timeout=5", timeout=10) as r:
        return RoutingSnapshot.from_json(r.read().decode())
