"""Which targets get checked, from which LB node, with what settings (reference §3.5, §3.6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localnlb.common.snapshot import LbNodeRoute, Protocol
from localnlb.elbv2.health.machine import CheckSettings
from localnlb.elbv2.health.plan import CheckProtocol, TargetKey, build_check_plan
from tests.unit.health.builders import (
    LB_ARN,
    TCP_CHECK,
    TG_ARN,
    http_check,
    load_balancer,
    snapshot,
    target,
    target_group,
)


def test_tcp_target_in_use_is_checked_from_its_zones_node() -> None:
    plan = build_check_plan(snapshot(target_group(target("127.42.1.5", 8080))))
    planned = plan[TargetKey(TG_ARN, "127.42.1.5", 8080)]
    assert planned.check.protocol is CheckProtocol.TCP
    assert (planned.check.address, planned.check.port) == ("127.42.1.5", 8080)
    assert planned.check.source_address == "127.42.0.100"
    assert planned.check.host == "127.42.0.100:80"
    assert planned.check.timeout == 2
    assert not planned.check.proxy_protocol_v2
    assert planned.settings == CheckSettings(5, 2, 2, 0)


def test_target_in_the_second_zone_uses_the_second_node() -> None:
    plan = build_check_plan(snapshot(target_group(target("127.42.17.5", 80, "us-west-2b"))))
    assert plan[TargetKey(TG_ARN, "127.42.17.5", 80)].check.source_address == "127.42.16.100"


def test_all_zone_target_is_checked_from_any_node() -> None:
    plan = build_check_plan(snapshot(target_group(target("127.9.9.9", 80, "all"))))
    assert plan[TargetKey(TG_ARN, "127.9.9.9", 80)].check.source_address == "127.42.0.100"


def test_target_in_a_zone_the_lb_does_not_enable_is_not_checked() -> None:
    assert build_check_plan(snapshot(target_group(target("127.42.33.5", 80, "us-west-2c")))) == {}


@pytest.mark.parametrize("state", ["unused", "draining", "unavailable"])
def test_targets_not_in_service_are_not_checked(state: str) -> None:
    assert build_check_plan(snapshot(target_group(target("127.42.1.5", 80, state=state)))) == {}


@pytest.mark.parametrize("state", ["initial", "healthy", "unhealthy", "unhealthy.draining"])
def test_targets_in_service_are_checked(state: str) -> None:
    assert len(build_check_plan(snapshot(target_group(target("127.42.1.5", 80, state=state))))) == 1


def test_target_group_without_listener_is_not_checked() -> None:
    lbs = (load_balancer(listeners=()),)
    assert (
        build_check_plan(snapshot(target_group(target("127.42.1.5", 80)), load_balancers=lbs)) == {}
    )


@pytest.mark.parametrize("state", ["provisioning", "failed"])
def test_load_balancer_not_active_checks_nothing(state: str) -> None:
    lbs = (load_balancer(state=state),)
    assert (
        build_check_plan(snapshot(target_group(target("127.42.1.5", 80)), load_balancers=lbs)) == {}
    )


def test_host_header_uses_the_lowest_listener_port_forwarding_to_the_group() -> None:
    lbs = (load_balancer(listeners=((8443, TG_ARN), (443, TG_ARN), (80, "arn:other"))),)
    plan = build_check_plan(snapshot(target_group(target("127.42.1.5", 80)), load_balancers=lbs))
    assert plan[TargetKey(TG_ARN, "127.42.1.5", 80)].check.host == "127.42.0.100:443"


def test_second_load_balancer_supplies_the_zone_the_first_lacks() -> None:
    only_a = load_balancer(nodes=(LbNodeRoute("us-west-2a", "127.42.0.100", "s-a"),))
    with_c = load_balancer(
        arn=LB_ARN.replace("0123456789abcdef", "ffffffffffffffff"),
        nodes=(LbNodeRoute("us-west-2c", "127.42.32.101", "s-c"),),
    )
    plan = build_check_plan(
        snapshot(
            target_group(target("127.42.33.5", 80, "us-west-2c")), load_balancers=(only_a, with_c)
        )
    )
    assert plan[TargetKey(TG_ARN, "127.42.33.5", 80)].check.source_address == "127.42.32.101"


def test_explicit_health_check_port_overrides_traffic_port() -> None:
    group = target_group(target("127.42.1.5", 8080), health_check=replace(TCP_CHECK, port="9000"))
    assert (
        build_check_plan(snapshot(group))[TargetKey(TG_ARN, "127.42.1.5", 8080)].check.port == 9000
    )


@pytest.mark.parametrize("port", ["nope", "0", "70000"])
def test_unusable_health_check_port_checks_nothing(port: str) -> None:
    group = target_group(target("127.42.1.5", 8080), health_check=replace(TCP_CHECK, port=port))
    assert build_check_plan(snapshot(group)) == {}


def test_unknown_health_check_protocol_checks_nothing() -> None:
    group = target_group(
        target("127.42.1.5", 80), health_check=replace(TCP_CHECK, protocol=Protocol.UDP)
    )
    assert build_check_plan(snapshot(group)) == {}


def test_http_settings_and_proxy_protocol() -> None:
    group = target_group(
        target("127.42.1.5", 80),
        health_check=http_check(path="/status", matcher="200,202", https=True),
        proxy_protocol_v2=True,
    )
    check = build_check_plan(snapshot(group))[TargetKey(TG_ARN, "127.42.1.5", 80)].check
    assert check.protocol is CheckProtocol.HTTPS
    assert check.path == "/status"
    assert check.matcher.matches(202)
    assert not check.matcher.matches(201)
    assert check.proxy_protocol_v2


def test_unhealthy_draining_only_when_termination_is_off() -> None:
    kept = target_group(
        target("127.42.1.5", 80),
        terminate_on_unhealthy=False,
        unhealthy_draining_interval_seconds=60,
    )
    terminated = replace(kept, terminate_on_unhealthy=True)
    key = TargetKey(TG_ARN, "127.42.1.5", 80)
    assert build_check_plan(snapshot(kept))[key].settings.keep_connections_for == 60
    assert build_check_plan(snapshot(terminated))[key].settings.keep_connections_for == 0


def test_time_scale_shrinks_every_duration() -> None:
    group = target_group(
        target("127.42.1.5", 80),
        terminate_on_unhealthy=False,
        unhealthy_draining_interval_seconds=60,
    )
    planned = build_check_plan(snapshot(group), time_scale=0.1)[TargetKey(TG_ARN, "127.42.1.5", 80)]
    assert planned.settings.interval == pytest.approx(0.5)
    assert planned.settings.keep_connections_for == pytest.approx(6.0)
    assert planned.check.timeout == pytest.approx(0.2)
    assert planned.settings.healthy_threshold == 2
