"""The whole life of a Network Load Balancer through the real aws CLI, with outputs compared key
by key with AWS's (awscli's bundled examples elbv2/*.rst and reference §2.4)."""

from __future__ import annotations

import re

import pytest

from tests.contract.elbv2.conftest import AwsCli, Network

LB_KEYS = {
    "LoadBalancerArn",
    "DNSName",
    "CanonicalHostedZoneId",
    "CreatedTime",
    "LoadBalancerName",
    "Scheme",
    "VpcId",
    "State",
    "Type",
    "AvailabilityZones",
    "IpAddressType",
    "EnablePrefixForIpv6SourceNat",
}
TCP_TG_KEYS = {
    "TargetGroupArn",
    "TargetGroupName",
    "Protocol",
    "Port",
    "VpcId",
    "HealthCheckEnabled",
    "HealthCheckProtocol",
    "HealthCheckPort",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
    "TargetType",
    "IpAddressType",
}
ARN_PREFIX = "arn:aws:elasticloadbalancing:us-west-2:123456789012:"


@pytest.mark.timeout(90)
def test_nlb_life_through_the_aws_cli(aws: AwsCli, network: Network) -> None:
    # Create the load balancer (internet-facing NLB in two AZs, as in create-load-balancer.rst).
    lb = aws(
        "elbv2",
        "create-load-balancer",
        "--name",
        "my-network-load-balancer",
        "--type",
        "network",
        "--subnets",
        *network.subnet_ids[:2],
        "--tags",
        "Key=team,Value=web",
    )["LoadBalancers"][0]
    assert set(lb) == LB_KEYS  # no SecurityGroups key without security groups
    lb_arn = lb["LoadBalancerArn"]
    match = re.fullmatch(
        ARN_PREFIX + r"loadbalancer/net/my-network-load-balancer/([0-9a-f]{16})", lb_arn
    )
    assert match is not None
    assert lb["DNSName"] == f"my-network-load-balancer-{match[1]}.elb.us-west-2.amazonaws.com"
    assert lb["CanonicalHostedZoneId"] == "Z18D5FSROUN65G"
    assert (lb["Type"], lb["Scheme"], lb["IpAddressType"]) == ("network", "internet-facing", "ipv4")
    assert lb["State"] == {"Code": "provisioning"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", lb["CreatedTime"])
    assert lb["AvailabilityZones"] == [
        {"ZoneName": zone, "SubnetId": subnet, "LoadBalancerAddresses": []}
        for zone, subnet in zip(network.zones[:2], network.subnet_ids[:2], strict=True)
    ]

    # Target group with NLB defaults (create-target-group.rst Example 3), then the listener.
    tg = aws(
        "elbv2",
        "create-target-group",
        "--name",
        "my-ip-targets",
        "--protocol",
        "TCP",
        "--port",
        "80",
        "--target-type",
        "ip",
        "--vpc-id",
        network.vpc_id,
    )["TargetGroups"][0]
    assert set(tg) == TCP_TG_KEYS  # no HealthCheckPath, Matcher or LoadBalancerArns
    tg_arn = tg["TargetGroupArn"]
    assert re.fullmatch(ARN_PREFIX + r"targetgroup/my-ip-targets/[0-9a-f]{16}", tg_arn)
    assert (tg["HealthCheckProtocol"], tg["HealthCheckPort"], tg["HealthCheckEnabled"]) == (
        "TCP",
        "traffic-port",
        True,
    )
    assert [
        tg[k]
        for k in (
            "HealthCheckIntervalSeconds",
            "HealthCheckTimeoutSeconds",
            "HealthyThresholdCount",
            "UnhealthyThresholdCount",
        )
    ] == [30, 10, 5, 2]
    listener = aws(
        "elbv2",
        "create-listener",
        "--load-balancer-arn",
        lb_arn,
        "--protocol",
        "TCP",
        "--port",
        "80",
        "--default-actions",
        f"Type=forward,TargetGroupArn={tg_arn}",
    )["Listeners"][0]
    assert listener["ListenerArn"].startswith(
        ARN_PREFIX + f"listener/net/my-network-load-balancer/{match[1]}/"
    )
    assert listener["DefaultActions"] == [
        {
            "Type": "forward",
            "TargetGroupArn": tg_arn,
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]
    assert (listener["Port"], listener["Protocol"], listener["LoadBalancerArn"]) == (
        80,
        "TCP",
        lb_arn,
    )

    # Register targets in both enabled AZs and describe them.
    ips = [network.pod_ip(0), network.pod_ip(1)]
    assert (
        aws(
            "elbv2",
            "register-targets",
            "--target-group-arn",
            tg_arn,
            "--targets",
            f"Id={ips[0]},Port=8080",
            f"Id={ips[1]}",
        )
        is None
    )
    health = aws("elbv2", "describe-target-health", "--target-group-arn", tg_arn)
    by_id = {d["Target"]["Id"]: d for d in health["TargetHealthDescriptions"]}
    assert by_id[ips[0]] == {
        "Target": {"Id": ips[0], "Port": 8080, "AvailabilityZone": network.zones[0]},
        "HealthCheckPort": "8080",
        "TargetHealth": {
            "State": "initial",
            "Reason": "Elb.RegistrationInProgress",
            "Description": "Target registration is in progress",
        },
        "AdministrativeOverride": {
            "State": "no_override",
            "Reason": "AdministrativeOverride.NoOverride",
            "Description": "No override is currently active on target",
        },
    }
    assert by_id[ips[1]]["Target"] == {
        "Id": ips[1],
        "Port": 80,
        "AvailabilityZone": network.zones[1],
    }

    # The load balancer is active soon after creation; describe shows the TG in use.
    described = aws("elbv2", "describe-load-balancers", "--names", "my-network-load-balancer")
    assert described["LoadBalancers"][0]["State"] == {"Code": "active"}
    tgs = aws("elbv2", "describe-target-groups", "--load-balancer-arn", lb_arn)["TargetGroups"]
    assert [t["LoadBalancerArns"] for t in tgs] == [[lb_arn]]
    listeners = aws("elbv2", "describe-listeners", "--load-balancer-arn", lb_arn)["Listeners"]
    assert [li["ListenerArn"] for li in listeners] == [listener["ListenerArn"]]

    # Attributes: the full NLB set with defaults, and modification answering the full set.
    lb_attrs = aws("elbv2", "describe-load-balancer-attributes", "--load-balancer-arn", lb_arn)
    assert {a["Key"]: a["Value"] for a in lb_attrs["Attributes"]}[
        "load_balancing.cross_zone.enabled"
    ] == "false"
    modified = aws(
        "elbv2",
        "modify-target-group-attributes",
        "--target-group-arn",
        tg_arn,
        "--attributes",
        "Key=deregistration_delay.timeout_seconds,Value=30",
        "Key=proxy_protocol_v2.enabled,Value=true",
    )
    attrs = {a["Key"]: a["Value"] for a in modified["Attributes"]}
    assert attrs["deregistration_delay.timeout_seconds"] == "30"
    assert attrs["proxy_protocol_v2.enabled"] == "true"
    assert attrs["preserve_client_ip.enabled"] == "false"  # ip TG with TCP
    assert len(attrs) == 13
    listener_attrs = aws(
        "elbv2",
        "modify-listener-attributes",
        "--listener-arn",
        listener["ListenerArn"],
        "--attributes",
        "Key=tcp.idle_timeout.seconds,Value=120",
    )
    assert listener_attrs["Attributes"] == [{"Key": "tcp.idle_timeout.seconds", "Value": "120"}]

    # Health checks: switch to HTTP, which brings path and matcher.
    changed = aws(
        "elbv2",
        "modify-target-group",
        "--target-group-arn",
        tg_arn,
        "--health-check-protocol",
        "HTTP",
        "--health-check-path",
        "/healthz",
        "--health-check-interval-seconds",
        "10",
        "--healthy-threshold-count",
        "2",
    )["TargetGroups"][0]
    assert (changed["HealthCheckProtocol"], changed["HealthCheckPath"], changed["Matcher"]) == (
        "HTTP",
        "/healthz",
        {"HttpCode": "200-399"},
    )
    assert (changed["HealthCheckIntervalSeconds"], changed["HealthCheckTimeoutSeconds"]) == (10, 6)
    assert changed["LoadBalancerArns"] == [lb_arn]

    # Tags.
    aws("elbv2", "add-tags", "--resource-arns", lb_arn, tg_arn, "--tags", "Key=env,Value=dev")
    aws("elbv2", "remove-tags", "--resource-arns", lb_arn, "--tag-keys", "team")
    tags = aws("elbv2", "describe-tags", "--resource-arns", lb_arn, tg_arn)["TagDescriptions"]
    assert tags == [
        {"ResourceArn": lb_arn, "Tags": [{"Key": "env", "Value": "dev"}]},
        {"ResourceArn": tg_arn, "Tags": [{"Key": "env", "Value": "dev"}]},
    ]

    # Deregister: the target drains (delay 30 s), the other stays.
    aws(
        "elbv2",
        "deregister-targets",
        "--target-group-arn",
        tg_arn,
        "--targets",
        f"Id={ips[0]},Port=8080",
    )
    health = aws("elbv2", "describe-target-health", "--target-group-arn", tg_arn)
    states = {d["Target"]["Id"]: d["TargetHealth"] for d in health["TargetHealthDescriptions"]}
    assert states[ips[0]] == {
        "State": "draining",
        "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress",
    }

    # Delete: the TG is in use until the load balancer (and its listener) is gone.
    stderr = aws.fails("elbv2", "delete-target-group", "--target-group-arn", tg_arn)
    assert (
        f"An error occurred (ResourceInUse) when calling the DeleteTargetGroup operation: "
        f"Target group '{tg_arn}' is currently in use by a listener or a rule"
    ) in stderr
    aws("elbv2", "delete-load-balancer", "--load-balancer-arn", lb_arn)
    aws("elbv2", "delete-target-group", "--target-group-arn", tg_arn)
    stderr = aws.fails("elbv2", "describe-load-balancers", "--load-balancer-arns", lb_arn)
    assert "(LoadBalancerNotFound)" in stderr
    assert aws("elbv2", "describe-target-groups")["TargetGroups"] == []
