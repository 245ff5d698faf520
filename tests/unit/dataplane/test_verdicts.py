"""What a new snapshot does to flows already open: keep, reset, or reset when draining ends."""

from __future__ import annotations

import dataclasses

from localnlb.dataplane.routing import TCP, compile_routing
from localnlb.dataplane.verdicts import Action, verdict_for
from tests.unit.dataplane.builders import ZONES, load_balancer, snapshot, target, target_group

NODE = "127.51.0.100"
BINDING = (NODE, 80, TCP)
T1, T2 = ("127.51.1.1", 80), ("127.51.1.2", 80)
NOW = 1_000_000.0


def judge(*targets: object, target_key: tuple[str, int] = T1, **attributes: object) -> Action:
    group = target_group(*targets, **attributes)  # type: ignore[arg-type]
    table = compile_routing(snapshot(1, load_balancer({ZONES[0]: NODE}, port=80), group))
    verdict = verdict_for(
        table, binding=BINDING, target_group_arn="arn:tg", target=target_key, now_wall=NOW
    )
    return verdict.action


def test_healthy_and_initial_targets_keep_their_flows() -> None:
    assert judge(target(*T1), target(*T2)) is Action.KEEP
    assert judge(target(*T1, state="initial"), target(*T2)) is Action.KEEP


def test_unhealthy_target_flows_reset_unless_failing_open_or_told_not_to() -> None:
    assert judge(target(*T1, state="unhealthy"), target(*T2)) is Action.RESET
    assert judge(target(*T1, state="unhealthy"), target(*T2, state="unhealthy")) is Action.KEEP
    assert (
        judge(target(*T1, state="unhealthy"), target(*T2), terminate_on_unhealthy=False)
        is Action.KEEP
    )
    assert judge(target(*T1, state="unhealthy.draining"), target(*T2)) is Action.KEEP


def test_draining_keeps_flows_unless_termination_then_resets_at_the_end() -> None:
    draining = target(*T1, state="draining", draining_until=NOW + 30)
    assert judge(draining, target(*T2)) is Action.KEEP
    assert judge(draining, target(*T2), terminate_on_deregistration=True) is Action.RESET_AT
    over = dataclasses.replace(draining, draining_until=NOW - 1)
    assert judge(over, target(*T2), terminate_on_deregistration=True) is Action.RESET


def test_deregistered_target_flows_end_only_with_termination() -> None:
    assert judge(target(*T2)) is Action.KEEP
    assert judge(target(*T2), terminate_on_deregistration=True) is Action.RESET


def test_node_removed_resets_and_listener_pointing_elsewhere_keeps() -> None:
    table = compile_routing(snapshot(1, load_balancer({ZONES[0]: "127.51.0.101"}, port=80)))
    gone = verdict_for(table, binding=BINDING, target_group_arn="arn:tg", target=T1, now_wall=NOW)
    assert gone.action is Action.RESET
    table = compile_routing(snapshot(1, load_balancer({ZONES[0]: NODE}, port=81)))
    moved = verdict_for(table, binding=BINDING, target_group_arn="arn:tg", target=T1, now_wall=NOW)
    assert moved.action is Action.KEEP
