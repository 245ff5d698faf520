"""Target health as DescribeTargetHealth reports it: states, reason codes and their exact texts.

The strings are AWS's own (reference elbv2-api-and-nlb.md §3.6); tools grep for them, so they are
defined once here and nowhere else. :class:`ProbedHealth` is the seam between the API (which
knows registrations, deregistrations and which target groups are in use) and the health checker
(which knows what real probes found): the API asks the checker only about registered, in-use
targets, and a target the checker has no verdict on yet is ``initial``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class TargetHealthState(enum.StrEnum):
    INITIAL = "initial"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNHEALTHY_DRAINING = "unhealthy.draining"
    UNUSED = "unused"
    DRAINING = "draining"
    UNAVAILABLE = "unavailable"


class TargetHealthReason(enum.StrEnum):
    REGISTRATION_IN_PROGRESS = "Elb.RegistrationInProgress"
    INITIAL_HEALTH_CHECKING = "Elb.InitialHealthChecking"
    RESPONSE_CODE_MISMATCH = "Target.ResponseCodeMismatch"
    TIMEOUT = "Target.Timeout"
    FAILED_HEALTH_CHECKS = "Target.FailedHealthChecks"
    NOT_REGISTERED = "Target.NotRegistered"
    NOT_IN_USE = "Target.NotInUse"
    DEREGISTRATION_IN_PROGRESS = "Target.DeregistrationInProgress"
    INVALID_STATE = "Target.InvalidState"
    IP_UNUSABLE = "Target.IpUnusable"
    HEALTH_CHECK_DISABLED = "Target.HealthCheckDisabled"
    INTERNAL_ERROR = "Elb.InternalError"


DESCRIPTIONS: dict[TargetHealthReason, str] = {
    TargetHealthReason.REGISTRATION_IN_PROGRESS: "Target registration is in progress",
    TargetHealthReason.INITIAL_HEALTH_CHECKING: "Initial health checks in progress",
    TargetHealthReason.RESPONSE_CODE_MISMATCH: "Health checks failed with these codes: [{codes}]",
    TargetHealthReason.TIMEOUT: "Connection to target timed out",
    TargetHealthReason.FAILED_HEALTH_CHECKS: "Health checks failed",
    TargetHealthReason.NOT_REGISTERED: "Target is not registered to the target group",
    TargetHealthReason.NOT_IN_USE: (
        "Target group is not configured to receive traffic from the load balancer"
    ),
    TargetHealthReason.DEREGISTRATION_IN_PROGRESS: "Target deregistration is in progress",
    TargetHealthReason.INVALID_STATE: "Target is in an invalid state",
    TargetHealthReason.IP_UNUSABLE: (
        "The IP address cannot be used as a target, as it is in use by a load balancer"
    ),
    TargetHealthReason.HEALTH_CHECK_DISABLED: "Health checks are not enabled for this target",
    TargetHealthReason.INTERNAL_ERROR: "Health checks failed due to an internal error",
}

# The other NotInUse text, for a target whose AZ the load balancer does not enable.
ZONE_NOT_ENABLED_DESCRIPTION = (
    "Target is in an Availability Zone that is not enabled for the load balancer"
)


@dataclass(frozen=True, slots=True)
class TargetHealth:
    state: TargetHealthState
    reason: TargetHealthReason | None = None
    description: str | None = None

    @classmethod
    def of(cls, state: TargetHealthState, reason: TargetHealthReason | None = None) -> TargetHealth:
        """A health value with AWS's standard description for ``reason``."""
        return cls(state, reason, DESCRIPTIONS[reason] if reason is not None else None)


HEALTHY = TargetHealth(TargetHealthState.HEALTHY)
REGISTRATION_IN_PROGRESS = TargetHealth.of(
    TargetHealthState.INITIAL, TargetHealthReason.REGISTRATION_IN_PROGRESS
)


class ProbedHealth(Protocol):
    """What the health checker found for one registered, in-use target.

    Returns None while it has no verdict yet (the API then reports ``initial`` /
    ``Elb.RegistrationInProgress``). Never returns ``draining``, ``unused`` or ``NotRegistered``:
    those follow from registrations, which the API owns.
    """

    def probed(self, target_group_arn: str, target_id: str, port: int) -> TargetHealth | None: ...


class NoProbes:
    """The health checker's stand-in before one runs: no verdict for anyone."""

    def probed(self, target_group_arn: str, target_id: str, port: int) -> TargetHealth | None:
        return None
