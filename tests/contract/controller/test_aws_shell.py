"""The controller's boto3 shell against the real local ELBv2/EC2 API.

The deploy core (tested with fakes in tests/unit/controller) drives the real API here: the
workshop's ui-nlb in instance mode, then ip mode (same load balancer, one new target group),
in-place changes (health check for externalTrafficPolicy Local, tags, attributes, source
ranges), target registration and draining, and the empty stack removing everything. What the
API holds is read back with the real aws CLI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from localnlb.controller.deploy.actual import ActualTargetGroupBinding
from localnlb.controller.deploy.deployer import StackDeployer
from localnlb.controller.model.resources import TargetGroupBindingSpec
from localnlb.controller.runtime.aws_calls import AwsApiError, AwsCaller
from localnlb.controller.runtime.aws_ec2 import Boto3Ec2
from localnlb.controller.runtime.aws_elbv2 import Boto3ElbV2
from localnlb.controller.runtime.aws_view import AwsViewProvider, discover_vpc_id
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.constants import annotation_key
from localnlb.controller.service.objects import Service
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.targetgroupbinding.targets import TargetDescription
from tests.contract.elbv2.conftest import AwsCli, RunningElbv2, client, run_elbv2_in_thread
from tests.unit.controller.factories import workshop_service

pytestmark = pytest.mark.timeout(60)

CLUSTER = "eks-workshop"


@dataclass
class MemoryBindings:
    """TargetGroupBindings in memory (the Kubernetes side is tested end to end)."""

    objects: dict[tuple[str, str], tuple[ActualTargetGroupBinding, dict[str, str]]] = field(
        default_factory=dict
    )

    async def list_bindings(
        self, namespace: str, labels: Mapping[str, str]
    ) -> list[ActualTargetGroupBinding]:
        return [
            b
            for (ns, _), (b, own) in self.objects.items()
            if ns == namespace and all(own.get(k) == v for k, v in labels.items())
        ]

    async def apply_binding(
        self, spec: TargetGroupBindingSpec, *, target_group_arn: str, labels: Mapping[str, str]
    ) -> None:
        binding = ActualTargetGroupBinding(spec.name, spec.namespace, target_group_arn)
        self.objects[(spec.namespace, spec.name)] = (binding, dict(labels))

    async def delete_binding(self, namespace: str, name: str) -> None:
        del self.objects[(namespace, name)]


@dataclass
class Shell:
    elbv2: Boto3ElbV2
    ec2: Boto3Ec2
    views: AwsViewProvider
    deployer: StackDeployer
    bindings: MemoryBindings
    settings: ControllerSettings

    async def deploy(self, service: Service) -> str | None:
        view = await self.views.build_view(service)
        stack = build_stack(service, view=view, settings=self.settings)
        return (await self.deployer.deploy(stack)).dns_name


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningElbv2]:
    running = run_elbv2_in_thread(tmp_path / "state")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def aws(api: RunningElbv2) -> AwsCli:
    return AwsCli(api.url)


@pytest.fixture
async def shell(api: RunningElbv2) -> AsyncIterator[Shell]:
    calls = AwsCaller()
    ec2_client, elbv2_client = client("ec2", api.url), client("elbv2", api.url)
    try:
        vpc_id = await discover_vpc_id(ec2_client, calls, CLUSTER)
        settings = ControllerSettings(cluster_name=CLUSTER, vpc_id=vpc_id)
        elbv2, ec2 = Boto3ElbV2(elbv2_client, calls), Boto3Ec2(ec2_client, calls)
        bindings = MemoryBindings()
        views = AwsViewProvider(
            ec2_client=ec2_client, elbv2=elbv2, ec2=ec2, calls=calls, settings=settings
        )
        deployer = StackDeployer(elbv2=elbv2, ec2=ec2, bindings=bindings, settings=settings)
        yield Shell(elbv2, ec2, views, deployer, bindings, settings)
    finally:
        calls.close()


def annotated(service: Service, **annotations: str) -> Service:
    extra = {annotation_key(k.replace("_", "-")): v for k, v in annotations.items()}
    return replace(service, annotations={**service.annotations, **extra})


def only_load_balancer(aws: AwsCli) -> dict[str, Any]:
    [lb] = aws("elbv2", "describe-load-balancers")["LoadBalancers"]
    return dict(lb)


def target_groups_of(aws: AwsCli, lb_arn: str) -> list[dict[str, Any]]:
    return list(
        aws("elbv2", "describe-target-groups", "--load-balancer-arn", lb_arn)["TargetGroups"]
    )


def managed_groups(aws: AwsCli) -> list[dict[str, Any]]:
    groups = aws("ec2", "describe-security-groups")["SecurityGroups"]
    return [g for g in groups if g["GroupName"] != "default"]


async def test_workshop_instance_then_ip_mode_then_delete(
    shell: Shell, aws: AwsCli, workshop_dir: Path
) -> None:
    instance = workshop_service(workshop_dir, ip_mode=False)
    dns = await shell.deploy(instance)
    lb = only_load_balancer(aws)
    assert dns == lb["DNSName"]
    assert lb["LoadBalancerName"].startswith("k8s-ui-uinlb-")
    assert (lb["Scheme"], lb["Type"]) == ("internet-facing", "network")
    assert len(lb["SecurityGroups"]) == 2
    assert len(lb["AvailabilityZones"]) == 3
    [group] = target_groups_of(aws, lb["LoadBalancerArn"])
    assert (group["TargetType"], group["Protocol"], group["Port"]) == ("instance", "TCP", 30549)
    assert (group["HealthCheckProtocol"], group["HealthCheckPort"]) == ("TCP", "traffic-port")
    assert [
        group["HealthCheckIntervalSeconds"],
        group["HealthCheckTimeoutSeconds"],
        group["HealthyThresholdCount"],
        group["UnhealthyThresholdCount"],
    ] == [10, 10, 3, 3]
    [listener] = aws("elbv2", "describe-listeners", "--load-balancer-arn", lb["LoadBalancerArn"])[
        "Listeners"
    ]
    assert (listener["Port"], listener["Protocol"]) == (80, "TCP")
    assert listener["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    tags = aws("elbv2", "describe-tags", "--resource-arns", lb["LoadBalancerArn"])
    lb_tags = {t["Key"]: t["Value"] for t in tags["TagDescriptions"][0]["Tags"]}
    assert lb_tags["service.k8s.aws/stack"] == "ui/ui-nlb"
    assert lb_tags["elbv2.k8s.aws/cluster"] == CLUSTER
    frontend = next(g for g in managed_groups(aws) if g["GroupName"].startswith("k8s-ui-uinlb"))
    assert frontend["IpPermissions"][0]["IpRanges"][0]["CidrIp"] == "127.0.0.0/8"
    [(binding, _)] = shell.bindings.objects.values()
    assert binding.target_group_arn == group["TargetGroupArn"]

    # Deploying the same Service again changes nothing.
    assert await shell.deploy(instance) == dns
    assert only_load_balancer(aws)["LoadBalancerArn"] == lb["LoadBalancerArn"]

    ip = workshop_service(workshop_dir, ip_mode=True)
    assert await shell.deploy(ip) == dns
    assert only_load_balancer(aws)["LoadBalancerArn"] == lb["LoadBalancerArn"]
    [ip_group] = target_groups_of(aws, lb["LoadBalancerArn"])
    assert (ip_group["TargetType"], ip_group["Port"]) == ("ip", 8080)
    assert len(aws("elbv2", "describe-target-groups")["TargetGroups"]) == 1
    [(binding, _)] = shell.bindings.objects.values()
    assert binding.target_group_arn == ip_group["TargetGroupArn"]

    # The empty stack (Service deleted) removes everything; then the backend group goes.
    await shell.deploy(replace(ip, being_deleted=True, finalizers=("service.k8s.aws/resources",)))
    assert aws("elbv2", "describe-load-balancers")["LoadBalancers"] == []
    assert aws("elbv2", "describe-target-groups")["TargetGroups"] == []
    assert not shell.bindings.objects
    await shell.views.release_backend_security_group()
    assert managed_groups(aws) == []


async def test_changes_in_place(shell: Shell, aws: AwsCli, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    await shell.deploy(service)
    lb_arn = only_load_balancer(aws)["LoadBalancerArn"]
    [before] = target_groups_of(aws, lb_arn)

    local = replace(service, external_traffic_policy="Local", health_check_node_port=31999)
    await shell.deploy(local)
    [after] = target_groups_of(aws, lb_arn)
    assert after["TargetGroupArn"] == before["TargetGroupArn"]
    assert (after["HealthCheckProtocol"], after["HealthCheckPort"]) == ("HTTP", "31999")
    assert after["HealthCheckPath"] == "/healthz"
    assert [
        after["HealthCheckIntervalSeconds"],
        after["HealthCheckTimeoutSeconds"],
        after["HealthyThresholdCount"],
        after["UnhealthyThresholdCount"],
    ] == [10, 6, 2, 2]

    tagged = annotated(
        local,
        aws_load_balancer_additional_resource_tags="instance-mode=true, key1=value1",
        aws_load_balancer_target_group_attributes="deregistration_delay.timeout_seconds=120",
        aws_load_balancer_cross_zone_load_balancing_enabled="true",
    )
    await shell.deploy(tagged)

    def lb_tags() -> dict[str, str]:
        answer = aws("elbv2", "describe-tags", "--resource-arns", lb_arn)
        return {t["Key"]: t["Value"] for t in answer["TagDescriptions"][0]["Tags"]}

    assert {"instance-mode": "true", "key1": "value1"}.items() <= lb_tags().items()
    attributes = aws(
        "elbv2", "describe-target-group-attributes", "--target-group-arn", after["TargetGroupArn"]
    )["Attributes"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "120"} in attributes
    lb_attributes = aws("elbv2", "describe-load-balancer-attributes", "--load-balancer-arn", lb_arn)
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "true"} in lb_attributes[
        "Attributes"
    ]
    await shell.deploy(
        annotated(tagged, aws_load_balancer_additional_resource_tags="instance-mode=true")
    )
    assert "key1" not in lb_tags()
    assert lb_tags()["instance-mode"] == "true"

    listener_and_proxy = replace(
        tagged,
        annotations={
            **tagged.annotations,
            annotation_key("aws-load-balancer-listener-attributes.TCP-80"): (
                "tcp.idle_timeout.seconds=400"
            ),
            annotation_key("aws-load-balancer-proxy-protocol"): "*",
            annotation_key("aws-load-balancer-target-group-attributes"): (
                "proxy_protocol_v2.enabled=false, deregistration_delay.timeout_seconds=120"
            ),
        },
    )
    await shell.deploy(listener_and_proxy)
    [listener] = aws("elbv2", "describe-listeners", "--load-balancer-arn", lb_arn)["Listeners"]
    listener_attributes = aws(
        "elbv2", "describe-listener-attributes", "--listener-arn", listener["ListenerArn"]
    )["Attributes"]
    assert {"Key": "tcp.idle_timeout.seconds", "Value": "400"} in listener_attributes
    group_attributes = aws(
        "elbv2", "describe-target-group-attributes", "--target-group-arn", after["TargetGroupArn"]
    )["Attributes"]
    assert {"Key": "proxy_protocol_v2.enabled", "Value": "true"} in group_attributes  # "*" wins

    narrowed = annotated(tagged, load_balancer_source_ranges="127.0.0.1/32")
    await shell.deploy(narrowed)
    frontend = next(g for g in managed_groups(aws) if g["GroupName"].startswith("k8s-ui-uinlb"))
    assert [r["CidrIp"] for r in frontend["IpPermissions"][0]["IpRanges"]] == ["127.0.0.1/32"]

    internal = annotated(narrowed, aws_load_balancer_scheme="internal")
    new_dns = await shell.deploy(internal)
    lb = only_load_balancer(aws)
    assert lb["Scheme"] == "internal"
    assert lb["LoadBalancerArn"] != lb_arn
    assert new_dns == lb["DNSName"]


async def test_targets_register_drain_and_errors_keep_their_codes(
    shell: Shell, aws: AwsCli, workshop_dir: Path
) -> None:
    await shell.deploy(workshop_service(workshop_dir, ip_mode=True))
    lb = only_load_balancer(aws)
    [group] = target_groups_of(aws, lb["LoadBalancerArn"])
    arn = group["TargetGroupArn"]
    subnets = aws("ec2", "describe-subnets")["Subnets"]
    zone = subnets[0]["AvailabilityZone"]
    base = subnets[0]["CidrBlock"].split("/")[0].rsplit(".", 2)[0]
    pod = TargetDescription(f"{base}.1.10", 8080)
    await shell.elbv2.register_targets(arn, [pod])
    [registered] = await shell.elbv2.describe_target_health(arn)
    assert registered.target.key == pod.key
    assert registered.state == "initial"
    assert registered.target.availability_zone == zone
    await shell.elbv2.deregister_targets(arn, [pod])
    [draining] = await shell.elbv2.describe_target_health(arn)
    assert (draining.state, draining.reason) == ("draining", "Target.DeregistrationInProgress")

    # A group a listener uses cannot be deleted: the code survives translation.
    calls = AwsCaller()
    try:
        with pytest.raises(AwsApiError) as raised:
            await calls.retry_while(
                [],
                client("elbv2", aws.url),
                "delete_target_group",
                TargetGroupArn=arn,
            )
        assert raised.value.code == "ResourceInUse"
    finally:
        calls.close()
    gone = arn.replace(arn.rsplit("/", 1)[1], "0123456789abcdef")
    assert await shell.elbv2.describe_target_health(gone) == []
