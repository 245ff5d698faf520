"""Pod readiness gates follow target health: True only when healthy (reference §2.11)."""

from __future__ import annotations

import pytest

from localnlb.controller.targetgroupbinding.readiness import (
    PodCondition,
    binding_deleted_condition,
    build_target_health_condition,
)
from localnlb.controller.targetgroupbinding.targets import ActualTarget, TargetDescription

GATE = "target-health.elbv2.k8s.aws/k8s-ui-uinlb-abc"


def health(state: str, reason: str | None = None, description: str | None = None) -> ActualTarget:
    return ActualTarget(TargetDescription("127.1.1.5", 8080), state, reason, description)


def test_just_registered_target() -> None:
    got = build_target_health_condition("k8s-ui-uinlb-abc", None, just_registered=True)
    assert got == PodCondition(
        GATE, "False", "Elb.RegistrationInProgress", "Target registration is in progress"
    )


def test_healthy_target_makes_the_gate_true() -> None:
    assert build_target_health_condition("k8s-ui-uinlb-abc", health("healthy")).status == "True"


@pytest.mark.parametrize(
    ("state", "reason", "description"),
    [
        ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress"),
        ("unhealthy", "Target.FailedHealthChecks", "Health checks failed"),
        ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"),
    ],
)
def test_any_other_state_makes_the_gate_false_with_aws_reason(
    state: str, reason: str, description: str
) -> None:
    got = build_target_health_condition("k8s-ui-uinlb-abc", health(state, reason, description))
    assert got == PodCondition(GATE, "False", reason, description)


def test_unknown_health() -> None:
    assert build_target_health_condition("k8s-ui-uinlb-abc", None).status == "Unknown"


def test_deleted_binding_releases_its_pods() -> None:
    assert binding_deleted_condition("k8s-ui-uinlb-abc") == PodCondition(
        GATE, "True", "", "Target Group Binding is deleted"
    )
