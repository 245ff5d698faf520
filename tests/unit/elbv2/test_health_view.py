"""The pure target-health resolution behind DescribeTargetHealth and the routing snapshot, with
time passed in: every rule in priority order."""

from __future__ import annotations

import pytest

from localnlb.common.clock import FakeClock
from localnlb.elbv2.model.health_view import (
    DEREGISTERING,
    NOT_IN_USE,
    NOT_REGISTERED,
    ZONE_NOT_ENABLED,
    TargetPlacement,
    resolve_health,
)
from localnlb.elbv2.model.target import Registration
from localnlb.elbv2.model.target_health import (
    HEALTHY,
    REGISTRATION_IN_PROGRESS,
    NoProbes,
    TargetHealth,
    TargetHealthReason,
    TargetHealthState,
)

ZONES = frozenset({"us-west-2a", "us-west-2b"})


class Verdicts:
    def __init__(self, verdict: TargetHealth | None) -> None:
        self.verdict = verdict
        self.asked = 0

    def probed(self, target_group_arn: str, target_id: str, port: int) -> TargetHealth | None:
        self.asked += 1
        return self.verdict


def _registration(clock: FakeClock, *, draining_for: float | None = None) -> Registration:
    until = None if draining_for is None else clock.wall() + draining_for
    return Registration("tg", "127.9.1.1", 80, None, clock.wall(), until)


def test_unregistered_targets_are_not_registered() -> None:
    health = resolve_health(
        registration=None,
        placement=TargetPlacement(None),
        enabled_zones=ZONES,
        probed=NoProbes(),
        now=0.0,
    )
    assert health == NOT_REGISTERED
    assert health.description == "Target is not registered to the target group"


def test_a_draining_target_drains_for_the_delay_then_is_not_registered() -> None:
    clock = FakeClock()
    registration = _registration(clock, draining_for=30)
    verdicts = Verdicts(HEALTHY)

    def now_health() -> TargetHealth:
        return resolve_health(
            registration=registration,
            placement=TargetPlacement("us-west-2a"),
            enabled_zones=ZONES,
            probed=verdicts,
            now=clock.wall(),
        )

    assert now_health() == DEREGISTERING
    clock.advance(29.9)
    assert now_health().state is TargetHealthState.DRAINING
    clock.advance(0.1)
    assert now_health() == NOT_REGISTERED
    assert verdicts.asked == 0


@pytest.mark.parametrize(
    ("enabled", "placement", "expected"),
    [
        (None, TargetPlacement("us-west-2a"), NOT_IN_USE),
        (ZONES, TargetPlacement("us-west-2c"), ZONE_NOT_ENABLED),
        (ZONES, TargetPlacement(None), ZONE_NOT_ENABLED),
        (
            ZONES,
            TargetPlacement("us-west-2a", "stopped"),
            TargetHealth(
                TargetHealthState.UNUSED,
                TargetHealthReason.INVALID_STATE,
                "Target is in the stopped state",
            ),
        ),
    ],
)
def test_targets_out_of_service_are_unused_and_never_probed(
    enabled: frozenset[str] | None, placement: TargetPlacement, expected: TargetHealth
) -> None:
    clock = FakeClock()
    verdicts = Verdicts(HEALTHY)
    health = resolve_health(
        registration=_registration(clock),
        placement=placement,
        enabled_zones=enabled,
        probed=verdicts,
        now=clock.wall(),
    )
    assert health == expected
    assert verdicts.asked == 0


@pytest.mark.parametrize("zone", ["us-west-2b", "all"])
def test_in_use_targets_report_the_probe_verdict_or_registration_in_progress(zone: str) -> None:
    clock = FakeClock()
    registration = _registration(clock)
    common = {
        "registration": registration,
        "placement": TargetPlacement(zone, None),
        "enabled_zones": ZONES,
        "now": clock.wall(),
    }
    assert resolve_health(probed=NoProbes(), **common) == REGISTRATION_IN_PROGRESS  # type: ignore[arg-type]
    unhealthy = TargetHealth.of(
        TargetHealthState.UNHEALTHY, TargetHealthReason.FAILED_HEALTH_CHECKS
    )
    assert resolve_health(probed=Verdicts(unhealthy), **common) == unhealthy  # type: ignore[arg-type]
    assert resolve_health(probed=Verdicts(HEALTHY), **common) == HEALTHY  # type: ignore[arg-type]
