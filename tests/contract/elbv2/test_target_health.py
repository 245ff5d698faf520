"""DescribeTargetHealth tells the truth: registration, NotInUse (no load balancer; AZ not
enabled), NotRegistered, draining for the deregistration delay and then gone, instance targets,
and verdicts only from the health checker (``ProbedHealth``), never an invented ``healthy``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localnlb.elbv2.model.target_health import HEALTHY, TargetHealth
from tests.contract.elbv2.conftest import Network, RunningElbv2, client, run_elbv2_in_thread
from tests.helpers.waiting import wait_until

NOT_IN_USE = "Target group is not configured to receive traffic from the load balancer"
ZONE_NOT_ENABLED = "Target is in an Availability Zone that is not enabled for the load balancer"


def _health(elbv2: Any, tg_arn: str, **kwargs: Any) -> dict[str, Any]:
    found = elbv2.describe_target_health(TargetGroupArn=tg_arn, **kwargs)[
        "TargetHealthDescriptions"
    ]
    return {d["Target"]["Id"]: d for d in found}


def _nlb_with_tg(
    elbv2: Any, network: Network, *, zones: int, target_type: str = "ip"
) -> tuple[str, str]:
    lb = elbv2.create_load_balancer(Name="lb", Type="network", Subnets=network.subnet_ids[:zones])
    tg = elbv2.create_target_group(
        Name="tg", Protocol="TCP", Port=80, VpcId=network.vpc_id, TargetType=target_type
    )
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )
    return lb_arn, tg_arn


def test_a_target_group_no_load_balancer_uses_has_unused_targets(
    elbv2: Any, network: Network
) -> None:
    tg = elbv2.create_target_group(
        Name="alone", Protocol="TCP", Port=80, VpcId=network.vpc_id, TargetType="ip"
    )
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    ip = network.pod_ip(0)
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ip}])
    assert _health(elbv2, tg_arn)[ip]["TargetHealth"] == {
        "State": "unused",
        "Reason": "Target.NotInUse",
        "Description": NOT_IN_USE,
    }
    # Nothing to drain without a load balancer: deregistration is immediate.
    elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ip}])
    assert _health(elbv2, tg_arn) == {}


def test_targets_in_zones_the_load_balancer_does_not_enable_are_unused(
    elbv2: Any, network: Network
) -> None:
    _, tg_arn = _nlb_with_tg(elbv2, network, zones=1)
    in_zone, other_zone = network.pod_ip(0), network.pod_ip(2)
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": in_zone}, {"Id": other_zone}])
    health = _health(elbv2, tg_arn)
    assert health[in_zone]["TargetHealth"] == {
        "State": "initial",
        "Reason": "Elb.RegistrationInProgress",
        "Description": "Target registration is in progress",
    }
    assert health[other_zone]["TargetHealth"] == {
        "State": "unused",
        "Reason": "Target.NotInUse",
        "Description": ZONE_NOT_ENABLED,
    }
    assert health[other_zone]["Target"]["AvailabilityZone"] == network.zones[2]


def test_asking_for_an_unknown_target_says_not_registered(elbv2: Any, network: Network) -> None:
    _, tg_arn = _nlb_with_tg(elbv2, network, zones=3)
    ip = network.pod_ip(1)
    asked = _health(elbv2, tg_arn, Targets=[{"Id": ip, "Port": 8080}])
    assert asked[ip] == {
        "Target": {"Id": ip, "Port": 8080},
        "HealthCheckPort": "8080",
        "TargetHealth": {
            "State": "unused",
            "Reason": "Target.NotRegistered",
            "Description": "Target is not registered to the target group",
        },
        "AdministrativeOverride": {
            "State": "no_override",
            "Reason": "AdministrativeOverride.NoOverride",
            "Description": "No override is currently active on target",
        },
    }


@pytest.mark.timeout(30)
def test_deregistered_targets_drain_for_the_delay_then_are_gone(
    elbv2: Any, network: Network, elbv2_server: RunningElbv2
) -> None:
    _, tg_arn = _nlb_with_tg(elbv2, network, zones=3)
    elbv2.modify_target_group_attributes(
        TargetGroupArn=tg_arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}],
    )
    leaving, staying = network.pod_ip(0), network.pod_ip(1)
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": leaving}, {"Id": staying}])
    elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": leaving}])
    assert _health(elbv2, tg_arn)[leaving]["TargetHealth"] == {
        "State": "draining",
        "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress",
    }
    routed = elbv2_server.call(lambda: elbv2_server.server.feed.snapshot())
    draining = [t for t in routed.target_group(tg_arn).targets if t.id == leaving]
    assert draining[0].state == "draining"
    assert draining[0].draining_until is not None
    wait_until(lambda: leaving not in _health(elbv2, tg_arn), timeout=10, what="drain to end")
    assert set(_health(elbv2, tg_arn)) == {staying}
    assert _health(elbv2, tg_arn, Targets=[{"Id": leaving}])[leaving]["TargetHealth"]["Reason"] == (
        "Target.NotRegistered"
    )
    routed = elbv2_server.call(lambda: elbv2_server.server.feed.snapshot())
    assert [t.id for t in routed.target_group(tg_arn).targets] == [staying]
    # Re-registering a target brings it back as a new registration.
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": leaving}])
    assert _health(elbv2, tg_arn)[leaving]["TargetHealth"]["State"] == "initial"


def test_instance_targets_have_no_zone_key_and_a_resolved_health_check_port(
    elbv2: Any, ec2: Any, network: Network
) -> None:
    _, tg_arn = _nlb_with_tg(elbv2, network, zones=3, target_type="instance")
    elbv2.modify_target_group(TargetGroupArn=tg_arn, HealthCheckPort="8081")
    instances = ec2.run_instances(MinCount=2, MaxCount=2, SubnetId=network.subnet_ids[1])[
        "Instances"
    ]
    ids = [i["InstanceId"] for i in instances]
    elbv2.register_targets(
        TargetGroupArn=tg_arn, Targets=[{"Id": ids[0]}, {"Id": ids[1], "Port": 30080}]
    )
    health = _health(elbv2, tg_arn)
    assert health[ids[0]]["Target"] == {"Id": ids[0], "Port": 80}
    assert health[ids[1]]["Target"] == {"Id": ids[1], "Port": 30080}
    assert {d["HealthCheckPort"] for d in health.values()} == {"8081"}
    with pytest.raises(ClientError) as unknown:
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": "i-0123456789abcdef0"}])
    assert unknown.value.response["Error"]["Message"] == (
        "The following targets are not valid instances: 'i-0123456789abcdef0'"
    )
    ec2.terminate_instances(InstanceIds=[ids[1]])
    with pytest.raises(ClientError) as stopped:
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ids[1]}])
    assert stopped.value.response["Error"] == {
        "Type": "Sender",
        "Code": "InvalidTarget",
        "Message": (
            f"The following targets are not in a running state and cannot be registered: '{ids[1]}'"
        ),
    }
    assert _health(elbv2, tg_arn)[ids[1]]["TargetHealth"] == {
        "State": "unused",
        "Reason": "Target.InvalidState",
        "Description": "Target is in the terminated state",
    }


class RecordingProbes:
    """A health checker stand-in: healthy for the targets it is told, no verdict for others."""

    def __init__(self) -> None:
        self.healthy: set[str] = set()
        self.asked: list[str] = []

    def probed(self, target_group_arn: str, target_id: str, port: int) -> TargetHealth | None:
        self.asked.append(target_id)
        return HEALTHY if target_id in self.healthy else None


@pytest.fixture
def probed_server(tmp_path: Path) -> Iterator[tuple[RunningElbv2, RecordingProbes]]:
    probes = RecordingProbes()
    running = run_elbv2_in_thread(tmp_path / "state", probed=probes)
    try:
        yield running, probes
    finally:
        running.stop()


def test_verdicts_come_only_from_the_health_checker(
    probed_server: tuple[RunningElbv2, RecordingProbes],
) -> None:
    running, probes = probed_server
    elbv2, ec2 = client("elbv2", running.url), client("ec2", running.url)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    network = Network(
        subnets[0]["VpcId"],
        [s["SubnetId"] for s in subnets],
        [s["AvailabilityZone"] for s in subnets],
        [s["CidrBlock"] for s in subnets],
    )
    _, tg_arn = _nlb_with_tg(elbv2, network, zones=1)
    probed_ok, unprobed, elsewhere = network.pod_ip(0), network.pod_ip(0), network.pod_ip(1)
    probes.healthy.add(probed_ok)
    elbv2.register_targets(
        TargetGroupArn=tg_arn, Targets=[{"Id": probed_ok}, {"Id": unprobed}, {"Id": elsewhere}]
    )
    health = _health(elbv2, tg_arn)
    assert health[probed_ok]["TargetHealth"] == {"State": "healthy"}
    assert health[unprobed]["TargetHealth"]["State"] == "initial"
    assert health[elsewhere]["TargetHealth"]["Description"] == ZONE_NOT_ENABLED
    assert elsewhere not in probes.asked  # only in-use targets in enabled zones are asked about
