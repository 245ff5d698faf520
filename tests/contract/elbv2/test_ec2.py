"""The minimal EC2 API through boto3: the default VPC and its EKS-tagged subnets, instances on
the address plan (what the embedded cluster's nodes are), filters the load balancer controller
uses, security groups and their ingress rules (which become the LB's allowed source CIDRs), tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.contract.elbv2.conftest import Network, RunningElbv2
from tests.helpers.waiting import wait_until


def test_default_vpc_and_subnets_are_tagged_as_eks_subnets(ec2: Any, network: Network) -> None:
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert [v["VpcId"] for v in vpc] == [network.vpc_id]
    assert vpc[0]["CidrBlock"].startswith("127.")
    assert vpc[0]["CidrBlock"].endswith(".0.0/16")
    tagged = ec2.describe_subnets(
        Filters=[
            {"Name": "tag:kubernetes.io/role/elb", "Values": ["1"]},
            {"Name": "tag:kubernetes.io/cluster/eks-workshop", "Values": ["shared", "owned"]},
            {"Name": "vpc-id", "Values": [network.vpc_id]},
        ]
    )["Subnets"]
    assert sorted(s["SubnetId"] for s in tagged) == sorted(network.subnet_ids)
    one = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-west-2b"]}])[
        "Subnets"
    ]
    assert [(s["AvailabilityZone"], s["AvailabilityZoneId"]) for s in one] == [
        ("us-west-2b", "usw2-az2")
    ]
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["State"]) for z in zones] == [
        ("us-west-2a", "available"),
        ("us-west-2b", "available"),
        ("us-west-2c", "available"),
    ]


def test_instances_take_addresses_from_the_plan_and_filter_like_ec2(
    ec2: Any, network: Network
) -> None:
    launched = ec2.run_instances(
        MinCount=1,
        MaxCount=1,
        SubnetId=network.subnet_ids[2],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "node-c"}]}
        ],
    )["Instances"]
    fixed = ec2.run_instances(
        MinCount=1,
        MaxCount=1,
        SubnetId=network.subnet_ids[0],
        PrivateIpAddress=network.cidrs[0].replace(".0/20", ".42"),
    )["Instances"]
    node_c, node_a = launched[0], fixed[0]
    assert node_c["State"] == {"Code": 0, "Name": "pending"}
    assert node_c["PrivateIpAddress"] == network.cidrs[2].replace(".0/20", ".10")
    assert node_a["PrivateIpAddress"] == network.cidrs[0].replace(".0/20", ".42")
    found = ec2.describe_instances(
        Filters=[
            {"Name": "tag:Name", "Values": ["node-*"]},
            {"Name": "instance-state-name", "Values": ["running"]},
        ]
    )["Reservations"]
    instances = [i for r in found for i in r["Instances"]]
    assert [
        (i["InstanceId"], i["Placement"]["AvailabilityZone"], i["SubnetId"]) for i in instances
    ] == [(node_c["InstanceId"], "us-west-2c", network.subnet_ids[2])]
    assert instances[0]["Tags"] == [{"Key": "Name", "Value": "node-c"}]
    by_id = ec2.describe_instances(InstanceIds=[node_a["InstanceId"]])["Reservations"][0][
        "Instances"
    ][0]
    assert (
        by_id["PrivateDnsName"]
        == "ip-" + by_id["PrivateIpAddress"].replace(".", "-") + ".us-west-2.compute.internal"
    )
    terminated = ec2.terminate_instances(InstanceIds=[node_a["InstanceId"]])["TerminatingInstances"]
    assert terminated == [
        {
            "InstanceId": node_a["InstanceId"],
            "CurrentState": {"Code": 32, "Name": "shutting-down"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    # The address is free again once the instance is terminated.
    again = ec2.run_instances(
        MinCount=1,
        MaxCount=1,
        SubnetId=network.subnet_ids[0],
        PrivateIpAddress=node_a["PrivateIpAddress"],
    )
    assert again["Instances"][0]["PrivateIpAddress"] == node_a["PrivateIpAddress"]


def test_security_groups_feed_the_load_balancers_allowed_sources(
    ec2: Any, elbv2: Any, network: Network, elbv2_server: RunningElbv2
) -> None:
    group_id = ec2.create_security_group(
        GroupName="k8s-traffic",
        Description="frontend",
        TagSpecifications=[
            {
                "ResourceType": "security-group",
                "Tags": [{"Key": "elbv2.k8s.aws/cluster", "Value": "eks-workshop"}],
            }
        ],
    )["GroupId"]
    rules = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "127.0.0.0/8", "Description": "all"}],
            }
        ],
    )["SecurityGroupRules"]
    assert [(r["IpProtocol"], r["FromPort"], r["CidrIpv4"], r["IsEgress"]) for r in rules] == [
        ("tcp", 80, "127.0.0.0/8", False)
    ]
    found = ec2.describe_security_groups(
        Filters=[{"Name": "tag:elbv2.k8s.aws/cluster", "Values": ["eks-workshop"]}]
    )
    assert [g["GroupId"] for g in found["SecurityGroups"]] == [group_id]
    assert found["SecurityGroups"][0]["IpPermissions"][0]["IpRanges"] == [
        {"CidrIp": "127.0.0.0/8", "Description": "all"}
    ]

    lb = elbv2.create_load_balancer(
        Name="guarded", Type="network", Subnets=network.subnet_ids, SecurityGroups=[group_id]
    )
    described = lb["LoadBalancers"][0]
    assert described["SecurityGroups"] == [group_id]
    assert described["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "on"

    def allowed() -> Any:
        snapshot = elbv2_server.server.feed.snapshot()
        return [lb.allowed_source_cidrs for lb in snapshot.load_balancers]

    assert wait_until(lambda: elbv2_server.call(allowed), timeout=10) == [("127.0.0.0/8",)]
    ec2.revoke_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "127.0.0.0/8"}],
            }
        ],
    )
    assert elbv2_server.call(allowed) == [()]
    with pytest.raises(ClientError, match="DependencyViolation"):  # in use by the load balancer
        ec2.delete_security_group(GroupId=group_id)


def test_ec2_tags(ec2: Any, network: Network) -> None:
    subnet = network.subnet_ids[0]
    ec2.create_tags(Resources=[subnet], Tags=[{"Key": "team", "Value": "web"}])
    ec2.delete_tags(Resources=[subnet], Tags=[{"Key": "Name"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [subnet]}])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {
        "kubernetes.io/role/elb": "1",
        "kubernetes.io/cluster/eks-workshop": "shared",
        "team": "web",
    }
    assert {t["ResourceType"] for t in tags} == {"subnet"}
