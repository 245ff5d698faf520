"""Load balancer behaviour beyond the happy path: idempotent creates, Marker/PageSize paging the
CLI and boto3 paginators follow, SetSubnets adding and removing AZs with static node addresses,
deletion protection, quotas, and the LB nodes in the routing snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localnlb.elbv2.api.context import ApiSettings
from tests.contract.elbv2.conftest import AwsCli, Network, RunningElbv2, client, run_elbv2_in_thread
from tests.helpers.waiting import wait_until


def _forward(tg_arn: str) -> list[dict[str, str]]:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


def test_creates_are_idempotent(elbv2: Any, network: Network) -> None:
    lb = elbv2.create_load_balancer(Name="same", Type="network", Subnets=network.subnet_ids)
    again = elbv2.create_load_balancer(Name="same", Type="network", Subnets=network.subnet_ids)
    assert again["LoadBalancers"][0]["LoadBalancerArn"] == lb["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="same", Protocol="TCP", Port=80, VpcId=network.vpc_id)
    tg_again = elbv2.create_target_group(Name="same", Protocol="TCP", Port=80, VpcId=network.vpc_id)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    assert tg_again["TargetGroups"][0]["TargetGroupArn"] == tg_arn
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=lb_arn, Protocol="TCP", Port=80, DefaultActions=_forward(tg_arn)
    )
    listener_again = elbv2.create_listener(
        LoadBalancerArn=lb_arn, Protocol="TCP", Port=80, DefaultActions=_forward(tg_arn)
    )
    assert listener_again["Listeners"] == listener["Listeners"]
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)
    elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)  # deleting twice succeeds


def test_paging_with_markers(elbv2: Any, aws: AwsCli, network: Network) -> None:
    names = [f"tg-{n}" for n in range(5)]
    for name in names:
        elbv2.create_target_group(Name=name, Protocol="TCP", Port=80, VpcId=network.vpc_id)
    first = elbv2.describe_target_groups(PageSize=2)
    assert [tg["TargetGroupName"] for tg in first["TargetGroups"]] == names[:2]
    second = elbv2.describe_target_groups(PageSize=2, Marker=first["NextMarker"])
    assert [tg["TargetGroupName"] for tg in second["TargetGroups"]] == names[2:4]
    last = elbv2.describe_target_groups(PageSize=2, Marker=second["NextMarker"])
    assert "NextMarker" not in last
    pages = elbv2.get_paginator("describe_target_groups").paginate(PaginationConfig={"PageSize": 2})
    assert [tg["TargetGroupName"] for page in pages for tg in page["TargetGroups"]] == names
    # The aws CLI passes --page-size through as PageSize and then, as against AWS, does not page
    # on: it prints the page and the NextMarker to continue from.
    listed = aws("elbv2", "describe-target-groups", "--page-size", "2")
    assert [tg["TargetGroupName"] for tg in listed["TargetGroups"]] == names[:2]
    listed = aws("elbv2", "describe-target-groups", "--marker", listed["NextMarker"])
    assert [tg["TargetGroupName"] for tg in listed["TargetGroups"]] == names[2:]


def _nodes(running: RunningElbv2) -> list[tuple[str, str]]:
    snapshot = running.call(running.server.feed.snapshot)
    return [(n.availability_zone, n.address) for lb in snapshot.load_balancers for n in lb.nodes]


def test_set_subnets_adds_and_removes_zones_keeping_node_addresses(
    elbv2: Any, network: Network, elbv2_server: RunningElbv2
) -> None:
    lb = elbv2.create_load_balancer(Name="zones", Type="network", Subnets=network.subnet_ids[:2])
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    before = wait_until(lambda: _nodes(elbv2_server), timeout=10, what="the LB to become active")
    assert [zone for zone, _ in before] == network.zones[:2]
    for (_, address), cidr in zip(before, network.cidrs, strict=False):
        assert address == cidr.replace(".0/20", ".100")  # first address of the LB-node range
    changed = elbv2.set_subnets(LoadBalancerArn=lb_arn, Subnets=network.subnet_ids[1:])
    assert [z["ZoneName"] for z in changed["AvailabilityZones"]] == network.zones[1:]
    after = _nodes(elbv2_server)
    assert after[0] == before[1]  # the kept zone keeps its node address
    assert after[1][0] == network.zones[2]
    described = elbv2.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"][0]
    assert [z["SubnetId"] for z in described["AvailabilityZones"]] == network.subnet_ids[1:]


def test_deletion_protection_blocks_deletion(elbv2: Any, network: Network) -> None:
    lb_arn = elbv2.create_load_balancer(Name="kept", Type="network", Subnets=network.subnet_ids)[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    with pytest.raises(ClientError) as refused:
        elbv2.delete_load_balancer(LoadBalancerArn=lb_arn)
    assert refused.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1


def test_quotas_are_enforced_and_reported(tmp_path: Path) -> None:
    running = run_elbv2_in_thread(
        tmp_path / "state", api=ApiSettings(limit_overrides={"network-load-balancers": 2})
    )
    try:
        elbv2, ec2 = client("elbv2", running.url), client("ec2", running.url)
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        for name in ("one", "two"):
            elbv2.create_load_balancer(Name=name, Type="network", Subnets=[subnet])
        with pytest.raises(ClientError) as refused:
            elbv2.create_load_balancer(Name="three", Type="network", Subnets=[subnet])
        assert refused.value.response["Error"]["Code"] == "TooManyLoadBalancers"
        limits = {lim["Name"]: lim["Max"] for lim in elbv2.describe_account_limits()["Limits"]}
        assert limits["network-load-balancers"] == "2"
        assert limits["targets-per-target-group"] == "1000"
    finally:
        running.stop()
