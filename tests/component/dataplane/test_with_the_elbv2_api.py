"""The whole path: ``localnlb elbv2`` (API + health checker + data plane) driven by boto3, real
traffic through the LB node, API changes reaching the node within a second, the hosts block."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from localnlb.common import statedir
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

LOCALNLB = Path(sys.executable).parent / "localnlb"


class NameServer:
    """A TCP server that sends its name to every connection, then closes."""

    def __init__(self, address: str) -> None:
        self.sock = socket.create_server((address, 0))
        self.address, self.port = self.sock.getsockname()[:2]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"backend\n")

    def close(self) -> None:
        self.sock.close()


def ask(address: str, port: int) -> str:
    """``backend`` when the LB node forwarded, ``reset`` when it reset the connection (the user
    engine accepts first), ``refused`` when the RST answered the SYN (the kernel engine)."""
    try:
        with socket.create_connection((address, port), timeout=5) as conn:
            conn.sendall(b"hi\n")
            return conn.recv(100).decode().strip() or "eof"
    except ConnectionRefusedError:
        return "refused"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"


@pytest.fixture
def elbv2(processes: ProcessGroup, tmp_path: Path, engine: str) -> Iterator[tuple[Any, Any, Path]]:
    state, hosts = tmp_path / "state", tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    argv = [str(LOCALNLB), "elbv2", "--state-dir", str(state), "--hosts-file", str(hosts)]
    argv += ["--dataplane-engine", engine]
    process = processes.start([*argv, "--dataplane-workers", "1"], name="elbv2")

    def written() -> dict[str, str] | None:
        env = statedir.read_env(state)
        return env if env.get("LOCALNLB_DATAPLANE_METRICS_URL") else None

    env = wait_until(written, timeout=30, what="localnlb elbv2 to write DIR/env")
    url = env["AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"]
    elbv2 = boto3.client(
        "elbv2",
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    ec2 = boto3.client(
        "ec2",
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    yield elbv2, ec2, hosts
    process.terminate()
    process.wait(30)


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_a_registered_target_gets_traffic_and_deregistration_reaches_the_node_in_a_second(
    elbv2: tuple[Any, Any, Path], engine: str
) -> None:
    client, ec2, hosts = elbv2
    reset = "refused" if engine == "kernel" else "reset"
    subnet = ec2.describe_subnets()["Subnets"][0]
    pod_address = ipaddress.ip_network(subnet["CidrBlock"]).network_address + 256 + 7
    backend = NameServer(str(pod_address))  # in the subnet's pod range, as a pod would be
    try:
        lb = client.create_load_balancer(Name="dp", Type="network", Subnets=[subnet["SubnetId"]])
        lb_arn, dns = lb["LoadBalancers"][0]["LoadBalancerArn"], lb["LoadBalancers"][0]["DNSName"]
        tg_arn = client.create_target_group(
            Name="dp", Protocol="TCP", Port=backend.port, VpcId=subnet["VpcId"], TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        client.modify_target_group_attributes(
            TargetGroupArn=tg_arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
        )
        client.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="TCP",
            Port=8080,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )
        node = wait_until(
            lambda: next(
                (line.split()[0] for line in hosts.read_text().splitlines() if dns in line), None
            ),
            timeout=10,
            what="the LB name in the hosts file",
        )
        assert ask(node, 8080) == reset  # no target yet

        registered = time.monotonic()
        client.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": backend.address}])
        wait_until(lambda: ask(node, 8080) == "backend", timeout=5, what="traffic to the target")
        assert time.monotonic() - registered < 1.5  # API call + long poll + apply

        client.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": backend.address}])
        deregistered = time.monotonic()
        wait_until(lambda: ask(node, 8080) == reset, timeout=5, what="the target gone")
        assert time.monotonic() - deregistered < 1.5
    finally:
        backend.close()
