"""``localnlb elbv2`` composes the API with the real health checker: a target that listens
becomes ``healthy`` through real TCP probes, one that does not becomes ``unhealthy``, and
nothing is ``healthy`` before a probe said so."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.elbv2.conftest import client
from tests.contract.elbv2.test_persistence import _start
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until


@pytest.fixture
def listening() -> Iterator[list[socket.socket]]:
    sockets: list[socket.socket] = []
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _states(elbv2: Any, tg_arn: str) -> dict[str, str]:
    found = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: d["TargetHealth"]["State"] for d in found}


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_health_is_what_real_probes_find(
    processes: ProcessGroup, tmp_path: Path, listening: list[socket.socket]
) -> None:
    _, url = _start(processes, tmp_path / "state")
    elbv2, ec2 = client("elbv2", url), client("ec2", url)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    prefix = subnets[0]["CidrBlock"].rsplit(".", 2)[0]
    up, down = f"{prefix}.1.21", f"{prefix}.1.22"
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((up, 0))
    server.listen(16)
    listening.append(server)
    port = server.getsockname()[1]

    lb_arn = elbv2.create_load_balancer(
        Name="probed", Type="network", Subnets=[subnets[0]["SubnetId"]]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg_arn = elbv2.create_target_group(
        Name="probed",
        Protocol="TCP",
        Port=port,
        VpcId=subnets[0]["VpcId"],
        TargetType="ip",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
        UnhealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": up}, {"Id": down}])
    assert set(_states(elbv2, tg_arn).values()) <= {"initial"}
    final = wait_until(
        lambda: (
            (states := _states(elbv2, tg_arn))[up] == "healthy"
            and states[down] == "unhealthy"
            and states
        ),
        timeout=60,
        what="probes to decide",
    )
    assert final == {up: "healthy", down: "unhealthy"}
