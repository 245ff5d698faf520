"""Shared fixtures for the ELBv2/EC2 contract tests: a real server on 127.0.0.1 (port 0, tmp
state dir) running in a background thread with its own event loop, so that synchronous boto3
and the real aws CLI can call it; clients pointed at it; helpers for the default network."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from localnlb.elbv2.api.context import ApiSettings
from localnlb.elbv2.model.target_health import ProbedHealth
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings, ProbedHealthFactory, start_elbv2

AWS_CLI = Path(sys.executable).parent / "aws"
REGION = "us-west-2"


@dataclass
class RunningElbv2:
    server: Elbv2Server
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    state_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the server's loop (to read its state without races)."""
        future: Future[Any] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future.result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def run_elbv2_in_thread(
    state_dir: Path,
    *,
    api: ApiSettings | None = None,
    probed: ProbedHealth | None = None,
    probed_health_factory: ProbedHealthFactory | None = None,
) -> RunningElbv2:
    """``probed``: one fixed ProbedHealth; ``probed_health_factory``: what the server calls to
    build its own (neither: no probes)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="elbv2-test-server", daemon=True)
    thread.start()
    settings = Elbv2Settings(state_dir=state_dir, api=api or ApiSettings())
    factory = (lambda feed: probed) if probed is not None else probed_health_factory
    coroutine = (
        start_elbv2(settings, probed_health_factory=factory) if factory else start_elbv2(settings)
    )
    server = asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)
    return RunningElbv2(server, loop, thread, state_dir)


def run_elbv2_with_health_checks(state_dir: Path, *, time_scale: float = 0.1) -> RunningElbv2:
    """The API with the real health checker on a test time scale (0.1: interval 10 s -> 1 s)."""
    from localnlb.elbv2.health.scheduler import scheduler_factory
    from localnlb.elbv2.health.timing import FAST

    factory = scheduler_factory(profile=FAST.scaled(time_scale))
    return run_elbv2_in_thread(state_dir, probed_health_factory=factory)


@pytest.fixture
def elbv2_server(tmp_path: Path) -> Iterator[RunningElbv2]:
    running = run_elbv2_in_thread(tmp_path / "state")
    try:
        yield running
    finally:
        running.stop()


def client(service: str, url: str) -> Any:
    factory: Any = boto3.client  # the stubs only accept literal service names
    return factory(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def elbv2(elbv2_server: RunningElbv2) -> Any:
    return client("elbv2", elbv2_server.url)


@pytest.fixture
def ec2(elbv2_server: RunningElbv2) -> Any:
    return client("ec2", elbv2_server.url)


@dataclass
class Network:
    vpc_id: str
    subnet_ids: list[str]
    zones: list[str]
    cidrs: list[str]
    _next_host: dict[int, int] = field(default_factory=dict)

    def pod_ip(self, zone_index: int = 0) -> str:
        """A fresh address in the zone's pods range (what ip targets look like)."""
        host = self._next_host.get(zone_index, 0) + 1
        self._next_host[zone_index] = host
        octets = self.cidrs[zone_index].split("/")[0].split(".")
        return f"{octets[0]}.{octets[1]}.{int(octets[2]) + 1}.{host}"


@pytest.fixture
def network(ec2: Any) -> Network:
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    return Network(
        vpc_id=ec2.describe_vpcs()["Vpcs"][0]["VpcId"],
        subnet_ids=[s["SubnetId"] for s in subnets],
        zones=[s["AvailabilityZone"] for s in subnets],
        cidrs=[s["CidrBlock"] for s in subnets],
    )


def cli_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": url,
            "AWS_ENDPOINT_URL_EC2": url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_PAGER": "",
        }
    )
    return env


@dataclass
class AwsCli:
    url: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AWS_CLI), *args, "--output", "json"],
            env=cli_env(self.url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def __call__(self, *args: str) -> Any:
        """Run ``aws ARGS`` and return its JSON output (None when it prints nothing)."""
        done = self.run(*args)
        assert done.returncode == 0, f"aws {' '.join(args)} failed: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None

    def fails(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode != 0, f"aws {' '.join(args)} unexpectedly succeeded"
        return done.stderr


@pytest.fixture
def aws(elbv2_server: RunningElbv2) -> AwsCli:
    return AwsCli(elbv2_server.url)
