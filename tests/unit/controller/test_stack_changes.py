"""What changes when a Service changes: in place vs replacement (reference §2.13), deletion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from localnlb.controller.deploy.actual import (
    ActualListener,
    ActualLoadBalancer,
    ActualTargetGroup,
    health_check_port_from_api,
)
from localnlb.controller.deploy.listeners import plan_listener_changes
from localnlb.controller.deploy.load_balancers import plan_load_balancer_changes
from localnlb.controller.deploy.target_groups import (
    TargetGroupPlan,
    health_check_drifted,
    plan_target_group_changes,
)
from localnlb.controller.model.enums import Protocol
from localnlb.controller.model.resources import HealthCheckConfig
from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.model.tokens import StringToken
from localnlb.controller.service.constants import SERVICE_FINALIZER
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import ServicePort
from localnlb.controller.service.tracking import resource_tags
from tests.unit.controller.factories import CLUSTER, build, lb_service

IP = {"aws-load-balancer-nlb-target-type": "ip"}
INTERNET_FACING = {"aws-load-balancer-scheme": "internet-facing"}


def tags_of(stack: DesiredStack) -> dict[str, dict[str, str]]:
    spec_tags: dict[str, Mapping[str, str]] = {
        **{r.id: r.spec.tags for r in stack.load_balancers},
        **{r.id: r.spec.tags for r in stack.target_groups},
        **{r.id: r.spec.tags for r in stack.listeners},
    }
    return {
        resource_id: resource_tags(
            cluster_name=CLUSTER, stack_id=stack.stack_id, resource_id=resource_id, spec_tags=tags
        )
        for resource_id, tags in spec_tags.items()
    }


def deployed_groups(stack: DesiredStack) -> list[ActualTargetGroup]:
    tags = tags_of(stack)
    return [
        ActualTargetGroup(
            arn=f"arn:tg/{g.spec.name}",
            name=g.spec.name,
            target_type=g.spec.target_type,
            protocol=g.spec.protocol,
            port=g.spec.port,
            health_check=g.spec.health_check_config,
            attributes={a.key: a.value for a in g.spec.target_group_attributes},
            tags=tags[g.id],
        )
        for g in stack.target_groups
    ]


def deployed_load_balancer(stack: DesiredStack) -> ActualLoadBalancer:
    lb = stack.load_balancers[0]
    return ActualLoadBalancer(
        arn=f"arn:lb/{lb.spec.name}",
        name=lb.spec.name,
        scheme=lb.spec.scheme,
        dns_name=f"{lb.spec.name}-0123456789abcdef.elb.us-west-2.amazonaws.com",
        subnet_ids=tuple(m.subnet_id for m in lb.spec.subnet_mappings),
        security_groups=("sg-managed", "sg-backend"),
        tags=tags_of(stack)[lb.id],
    )


def plan_groups(
    before: DesiredStack, after: DesiredStack, *, advanced_health_check: bool = True
) -> TargetGroupPlan:
    return plan_target_group_changes(
        after.target_groups,
        deployed_groups(before),
        desired_tags=tags_of(after),
        advanced_health_check=advanced_health_check,
    )


def test_nothing_changes_when_nothing_changed() -> None:
    stack = build(lb_service(INTERNET_FACING))
    plan = plan_groups(stack, stack)
    assert (plan.create, plan.replace, plan.delete) == ((), (), ())
    assert not any(update.changed for update in plan.update)


def test_instance_to_ip_replaces_the_target_group_and_keeps_the_load_balancer() -> None:
    instance = build(lb_service(INTERNET_FACING))
    ip = build(lb_service({**INTERNET_FACING, **IP}))
    plan = plan_groups(instance, ip)
    assert [(new.spec.name, old.name) for new, old in plan.replace] == [
        (ip.target_groups[0].spec.name, instance.target_groups[0].spec.name)
    ]
    assert plan.to_delete == (deployed_groups(instance)[0],)
    lb_plan = plan_load_balancer_changes(
        ip.load_balancers,
        [deployed_load_balancer(instance)],
        desired_tags=tags_of(ip),
        resolved_security_groups={"LoadBalancer": ("sg-managed", "sg-backend")},
    )
    assert (lb_plan.delete_first, lb_plan.create) == ((), ())
    (update,) = lb_plan.update
    assert (update.subnet_ids, update.security_groups, update.attributes) == (None, None, {})


def test_listener_moves_to_the_replacement_target_group() -> None:
    instance = build(lb_service(INTERNET_FACING))
    ip = build(lb_service({**INTERNET_FACING, **IP}))
    old_arn = deployed_groups(instance)[0].arn
    new_arn = "arn:tg/new"

    def resolve(token: StringToken) -> str:
        return token if isinstance(token, str) else new_arn

    plan = plan_listener_changes(
        ip.listeners,
        [
            ActualListener(
                "arn:listener/80", 80, Protocol.TCP, (old_arn,), tags=tags_of(instance)["80"]
            )
        ],
        resolve=resolve,
        desired_tags=tags_of(ip),
    )
    (update,) = plan.update
    assert update.modify
    assert update.target_group_arns == (new_arn,)
    assert update.tags.empty


def test_scheme_change_replaces_the_load_balancer_with_a_new_name() -> None:
    internal = build(lb_service({"aws-load-balancer-scheme": "internal"}))
    public = build(lb_service(INTERNET_FACING))
    plan = plan_load_balancer_changes(
        public.load_balancers,
        [deployed_load_balancer(internal)],
        desired_tags=tags_of(public),
        resolved_security_groups={},
    )
    assert plan.delete_first == (deployed_load_balancer(internal),)
    assert plan.create == public.load_balancers
    assert public.load_balancers[0].spec.name != internal.load_balancers[0].spec.name


def test_local_traffic_policy_changes_the_health_check_in_place() -> None:
    cluster = build(lb_service(INTERNET_FACING))
    local = build(
        lb_service(INTERNET_FACING, external_traffic_policy="Local", health_check_node_port=32001)
    )
    plan = plan_groups(cluster, local)
    assert plan.replace == ()
    (update,) = plan.update
    assert update.health_check == local.target_groups[0].spec.health_check_config


def test_health_check_changes_replace_the_group_without_the_advanced_config_gate() -> None:
    before = build(lb_service())
    after = build(lb_service({"aws-load-balancer-healthcheck-healthy-threshold": "5"}))
    assert plan_groups(before, after).replace == ()
    assert len(plan_groups(before, after, advanced_health_check=False).replace) == 1


def test_attributes_are_added_and_updated_but_never_reset() -> None:
    with_delay = build(
        lb_service(
            {
                "aws-load-balancer-target-group-attributes": (
                    "deregistration_delay.timeout_seconds=120"
                )
            }
        )
    )
    plain = build(lb_service())
    (update,) = plan_groups(plain, with_delay).update
    assert update.attributes == {"deregistration_delay.timeout_seconds": "120"}
    (update,) = plan_groups(with_delay, plain).update
    assert update.attributes == {}


def test_removed_additional_tags_are_removed() -> None:
    two = build(
        lb_service({"aws-load-balancer-additional-resource-tags": "instance-mode=true,key1=value1"})
    )
    one = build(lb_service({"aws-load-balancer-additional-resource-tags": "instance-mode=true"}))
    (update,) = plan_groups(two, one).update
    assert (update.tags.to_add, update.tags.to_remove) == ({}, ("key1",))


def test_removed_port_deletes_its_target_group() -> None:
    two = build(
        lb_service(
            ports=(
                ServicePort(80, name="http", target_port=8080, node_port=30080),
                ServicePort(443, name="https", target_port=8443, node_port=30443),
            )
        )
    )
    one = build(
        lb_service(ports=(ServicePort(80, name="http", target_port=8080, node_port=30080),))
    )
    plan = plan_groups(two, one)
    assert [g.tags["service.k8s.aws/resource"] for g in plan.delete] == ["ui/ui-nlb:443"]


def test_interrupted_replacement_keeps_the_fitting_group_and_deletes_the_stale_one() -> None:
    instance = build(lb_service())
    ip = build(lb_service(IP))
    actual = deployed_groups(instance) + deployed_groups(ip)
    plan = plan_target_group_changes(ip.target_groups, actual, desired_tags=tags_of(ip))
    assert [u.actual.name for u in plan.update] == [ip.target_groups[0].spec.name]
    assert [g.name for g in plan.delete] == [instance.target_groups[0].spec.name]


class TestDeletion:
    def test_deleted_service_builds_the_empty_stack(self) -> None:
        stack = build(lb_service(being_deleted=True, finalizers=(SERVICE_FINALIZER,)))
        assert stack.is_empty
        assert stack.to_json() == {"id": "ui/ui-nlb", "resources": {}}

    def test_a_service_no_longer_ours_builds_the_empty_stack(self) -> None:
        assert build(lb_service(load_balancer_class="example.com/other")).is_empty

    def test_deletion_protection_holds_the_service(self) -> None:
        service = lb_service(
            {"aws-load-balancer-attributes": "deletion_protection.enabled=true"},
            being_deleted=True,
            finalizers=(SERVICE_FINALIZER,),
        )
        with pytest.raises(BuildError) as caught:
            build(service)
        assert (
            caught.value.message
            == "deletion_protection is enabled, cannot delete the service: ui-nlb"
        )

    def test_deletion_protection_off_lets_it_go(self) -> None:
        service = lb_service(
            {"aws-load-balancer-attributes": "deletion_protection.enabled=false"},
            being_deleted=True,
            finalizers=(SERVICE_FINALIZER,),
        )
        assert build(service).is_empty

    def test_empty_stack_deletes_everything(self) -> None:
        stack = build(lb_service())
        empty = build(replace(lb_service(), being_deleted=True, finalizers=(SERVICE_FINALIZER,)))
        plan = plan_groups(stack, empty)
        assert len(plan.delete) == 1
        assert plan.update == ()
        lb_plan = plan_load_balancer_changes(
            (), [deployed_load_balancer(stack)], desired_tags={}, resolved_security_groups={}
        )
        assert len(lb_plan.delete_first) == 1


def test_health_check_drift_ignores_path_for_tcp() -> None:
    tcp = HealthCheckConfig("traffic-port", Protocol.TCP, 10, 10, 3, 3)
    assert not health_check_drifted(tcp, replace(tcp, path="/"))
    assert health_check_drifted(tcp, replace(tcp, interval_seconds=30))


@pytest.mark.parametrize(("raw", "port"), [("traffic-port", "traffic-port"), ("32001", 32001)])
def test_health_check_port_as_elbv2_returns_it(raw: str, port: int | str) -> None:
    assert health_check_port_from_api(raw) == port
