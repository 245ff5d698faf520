"""What DescribeTargetHealth says about one target: a pure function of registrations and probes.

The API owns the facts that follow from configuration (registered or not, draining, target
group in use, AZ enabled, instance running); the health checker owns what probes found
(:class:`ProbedHealth`). Only registered, in-use targets in an enabled AZ are asked about, and a
target nobody has probed yet is ``initial``/``Elb.RegistrationInProgress`` — never ``healthy``.
"""

from __future__ import annotations

from dataclasses import dataclass

from localnlb.elbv2.model.target import Registration
from localnlb.elbv2.model.target_health import (
    REGISTRATION_IN_PROGRESS,
    ZONE_NOT_ENABLED_DESCRIPTION,
    ProbedHealth,
    TargetHealth,
    TargetHealthReason,
    TargetHealthState,
)

NOT_REGISTERED = TargetHealth.of(TargetHealthState.UNUSED, TargetHealthReason.NOT_REGISTERED)
NOT_IN_USE = TargetHealth.of(TargetHealthState.UNUSED, TargetHealthReason.NOT_IN_USE)
ZONE_NOT_ENABLED = TargetHealth(
    TargetHealthState.UNUSED, TargetHealthReason.NOT_IN_USE, ZONE_NOT_ENABLED_DESCRIPTION
)
DEREGISTERING = TargetHealth.of(
    TargetHealthState.DRAINING, TargetHealthReason.DEREGISTRATION_IN_PROGRESS
)


@dataclass(frozen=True, slots=True)
class TargetPlacement:
    """Where a registered target sits: its zone (None if unknown, "all") and, for instances,
    whether the instance is running (None for ip targets)."""

    zone: str | None
    instance_state: str | None = None


def resolve_health(
    *,
    registration: Registration | None,
    placement: TargetPlacement,
    enabled_zones: frozenset[str] | None,
    probed: ProbedHealth,
    now: float,
) -> TargetHealth:
    """``enabled_zones`` is None when no listener of any load balancer uses the target group."""
    if registration is None or registration.is_gone(now):
        return NOT_REGISTERED
    if registration.draining_until is not None:
        return DEREGISTERING
    if enabled_zones is None:
        return NOT_IN_USE
    if placement.instance_state is not None and placement.instance_state != "running":
        return TargetHealth(
            TargetHealthState.UNUSED,
            TargetHealthReason.INVALID_STATE,
            f"Target is in the {placement.instance_state} state",
        )
    if placement.zone != "all" and placement.zone not in enabled_zones:
        return ZONE_NOT_ENABLED
    verdict = probed.probed(
        registration.target_group_arn, registration.target_id, registration.port
    )
    return verdict if verdict is not None else REGISTRATION_IN_PROGRESS
