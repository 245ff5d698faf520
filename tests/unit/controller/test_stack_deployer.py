"""The deployer over in-memory ELBv2/EC2/Kubernetes fakes, through the workshop's steps:
create in instance mode, switch to ip mode, edit annotations, change the scheme, delete."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from localnlb.controller.deploy.deployer import DeployResult, StackDeployer
from localnlb.controller.deploy.seams import Ec2Client, ElbV2Client, TargetGroupBindingClient
from localnlb.controller.model.enums import TargetType
from localnlb.controller.model.resources import IpRange
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.constants import SERVICE_FINALIZER, annotation_key
from localnlb.controller.service.objects import Service
from tests.unit.controller.factories import SETTINGS, VIEW, workshop_service
from tests.unit.controller.fakes import FakeBindings, FakeEc2, FakeElbV2


class World:
    def __init__(self) -> None:
        self.elbv2 = FakeElbV2()
        self.ec2 = FakeEc2(self.elbv2)
        self.bindings = FakeBindings(self.elbv2)
        elbv2: ElbV2Client = self.elbv2
        ec2: Ec2Client = self.ec2
        bindings: TargetGroupBindingClient = self.bindings
        self.deployer = StackDeployer(elbv2=elbv2, ec2=ec2, bindings=bindings, settings=SETTINGS)

    async def apply(self, service: Service) -> DeployResult:
        self.elbv2.calls.clear()
        stack: DesiredStack = build_stack(service, view=VIEW, settings=SETTINGS)
        return await self.deployer.deploy(stack)


def annotate(service: Service, **suffixes: str) -> Service:
    extra = {annotation_key(k.replace("_", "-")): v for k, v in suffixes.items()}
    return replace(service, annotations={**service.annotations, **extra})


@pytest.fixture
def world() -> World:
    return World()


async def test_instance_mode_creates_everything_once(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    result = await world.apply(service)
    (lb,) = world.elbv2.load_balancers.values()
    assert result.dns_name == lb.dns_name
    assert lb.name.startswith("k8s-ui-uinlb-")
    assert len(lb.security_groups) == 2
    (group,) = world.elbv2.target_groups.values()
    assert (group.target_type, group.port) == (TargetType.INSTANCE, 30549)
    assert group.tags["service.k8s.aws/resource"] == "ui/ui-nlb:80"
    ((_, listener),) = world.elbv2.listeners.values()
    assert listener.target_group_arns == (group.arn,)
    ((binding, labels),) = world.bindings.objects.values()
    assert binding.target_group_arn == group.arn
    assert labels == {
        "service.k8s.aws/stack-namespace": "ui",
        "service.k8s.aws/stack-name": "ui-nlb",
    }
    (sg,) = world.ec2.groups.values()
    assert [p.ip_ranges[0].cidr_ip for p in sg.ingress] == ["127.0.0.0/8", "192.0.2.0/24"]

    await world.apply(service)
    assert world.elbv2.calls == []  # a second reconcile changes nothing


async def test_switch_to_ip_mode_keeps_the_url_and_replaces_the_target_group(
    world: World, workshop_dir: Path
) -> None:
    first = await world.apply(workshop_service(workshop_dir, ip_mode=False))
    (old_group,) = world.elbv2.target_groups.values()
    second = await world.apply(workshop_service(workshop_dir, ip_mode=True))
    assert second.dns_name == first.dns_name
    (new_group,) = world.elbv2.target_groups.values()
    assert (new_group.target_type, new_group.port) == (TargetType.IP, 8080)
    ((_, listener),) = world.elbv2.listeners.values()
    assert listener.target_group_arns == (new_group.arn,)
    assert world.elbv2.calls == [
        f"CreateTargetGroup {new_group.name}",
        "ModifyListener",
        f"create TargetGroupBinding {new_group.name}",
        f"delete TargetGroupBinding {old_group.name}",
        f"DeleteTargetGroup {old_group.name}",
    ]


async def test_annotation_edits_are_applied_in_place(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    await world.apply(service)
    edited = annotate(
        service,
        aws_load_balancer_additional_resource_tags="instance-mode=true,key1=value1",
        aws_load_balancer_cross_zone_load_balancing_enabled="true",
    )
    await world.apply(edited)
    (lb,) = world.elbv2.load_balancers.values()
    assert lb.attributes == {"load_balancing.cross_zone.enabled": "true"}
    assert lb.tags["key1"] == "value1"
    await world.apply(
        annotate(service, aws_load_balancer_additional_resource_tags="instance-mode=true")
    )
    (lb,) = world.elbv2.load_balancers.values()
    assert "key1" not in lb.tags
    assert lb.attributes == {"load_balancing.cross_zone.enabled": "true"}  # never reset


async def test_source_range_edit_changes_one_rule(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    await world.apply(service)
    await world.apply(annotate(service, load_balancer_source_ranges="127.0.0.0/8"))
    (sg,) = world.ec2.groups.values()
    assert [p.ip_ranges for p in sg.ingress] == [(IpRange("127.0.0.0/8"),)]
    assert world.ec2.calls[-1] == "RevokeSecurityGroupIngress 1"


async def test_scheme_change_replaces_the_load_balancer(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    first = await world.apply(service)
    second = await world.apply(annotate(service, aws_load_balancer_scheme="internal"))
    assert second.dns_name != first.dns_name
    assert len(world.elbv2.load_balancers) == 1
    assert world.elbv2.calls[0].startswith("DeleteLoadBalancer")


async def test_deleting_the_service_deletes_everything_in_order(
    world: World, workshop_dir: Path
) -> None:
    service = workshop_service(workshop_dir, ip_mode=True)
    await world.apply(service)
    deleted = replace(service, being_deleted=True, finalizers=(SERVICE_FINALIZER,))
    result = await world.apply(deleted)
    assert result.dns_name is None
    assert (world.elbv2.load_balancers, world.elbv2.target_groups, world.ec2.groups) == ({}, {}, {})
    assert world.bindings.objects == {}
    kinds = [call.split()[0] for call in world.elbv2.calls]
    assert kinds == ["DeleteLoadBalancer", "delete", "DeleteTargetGroup"]
    assert world.ec2.calls[-1] == "DeleteSecurityGroup"


async def test_health_check_change_keeps_the_group_and_its_one_binding(
    world: World, workshop_dir: Path
) -> None:
    """ETP Local renames the desired group (the name hashes the health-check protocol), but the
    group is modified in place, so its binding keeps its name and stays the only one."""
    service = workshop_service(workshop_dir, ip_mode=False)
    await world.apply(service)
    ((before, _),) = world.bindings.objects.values()
    await world.apply(
        replace(service, external_traffic_policy="Local", health_check_node_port=31999)
    )
    ((after, _),) = world.bindings.objects.values()
    assert after == before
    (group,) = world.elbv2.target_groups.values()
    assert group.health_check.port == 31999


async def test_deletion_protection_set_outside_is_turned_off_before_deleting(
    world: World, workshop_dir: Path
) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    await world.apply(service)
    ((arn, lb),) = world.elbv2.load_balancers.items()
    world.elbv2.load_balancers[arn] = replace(
        lb, attributes={**lb.attributes, "deletion_protection.enabled": "true"}
    )
    await world.apply(replace(service, being_deleted=True, finalizers=(SERVICE_FINALIZER,)))
    assert world.elbv2.load_balancers == {}
    disable = world.elbv2.calls.index(
        "ModifyLoadBalancerAttributes {'deletion_protection.enabled': 'false'}"
    )
    assert disable < world.elbv2.calls.index(f"DeleteLoadBalancer {lb.name}")


async def test_user_security_groups_replace_the_managed_one_before_it_is_deleted(
    world: World, workshop_dir: Path
) -> None:
    """The managed group goes only once the load balancer stopped using it: the fake EC2, as
    the real API, refuses to delete a group a load balancer still uses (DependencyViolation)."""
    service = workshop_service(workshop_dir, ip_mode=False)
    await world.apply(service)
    (managed,) = world.ec2.groups
    await world.apply(annotate(service, aws_load_balancer_security_groups="sg-0user"))
    (lb,) = world.elbv2.load_balancers.values()
    assert managed not in lb.security_groups
    assert "sg-0user" in lb.security_groups
    assert world.ec2.groups == {}
    assert "SetSecurityGroups" in world.elbv2.calls
    assert world.ec2.calls[-1] == "DeleteSecurityGroup"
