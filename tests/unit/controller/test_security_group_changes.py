"""Source-range edits change the managed security group rule by rule, in place."""

from __future__ import annotations

from localnlb.controller.deploy.security_groups import (
    ActualSecurityGroup,
    ingress_changes,
    plan_security_group_changes,
    single_rules,
)
from localnlb.controller.model.resources import IpPermission, IpRange, PrefixList
from localnlb.controller.service.tracking import resource_tags
from tests.unit.controller.factories import CLUSTER, build, lb_service

RANGES = "load-balancer-source-ranges"


def rule(cidr: str, port: int = 80) -> IpPermission:
    return IpPermission("tcp", port, port, ip_ranges=(IpRange(cidr),))


def test_changed_range_revokes_the_old_and_authorizes_the_new() -> None:
    before = build(lb_service({RANGES: "127.0.0.0/8,192.0.2.0/24"})).security_groups[0]
    after = build(lb_service({RANGES: "127.0.0.0/8,198.51.100.0/24"})).security_groups
    tags = resource_tags(
        cluster_name=CLUSTER,
        stack_id="ui/ui-nlb",
        resource_id=before.id,
        spec_tags=before.spec.tags,
    )
    actual = ActualSecurityGroup("sg-1", before.spec.group_name, before.spec.ingress, tags)
    plan = plan_security_group_changes(after, [actual], desired_tags={before.id: tags})
    (update,) = plan.update
    assert update.authorize == (rule("198.51.100.0/24"),)
    assert update.revoke == (rule("192.0.2.0/24"),)
    assert update.tags.empty
    assert (plan.create, plan.delete) == ((), ())


def test_multi_source_permissions_are_compared_source_by_source() -> None:
    combined = IpPermission(
        "tcp", 80, 80, ip_ranges=(IpRange("10.0.0.0/8"), IpRange("127.0.0.0/8"))
    )
    assert single_rules([combined]) == [rule("10.0.0.0/8"), rule("127.0.0.0/8")]
    assert ingress_changes([rule("10.0.0.0/8"), rule("127.0.0.0/8")], [combined]) == ((), ())


def test_prefix_list_rules() -> None:
    pl = IpPermission("tcp", 80, 80, prefix_lists=(PrefixList("pl-1"),))
    assert ingress_changes([pl], []) == ((pl,), ())


def test_an_unwanted_security_group_is_planned_for_deletion() -> None:
    """When it is deleted (last, after the load balancer) the deployer tests show."""
    group = ActualSecurityGroup(
        "sg-1", "k8s-ui-uinlb-x", tags={"service.k8s.aws/resource": "ManagedLBSecurityGroup"}
    )
    plan = plan_security_group_changes((), [group], desired_tags={})
    assert plan.delete == (group,)


def test_a_range_listed_twice_is_one_rule() -> None:
    assert ingress_changes([rule("10.0.0.0/8"), rule("10.0.0.0/8")], []) == (
        (rule("10.0.0.0/8"),),
        (),
    )
