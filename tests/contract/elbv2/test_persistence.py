"""``localnlb elbv2`` as a real process: it writes ``DIR/env``, serves the CLI and boto3, stops
cleanly on SIGTERM, and a ``kill -9`` loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from localnlb.common import statedir
from tests.contract.elbv2.conftest import AwsCli, client
from tests.helpers.processes import ProcessGroup
from tests.helpers.waiting import wait_until

LOCALNLB = Path(sys.executable).parent / "localnlb"


def _start(processes: ProcessGroup, state_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    env_file = state_dir / statedir.ENV_FILE
    if env_file.exists():
        env_file.unlink()
    process = processes.start([str(LOCALNLB), "elbv2", "--state-dir", str(state_dir)], name="elbv2")

    def ready() -> str | None:
        assert process.poll() is None, Path(process.log_path).read_text()  # type: ignore[attr-defined]
        url = statedir.read_env(state_dir).get("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2")
        if url is None:
            return None
        client("elbv2", url).describe_account_limits()
        return url

    return process, wait_until(ready, timeout=20, what="localnlb elbv2 to serve")


def _everything(elbv2: Any, ec2: Any) -> Any:
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    tgs = elbv2.describe_target_groups()["TargetGroups"]
    arns = [lb["LoadBalancerArn"] for lb in lbs] + [tg["TargetGroupArn"] for tg in tgs]
    return (
        lbs,
        tgs,
        [
            elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
            for lb in lbs
        ],
        [
            elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])[
                "TargetHealthDescriptions"
            ]
            for tg in tgs
        ],
        [
            elbv2.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])[
                "Attributes"
            ]
            for tg in tgs
        ],
        [
            elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])[
                "Attributes"
            ]
            for lb in lbs
        ],
        elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"],
        ec2.describe_vpcs()["Vpcs"],
        ec2.describe_subnets()["Subnets"],
        ec2.describe_instances()["Reservations"],
        ec2.describe_security_groups()["SecurityGroups"],
    )


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_state_survives_kill_9_and_restart(processes: ProcessGroup, tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    process, url = _start(processes, state_dir)
    env = statedir.read_env(state_dir)
    assert env["AWS_ENDPOINT_URL_EC2"] == url
    assert env["AWS_DEFAULT_REGION"] == "us-west-2"
    elbv2, ec2 = client("elbv2", url), client("ec2", url)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    vpc_id = subnets[0]["VpcId"]
    lb = elbv2.create_load_balancer(
        Name="durable",
        Type="network",
        Subnets=[s["SubnetId"] for s in subnets],
        Tags=[{"Key": "k", "Value": "v"}],
    )["LoadBalancers"][0]
    tg = elbv2.create_target_group(
        Name="durable", Protocol="TCP", Port=80, VpcId=vpc_id, TargetType="ip"
    )["TargetGroups"][0]
    elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )
    prefix = subnets[0]["CidrBlock"].rsplit(".", 2)[0]
    elbv2.register_targets(
        TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": f"{prefix}.1.9", "Port": 8080}]
    )
    elbv2.modify_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"],
        Attributes=[{"Key": "proxy_protocol_v2.enabled", "Value": "true"}],
    )
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
    )
    ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnets[1]["SubnetId"])
    group = ec2.create_security_group(GroupName="web", Description="web")
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"], CidrIp="127.0.0.0/8", IpProtocol="tcp", FromPort=80, ToPort=80
    )
    wait_until(
        lambda: elbv2.describe_load_balancers()["LoadBalancers"][0]["State"]["Code"] == "active",
        timeout=10,
        what="the load balancer to be active",
    )
    before = _everything(elbv2, ec2)

    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    _, url = _start(processes, state_dir)
    after = _everything(client("elbv2", url), client("ec2", url))
    assert after == before


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_command_serves_the_cli_and_stops_cleanly_on_sigterm(
    processes: ProcessGroup, tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    process, url = _start(processes, state_dir)
    zones = AwsCli(url)("ec2", "describe-availability-zones")["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    log = Path(process.log_path).read_text()  # type: ignore[attr-defined]
    assert f"ELBv2 and EC2 API at {url}" in log
    assert f"source {state_dir / 'env'}" in log
    assert "localnlb: stopped" in log
