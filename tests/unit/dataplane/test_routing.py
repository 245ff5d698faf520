"""Which targets a node may pick: AZ scoping, cross-zone, AZ ``all``, fail-open, DNS failover."""

from __future__ import annotations

import dataclasses

import pytest

from localnlb.common.snapshot import LoadBalancerState
from localnlb.dataplane.routing import TCP, UDP, compile_routing
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

A, B, C = ZONES
NODES = {A: "127.50.0.100", B: "127.50.16.100", C: "127.50.32.100"}
GROUP = target_group(
    target("127.50.1.1", 80, A), target("127.50.17.1", 80, B), target("127.50.33.1", 80, C)
)


def candidates(table: object, node: str) -> set[str]:
    plans = compile_routing(table).plans  # type: ignore[arg-type]
    return {t.address for t in plans[(node, 80, TCP)].candidates}


def test_each_node_uses_its_own_zone_without_cross_zone() -> None:
    s = snapshot(1, load_balancer(NODES, port=80), GROUP)
    assert candidates(s, NODES[A]) == {"127.50.1.1"}
    assert candidates(s, NODES[B]) == {"127.50.17.1"}


def test_cross_zone_on_the_load_balancer_uses_every_enabled_zone() -> None:
    s = snapshot(1, load_balancer(NODES, port=80, cross_zone=True), GROUP)
    assert candidates(s, NODES[A]) == {"127.50.1.1", "127.50.17.1", "127.50.33.1"}


@pytest.mark.parametrize(
    ("lb_cross", "tg_cross", "expected"), [(True, "false", 1), (False, "true", 3)]
)
def test_the_target_group_overrides_the_load_balancer(
    lb_cross: bool, tg_cross: str, expected: int
) -> None:
    group = dataclasses.replace(GROUP, cross_zone=tg_cross)
    s = snapshot(1, load_balancer(NODES, port=80, cross_zone=lb_cross), group)
    assert len(candidates(s, NODES[A])) == expected


def test_targets_in_zone_all_serve_every_node() -> None:
    group = target_group(target("10.0.0.1", 80, "all"), target("127.50.17.1", 80, B))
    s = snapshot(1, load_balancer(NODES, port=80), group)
    assert candidates(s, NODES[A]) == {"10.0.0.1"}
    assert candidates(s, NODES[B]) == {"10.0.0.1", "127.50.17.1"}


def test_targets_in_zones_not_enabled_get_nothing_even_cross_zone() -> None:
    group = target_group(target("127.50.1.1", 80, A), target("127.50.49.1", 80, "us-west-2d"))
    s = snapshot(1, load_balancer(NODES, port=80, cross_zone=True), group)
    assert candidates(s, NODES[B]) == {"127.50.1.1"}


def test_only_healthy_targets_are_in_service() -> None:
    group = target_group(
        target("127.50.1.1", 80, A),
        target("127.50.1.2", 80, A, "initial"),
        target("127.50.1.3", 80, A, "unhealthy"),
        target("127.50.1.4", 80, A, "draining"),
    )
    table = compile_routing(snapshot(1, load_balancer(NODES, port=80), group))
    plan = table.plans[(NODES[A], 80, TCP)]
    assert [t.address for t in plan.candidates] == ["127.50.1.1"]
    assert not plan.failing_open


def test_fails_open_to_every_non_draining_target_when_none_is_healthy() -> None:
    group = target_group(
        target("127.50.1.2", 80, A, "initial"),
        target("127.50.1.3", 80, A, "unhealthy"),
        target("127.50.1.4", 80, A, "draining"),
    )
    table = compile_routing(snapshot(1, load_balancer(NODES, port=80), group))
    plan = table.plans[(NODES[A], 80, TCP)]
    assert {t.address for t in plan.candidates} == {"127.50.1.2", "127.50.1.3"}
    assert plan.failing_open


def test_an_empty_group_has_no_candidate() -> None:
    table = compile_routing(snapshot(1, load_balancer(NODES, port=80), target_group()))
    plan = table.plans[(NODES[A], 80, TCP)]
    assert plan.candidates == ()
    assert plan.failing_open


def test_tcp_udp_listeners_bind_both_transports_and_inactive_lbs_nothing() -> None:
    lb = load_balancer(NODES, port=53, protocol="TCP_UDP")
    table = compile_routing(snapshot(1, lb, GROUP))
    assert {(NODES[A], 53, TCP), (NODES[A], 53, UDP)} <= set(table.plans)
    provisioning = dataclasses.replace(lb, state=LoadBalancerState.PROVISIONING)
    assert compile_routing(snapshot(2, provisioning, GROUP)).plans == {}


def test_dns_publishes_zones_with_a_healthy_target_or_all_when_none_has() -> None:
    group = target_group(target("127.50.1.1", 80, A), target("127.50.17.1", 80, B, "unhealthy"))
    table = compile_routing(snapshot(1, load_balancer(NODES, port=80), group))
    assert table.dns["lb-0123456789abcdef.elb.us-west-2.amazonaws.com"] == (NODES[A],)
    nobody = target_group(target("127.50.1.1", 80, A, "unhealthy"))
    table = compile_routing(snapshot(2, load_balancer(NODES, port=80), nobody))
    assert set(table.dns["lb-0123456789abcdef.elb.us-west-2.amazonaws.com"]) == set(NODES.values())


def test_allowed_source_cidrs() -> None:
    lb = load_balancer(NODES, port=80, allowed_source_cidrs=("127.1.0.0/16",))
    plan = compile_routing(snapshot(1, lb, GROUP)).plans[(NODES[A], 80, TCP)]
    assert plan.admits("127.1.2.3")
    assert not plan.admits("127.2.0.1")
    open_lb = load_balancer(NODES, port=80)
    assert compile_routing(snapshot(1, open_lb, GROUP)).plans[(NODES[A], 80, TCP)].admits("1.2.3.4")
