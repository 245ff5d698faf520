# ruff: noqa: E501  (one request per table row reads best on one line)
"""Every server-side validation AWS makes on these operations, as a table: the request, AWS's
error code and message, HTTP 400, and nothing stored changed afterwards.

One server (and one set of resources) serves the whole module; each case compares a digest of
everything describable before and after the failing call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.contract.elbv2.conftest import REGION, RunningElbv2, run_elbv2_in_thread


@dataclass
class World:
    elbv2: Any
    ec2: Any
    vpc_id: str
    subnets: list[str]
    lb_arn: str
    tg_arn: str
    udp_tg_arn: str
    listener_arn: str
    other_lb_arn: str
    in_vpc_ip: str

    def digest(self) -> Any:
        e = self.elbv2
        lbs = e.describe_load_balancers()["LoadBalancers"]
        tgs = e.describe_target_groups()["TargetGroups"]
        return (
            [{k: v for k, v in lb.items() if k != "State"} for lb in lbs],
            tgs,
            e.describe_listeners(LoadBalancerArn=self.lb_arn)["Listeners"],
            [
                e.describe_target_health(TargetGroupArn=t["TargetGroupArn"])[
                    "TargetHealthDescriptions"
                ]
                for t in tgs
            ],
            [
                e.describe_target_group_attributes(TargetGroupArn=t["TargetGroupArn"])["Attributes"]
                for t in tgs
            ],
            [
                e.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])[
                    "Attributes"
                ]
                for lb in lbs
            ],
            e.describe_listener_attributes(ListenerArn=self.listener_arn)["Attributes"],
            e.describe_tags(ResourceArns=[self.lb_arn, self.tg_arn])["TagDescriptions"],
            self.ec2.describe_security_groups()["SecurityGroups"],
            self.ec2.describe_instances()["Reservations"],
        )


def _client(service: str, url: str) -> Any:
    factory: Any = boto3.client  # the stubs only accept literal service names
    return factory(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    running: RunningElbv2 = run_elbv2_in_thread(Path(tmp_path_factory.mktemp("validation")))
    try:
        elbv2, ec2 = _client("elbv2", running.url), _client("ec2", running.url)
        subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
        subnet_ids = [s["SubnetId"] for s in subnets]
        vpc_id = subnets[0]["VpcId"]
        lb = elbv2.create_load_balancer(
            Name="lb", Type="network", Subnets=subnet_ids[:2], Tags=[{"Key": "a", "Value": "1"}]
        )
        other = elbv2.create_load_balancer(Name="other", Type="network", Subnets=subnet_ids[:1])
        tg = elbv2.create_target_group(
            Name="tg", Protocol="TCP", Port=80, VpcId=vpc_id, TargetType="ip"
        )
        udp = elbv2.create_target_group(
            Name="udp", Protocol="UDP", Port=53, VpcId=vpc_id, TargetType="ip"
        )
        lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
        tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        listener = elbv2.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="TCP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )
        prefix = subnets[0]["CidrBlock"].rsplit(".", 2)[0]
        in_vpc_ip = f"{prefix}.1.7"
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": in_vpc_ip}])
        yield World(
            elbv2,
            ec2,
            vpc_id,
            subnet_ids,
            lb_arn,
            tg_arn,
            udp["TargetGroups"][0]["TargetGroupArn"],
            listener["Listeners"][0]["ListenerArn"],
            other["LoadBalancers"][0]["LoadBalancerArn"],
            in_vpc_ip,
        )
    finally:
        running.stop()


Case = tuple[str, str, Callable[[World], dict[str, Any]], str, str]
NAME_33 = "a" * 33


def _tg(**overrides: Any) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        params: dict[str, Any] = {
            "Name": "new-tg",
            "Protocol": "TCP",
            "Port": 80,
            "VpcId": w.vpc_id,
            "TargetType": "ip",
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    return build


def _lb(**overrides: Any) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        params: dict[str, Any] = {"Name": "new-lb", "Type": "network", "Subnets": w.subnets[:1]}
        params.update({k: (v(w) if callable(v) else v) for k, v in overrides.items()})
        return {k: v for k, v in params.items() if v is not None}

    return build


def _listener(**overrides: Any) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        params: dict[str, Any] = {
            "LoadBalancerArn": w.lb_arn,
            "Protocol": "TCP",
            "Port": 81,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": w.tg_arn}],
        }
        params.update({k: (v(w) if callable(v) else v) for k, v in overrides.items()})
        return {k: v for k, v in params.items() if v is not None}

    return build


def _attrs(kind: str, key: str, value: str) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        arn = {
            "LoadBalancerArn": w.lb_arn,
            "TargetGroupArn": w.tg_arn,
            "ListenerArn": w.listener_arn,
        }
        return {kind: arn[kind], "Attributes": [{"Key": key, "Value": value}]}

    return build


def _targets(*targets: dict[str, Any], tg: str = "tg") -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        arn = w.tg_arn if tg == "tg" else tg
        return {"TargetGroupArn": arn, "Targets": list(targets)}

    return build


ENUM_PROTOCOLS = "[HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC]"
UNKNOWN_TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/nope/0123456789abcdef"
VALIDATION: list[Case] = [
    # Load balancers: names, type, scheme, subnets, security groups, tags, addressing.
    (
        "elbv2",
        "create_load_balancer",
        _lb(Name=NAME_33),
        "ValidationError",
        f"The load balancer name '{NAME_33}' cannot be longer than '32' characters",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Name="my_lb"),
        "ValidationError",
        "LoadBalancer name cannot contain characters that are not letters, or digits or the dash.",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Name="lb-"),
        "ValidationError",
        "Load balancer name 'lb-' cannot begin or end with '-'",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Name="internal-lb"),
        "ValidationError",
        "Load balancer name 'internal-lb' cannot begin with 'internal-'",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Type=None),
        "InvalidConfigurationRequest",
        "Load balancers of type 'application' are not supported by localnlb; use --type network",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Scheme="public"),
        "ValidationError",
        "1 validation error detected: Value 'public' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internet-facing, internal]",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Subnets=None),
        "ValidationError",
        "At least one subnet must be specified",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Subnets=["subnet-0000"]),
        "SubnetNotFound",
        "The subnet ID 'subnet-0000' is not valid",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Subnets=lambda w: [w.subnets[0], w.subnets[0]]),
        "InvalidConfigurationRequest",
        "You can specify only one subnet per Availability Zone",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(SubnetMappings=lambda w: [{"SubnetId": w.subnets[1]}]),
        "ValidationError",
        "You can specify subnets or subnet mappings, but not both",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(SecurityGroups=["sg-0000"]),
        "InvalidSecurityGroup",
        "Security group 'sg-0000' does not exist",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]),
        "DuplicateTagKeys",
        "Tag key 'k' was specified more than once",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Tags=[{"Key": "aws:x", "Value": "1"}]),
        "ValidationError",
        "Tag key 'aws:x' cannot start with the reserved prefix 'aws:'",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(IpAddressType="dualstack-without-public-ipv4"),
        "InvalidConfigurationRequest",
        "IP address type 'dualstack-without-public-ipv4' is not supported for load balancers with type 'network'",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(Name="lb", Subnets=lambda w: w.subnets[:1]),
        "DuplicateLoadBalancerName",
        "A load balancer with the same name 'lb' exists, but with different settings",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(
            Subnets=None,
            SubnetMappings=lambda w: [{"SubnetId": w.subnets[0], "AllocationId": "eipalloc-1"}],
        ),
        "AllocationIdNotFound",
        "The allocation ID 'eipalloc-1' does not exist",
    ),
    (
        "elbv2",
        "create_load_balancer",
        _lb(
            Subnets=None,
            SubnetMappings=lambda w: [
                {"SubnetId": w.subnets[0], "PrivateIPv4Address": "127.1.1.1"}
            ],
        ),
        "InvalidConfigurationRequest",
        "Private IPv4 addresses can be specified only for internal load balancers",
    ),
    (
        "elbv2",
        "set_security_groups",
        lambda w: {"LoadBalancerArn": w.lb_arn, "SecurityGroups": []},
        "InvalidConfigurationRequest",
        "You can't set security groups on a Network Load Balancer that was created without security groups",
    ),
    (
        "elbv2",
        "set_ip_address_type",
        lambda w: {"LoadBalancerArn": w.lb_arn, "IpAddressType": "dualstack"},
        "InvalidConfigurationRequest",
        "Dualstack requires subnets with IPv6 CIDR blocks; the localnlb VPC has none",
    ),
    (
        "elbv2",
        "set_subnets",
        lambda w: {"LoadBalancerArn": w.lb_arn, "Subnets": ["subnet-0000"]},
        "SubnetNotFound",
        "The subnet ID 'subnet-0000' is not valid",
    ),
    (
        "elbv2",
        "describe_load_balancers",
        lambda w: {"Names": ["lb"], "LoadBalancerArns": [w.lb_arn]},
        "ValidationError",
        "Load balancer names and load balancer ARNs cannot be specified at the same time",
    ),
    (
        "elbv2",
        "describe_load_balancers",
        lambda w: {"Names": ["nope"]},
        "LoadBalancerNotFound",
        "Load balancers '[nope]' not found",
    ),
    (
        "elbv2",
        "describe_load_balancers",
        lambda w: {"PageSize": 401},
        "ValidationError",
        "1 validation error detected: Value '401' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400",
    ),
    (
        "elbv2",
        "describe_load_balancers",
        lambda w: {"Marker": "garbage"},
        "ValidationError",
        "Invalid marker: 'garbage'",
    ),
    (
        "elbv2",
        "delete_load_balancer",
        lambda w: {"LoadBalancerArn": "nope"},
        "ValidationError",
        "'nope' is not a valid load balancer ARN",
    ),
    # Target groups: ranges and enums (left to the server by clients), names, protocol and type rules.
    (
        "elbv2",
        "create_target_group",
        _tg(Protocol="BOGUS", Port=70000),
        "ValidationError",
        f"2 validation errors detected: Value 'BOGUS' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: {ENUM_PROTOCOLS}; Value '70000' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckIntervalSeconds=301),
        "ValidationError",
        "1 validation error detected: Value '301' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckTimeoutSeconds=121),
        "ValidationError",
        "1 validation error detected: Value '121' at 'healthCheckTimeoutSeconds' failed to satisfy constraint: Member must have value less than or equal to 120",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthyThresholdCount=11, UnhealthyThresholdCount=11),
        "ValidationError",
        "2 validation errors detected: Value '11' at 'healthyThresholdCount' failed to satisfy constraint: Member must have value less than or equal to 10; Value '11' at 'unhealthyThresholdCount' failed to satisfy constraint: Member must have value less than or equal to 10",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(TargetType="container"),
        "ValidationError",
        "1 validation error detected: Value 'container' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, ip, lambda, alb]",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckPath="/" + "p" * 1024, HealthCheckProtocol="HTTP"),
        "ValidationError",
        "at 'healthCheckPath' failed to satisfy constraint: Member must have length less than or equal to 1024",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Name=NAME_33),
        "ValidationError",
        f"Target group name '{NAME_33}' cannot be longer than '32' characters",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Name="tg_1"),
        "ValidationError",
        "Target group name 'tg_1' can only contain characters that are alphanumeric characters or hyphens(-)",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Name="-tg"),
        "ValidationError",
        "Target group name '-tg' cannot begin or end with '-'",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Protocol=None),
        "ValidationError",
        "A protocol must be specified",
    ),
    ("elbv2", "create_target_group", _tg(Port=None), "ValidationError", "A port must be specified"),
    (
        "elbv2",
        "create_target_group",
        _tg(VpcId=None),
        "ValidationError",
        "A VPC ID must be specified",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(VpcId="vpc-0000"),
        "ValidationError",
        "The VPC ID 'vpc-0000' is not found",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Protocol="HTTP"),
        "InvalidConfigurationRequest",
        "Target group protocol 'HTTP' is not supported by localnlb, which emulates Network Load Balancers; use one of 'TCP, TLS, UDP, TCP_UDP'",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(TargetType="lambda"),
        "InvalidConfigurationRequest",
        "Target type 'lambda' is not supported by Network Load Balancers",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(TargetType="alb", Protocol="UDP"),
        "ValidationError",
        "Target groups with target type 'alb' must use the TCP protocol",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Matcher={"HttpCode": "200"}),
        "InvalidConfigurationRequest",
        "Custom health check matchers are not supported for health checks for target groups with the TCP protocol",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckPath="/health"),
        "InvalidConfigurationRequest",
        "Custom health check paths are not supported for health checks for target groups with the TCP protocol",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckEnabled=False),
        "InvalidConfigurationRequest",
        'Health check enabled must be true with groups with target type "ip"',
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckProtocol="UDP"),
        "ValidationError",
        "Health check protocol 'UDP' is not supported for target groups with protocol 'TCP' and target type 'ip'; use one of 'TCP, HTTP, HTTPS'",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckPort="http"),
        "ValidationError",
        "Health check port 'http' must be 'traffic-port' or an integer between 1 and 65535",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckIntervalSeconds=5),
        "ValidationError",
        "Health check timeout '10' must be smaller than or equal to the interval '5'",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckProtocol="HTTP", HealthCheckIntervalSeconds=6),
        "ValidationError",
        "Health check timeout '6' must be smaller than the interval '6'",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckProtocol="HTTP", Matcher={"HttpCode": "200,600"}),
        "ValidationError",
        "Health check matcher HTTP code '200,600' must be within '200-599' inclusive",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckProtocol="HTTP", Matcher={"GrpcCode": "0"}),
        "InvalidConfigurationRequest",
        "gRPC health check codes are not supported for target groups with the TCP protocol",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(HealthCheckProtocol="HTTP", HealthCheckPath="health"),
        "ValidationError",
        "Health check path 'health' must begin with a '/' character",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(Name="tg", Port=81),
        "DuplicateTargetGroupName",
        "A target group with the same name 'tg' exists, but with different settings",
    ),
    (
        "elbv2",
        "create_target_group",
        _tg(IpAddressType="ipv6"),
        "InvalidConfigurationRequest",
        "IPv6 target groups are not supported: the VPC has no IPv6 CIDR",
    ),
    (
        "elbv2",
        "modify_target_group",
        lambda w: {"TargetGroupArn": w.tg_arn, "Matcher": {"HttpCode": "200"}},
        "InvalidConfigurationRequest",
        "Custom health check matchers are not supported for health checks for target groups with the TCP protocol",
    ),
    (
        "elbv2",
        "modify_target_group",
        lambda w: {"TargetGroupArn": w.tg_arn, "HealthCheckIntervalSeconds": 400},
        "ValidationError",
        "Value '400' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
    ),
    (
        "elbv2",
        "modify_target_group",
        lambda w: {"TargetGroupArn": UNKNOWN_TG},
        "TargetGroupNotFound",
        f"Target group '{UNKNOWN_TG}' not found",
    ),
    (
        "elbv2",
        "describe_target_groups",
        lambda w: {"Names": ["nope"]},
        "TargetGroupNotFound",
        "One or more target groups not found",
    ),
    (
        "elbv2",
        "describe_target_health",
        lambda w: {"TargetGroupArn": "nope"},
        "ValidationError",
        "'nope' is not a valid target group ARN",
    ),
    # Listeners: protocols, one per port, one compatible target group, TLS settings, actions.
    (
        "elbv2",
        "create_listener",
        _listener(Protocol="HTTP"),
        "ValidationError",
        "Listener protocol 'HTTP' must be one of 'TLS, TCP, TCP_UDP, UDP'",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(Port=70000),
        "ValidationError",
        "Value '70000' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(
            Port=80,
            DefaultActions=lambda w: [{"Type": "forward", "TargetGroupArn": w.udp_tg_arn}],
            Protocol="UDP",
        ),
        "DuplicateListener",
        "A listener already exists on this port for this load balancer '",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(DefaultActions=lambda w: [{"Type": "forward", "TargetGroupArn": w.udp_tg_arn}]),
        "IncompatibleProtocols",
        "Listener protocol 'TCP' is not compatible with target group protocol 'UDP'",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(DefaultActions=[{"Type": "forward", "TargetGroupArn": UNKNOWN_TG}]),
        "TargetGroupNotFound",
        f"Target group '{UNKNOWN_TG}' not found",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(DefaultActions=[{"Type": "forward", "TargetGroupArn": "nope"}]),
        "ValidationError",
        "'nope' is not a valid target group ARN",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}
            ]
        ),
        "InvalidLoadBalancerAction",
        "The action type 'fixed-response' is not valid for listeners of Network Load Balancers; use 'forward'",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(
            DefaultActions=lambda w: [
                {"Type": "forward", "TargetGroupArn": w.tg_arn, "Order": 1},
                {"Type": "forward", "TargetGroupArn": w.tg_arn, "Order": 2},
            ]
        ),
        "TooManyActions",
        "Network Load Balancer listeners support exactly one default action",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(Protocol="TLS"),
        "ValidationError",
        "A certificate must be specified for TLS listeners",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(
            Protocol="TLS",
            Certificates=[{"CertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/x"}],
            SslPolicy="Nope",
        ),
        "SSLPolicyNotFound",
        "SSL policy 'Nope' not found",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(LoadBalancerArn=lambda w: w.other_lb_arn),
        "TargetGroupAssociationLimit",
        "The following target groups cannot be associated with more than one load balancer: '",
    ),
    (
        "elbv2",
        "create_listener",
        _listener(Protocol="TCP", Port=None),
        "ValidationError",
        "A listener port must be specified",
    ),
    (
        "elbv2",
        "describe_listeners",
        lambda w: {},
        "ValidationError",
        "You must specify either listener ARNs or a load balancer ARN",
    ),
    # Attributes: unknown keys, keys of other load balancer types, values, combinations.
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "x.y", "1"),
        "ValidationError",
        "Load balancer attribute key 'x.y' is not recognized",
    ),
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "idle_timeout.timeout_seconds", "60"),
        "InvalidConfigurationRequest",
        "Load balancer attribute key 'idle_timeout.timeout_seconds' is not supported on load balancers with type 'network'",
    ),
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "deletion_protection.enabled", "yes"),
        "ValidationError",
        "Load balancer attribute 'deletion_protection.enabled' has an invalid value 'yes'; expected true or false",
    ),
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "secondary_ips.auto_assigned.per_subnet", "8"),
        "ValidationError",
        "Load balancer attribute 'secondary_ips.auto_assigned.per_subnet' has an invalid value '8'; expected 0-7",
    ),
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "access_logs.s3.enabled", "true"),
        "ValidationError",
        "The value of 'access_logs.s3.bucket' cannot be empty",
    ),
    (
        "elbv2",
        "modify_load_balancer_attributes",
        _attrs("LoadBalancerArn", "bad key!", "1"),
        "ValidationError",
        "Value 'bad key!' at 'attributes.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._]+$",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        _attrs("TargetGroupArn", "x.y", "1"),
        "ValidationError",
        "Target group attribute key 'x.y' is not recognized",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        _attrs("TargetGroupArn", "slow_start.duration_seconds", "30"),
        "InvalidConfigurationRequest",
        "The provided target group attribute is not supported",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        _attrs("TargetGroupArn", "deregistration_delay.timeout_seconds", "3601"),
        "ValidationError",
        "Target group attribute 'deregistration_delay.timeout_seconds' has an invalid value '3601'; expected 0-3600",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        _attrs("TargetGroupArn", "stickiness.type", "lb_cookie"),
        "ValidationError",
        "Target group attribute 'stickiness.type' has an invalid value 'lb_cookie'; expected source_ip",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        _attrs("TargetGroupArn", "target_health_state.unhealthy.draining_interval_seconds", "30"),
        "InvalidConfigurationRequest",
        "'target_health_state.unhealthy.draining_interval_seconds' can be set only when 'target_health_state.unhealthy.connection_termination.enabled' is false",
    ),
    (
        "elbv2",
        "modify_target_group_attributes",
        lambda w: {
            "TargetGroupArn": w.udp_tg_arn,
            "Attributes": [{"Key": "preserve_client_ip.enabled", "Value": "false"}],
        },
        "InvalidConfigurationRequest",
        "Client IP preservation cannot be disabled for target groups with protocol 'UDP'",
    ),
    (
        "elbv2",
        "modify_listener_attributes",
        _attrs("ListenerArn", "tcp.idle_timeout.seconds", "59"),
        "ValidationError",
        "Listener attribute 'tcp.idle_timeout.seconds' has an invalid value '59'; the valid range is 60-6000",
    ),
    (
        "elbv2",
        "modify_listener_attributes",
        _attrs("ListenerArn", "x.y", "1"),
        "ValidationError",
        "Listener attribute key 'x.y' is not recognized",
    ),
    (
        "elbv2",
        "modify_listener_attributes",
        _attrs("ListenerArn", "routing.http.response.server.enabled", "false"),
        "InvalidConfigurationRequest",
        "Listener attribute key 'routing.http.response.server.enabled' is not supported on listeners with protocol 'TCP'",
    ),
    # Targets: VPC membership, zones, addresses, ports.
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "127.0.0.1"}),
        "ValidationError",
        "The Availability Zone is required for IP address '127.0.0.1' because it is not in the VPC",
    ),
    (
        "elbv2",
        "register_targets",
        lambda w: {
            "TargetGroupArn": w.tg_arn,
            "Targets": [{"Id": w.in_vpc_ip, "AvailabilityZone": "all"}],
        },
        "ValidationError",
        "is within the VPC, and cannot have its Availability Zone overridden to 'all' from 'us-west-2a'",
    ),
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "10.0.0.1", "AvailabilityZone": "all"}),
        "InvalidTarget",
        "The IP address '10.0.0.1' cannot be a target: localnlb only sends traffic to addresses in 127.0.0.0/8",
    ),
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "not-an-ip"}),
        "ValidationError",
        "The IP address 'not-an-ip' is not a valid IPv4 address",
    ),
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "127.0.0.1", "AvailabilityZone": "mars-1a"}),
        "ValidationError",
        "The Availability Zone 'mars-1a' is not valid",
    ),
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "127.0.0.1", "Port": 70000, "AvailabilityZone": "all"}),
        "ValidationError",
        "Value '70000' at 'targets.1.member.port' failed to satisfy constraint: Member must have value less than or equal to 65535",
    ),
    (
        "elbv2",
        "register_targets",
        _targets({"Id": "127.0.0.1"}, tg=UNKNOWN_TG),
        "TargetGroupNotFound",
        f"Target group '{UNKNOWN_TG}' not found",
    ),
    # Tags.
    (
        "elbv2",
        "add_tags",
        lambda w: {
            "ResourceArns": [w.lb_arn],
            "Tags": [{"Key": f"k{i}", "Value": ""} for i in range(50)],
        },
        "TooManyTags",
        "You've reached the limit on the number of tags (50) for resource",
    ),
    (
        "elbv2",
        "add_tags",
        lambda w: {"ResourceArns": [UNKNOWN_TG], "Tags": [{"Key": "k", "Value": ""}]},
        "TargetGroupNotFound",
        "One or more target groups not found",
    ),
    (
        "elbv2",
        "describe_tags",
        lambda w: {"ResourceArns": [w.lb_arn] * 21},
        "ValidationError",
        "You can specify up to 20 resource ARNs in a single call",
    ),
    (
        "elbv2",
        "add_tags",
        lambda w: {"ResourceArns": [w.lb_arn], "Tags": [{"Key": "k" * 129, "Value": ""}]},
        "ValidationError",
        "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    ),
    # ALB-only operations.
    (
        "elbv2",
        "create_rule",
        lambda w: {
            "ListenerArn": w.listener_arn,
            "Priority": 1,
            "Conditions": [],
            "Actions": [{"Type": "forward", "TargetGroupArn": w.tg_arn}],
        },
        "OperationNotPermitted",
        "CreateRule is not supported by localnlb, which emulates Network Load Balancers: it applies to Application Load Balancers only",
    ),
    # EC2.
    (
        "ec2",
        "create_security_group",
        lambda w: {"GroupName": "default", "Description": "d"},
        "InvalidGroup.Duplicate",
        "The security group 'default' already exists for VPC '",
    ),
    (
        "ec2",
        "create_security_group",
        lambda w: {"GroupName": "sg-x", "Description": "d"},
        "InvalidParameterValue",
        "Group names may not be in the format sg-*.",
    ),
    (
        "ec2",
        "run_instances",
        lambda w: {
            "MinCount": 1,
            "MaxCount": 1,
            "SubnetId": w.subnets[0],
            "PrivateIpAddress": "127.0.0.1",
        },
        "InvalidParameterValue",
        "Address 127.0.0.1 does not fall within the subnet's instance range",
    ),
    (
        "ec2",
        "run_instances",
        lambda w: {"MinCount": 1, "MaxCount": 1, "SubnetId": "subnet-0000"},
        "InvalidSubnetID.NotFound",
        "The subnet ID 'subnet-0000' does not exist",
    ),
    (
        "ec2",
        "terminate_instances",
        lambda w: {"InstanceIds": ["i-0123456789abcdef0"]},
        "InvalidInstanceID.NotFound",
        "The instance ID 'i-0123456789abcdef0' does not exist",
    ),
    (
        "ec2",
        "terminate_instances",
        lambda w: {"InstanceIds": ["nope"]},
        "InvalidInstanceID.Malformed",
        'Invalid id: "nope"',
    ),
    (
        "ec2",
        "describe_subnets",
        lambda w: {"Filters": [{"Name": "colour", "Values": ["x"]}]},
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
    ),
    (
        "ec2",
        "describe_vpcs",
        lambda w: {"VpcIds": ["vpc-0000"]},
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-0000' does not exist",
    ),
    (
        "ec2",
        "authorize_security_group_ingress",
        lambda w: {"GroupId": "sg-0000", "IpPermissions": []},
        "InvalidGroup.NotFound",
        "The security group 'sg-0000' does not exist",
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "build", "code", "message"),
    VALIDATION,
    ids=[f"{c[1]}-{c[3]}-{i}" for i, c in enumerate(VALIDATION)],
)
def test_invalid_request_is_refused_with_awss_error_and_changes_nothing(
    world: World,
    service: str,
    operation: str,
    build: Callable[[World], dict[str, Any]],
    code: str,
    message: str,
) -> None:
    client = world.elbv2 if service == "elbv2" else world.ec2
    before = world.digest()
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(**build(world))
    error = caught.value.response["Error"]
    assert error["Code"] == code
    assert message in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert world.digest() == before
